package api

import (
	"context"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// raiseUnvisited raises "grid not visited" for every police grid whose
// own officers have not come for the presence service's UnvisitedAfter,
// on the same sweep that declares silent officers; the store makes each
// absence one event however many servers sweep. A grid without officers
// of its own is not checked, and one whose officers have no visit known
// counts its absence from their first ping.
func (p *patrols) raiseUnvisited(ctx context.Context, s *Server, ix *geo.Index) []patrol.Event {
	after := s.presence.UnvisitedAfter()
	if after <= 0 {
		return nil
	}
	last, now, err := s.presence.LastVisits(ctx)
	if err != nil {
		if ctx.Err() == nil {
			p.logger.WarnContext(ctx, "patrols: reading the grids' last visits", "err", err)
		}
		return nil
	}
	since := make(map[string]time.Time, len(last))
	for id, v := range last {
		if s := v.Since(); v.HasOfficers && !s.IsZero() {
			since[id] = s
		}
	}
	evs, err := p.store.RaiseUnvisited(ctx, data.UnvisitedSweep{Rules: p.rulesFor(ix), LastVisits: since, After: after, Now: now})
	if err != nil && ctx.Err() == nil {
		p.logger.WarnContext(ctx, "patrols: raising unvisited grids", "err", err)
	}
	return evs
}
