package patrolling

import (
	"context"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// RaiseUnvisited raises "grid not visited" for every police grid whose
// own officers have not come for the presence service's UnvisitedAfter,
// on the same sweep that declares silent officers; the store makes each
// absence one event however many servers sweep. A grid without officers
// of its own is not checked, and one whose officers have no visit known
// counts its absence from their first ping. Run calls it on every sweep;
// it returns the events it raised.
func (s *Service) RaiseUnvisited(ctx context.Context, ix *geo.Index) []patrol.Event {
	if s.presence == nil {
		return nil
	}
	after := s.presence.UnvisitedAfter()
	if after <= 0 {
		return nil
	}
	last, now, err := s.presence.LastVisits(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.logger.WarnContext(ctx, "patrols: reading the grids' last visits", "err", err)
		}
		return nil
	}
	since := make(map[string]time.Time, len(last))
	for id, v := range last {
		if t := v.Since(); v.HasOfficers && !t.IsZero() {
			since[id] = t
		}
	}
	evs, err := s.store.RaiseUnvisited(ctx, data.UnvisitedSweep{Rules: s.Rules(ix), LastVisits: since, After: after, Now: now})
	if err != nil && ctx.Err() == nil {
		s.logger.WarnContext(ctx, "patrols: raising unvisited grids", "err", err)
	}
	return evs
}
