package prevention

import (
	"context"
	"maps"
	"slices"
	"time"
)

// LastVisitReport answers GET /api/v1/presence/grids: every police grid's
// last visit by its own officers, for shading a map. It names no officer.
type LastVisitReport struct {
	AsOf time.Time `json:"as_of"`
	// UnvisitedAfterDays is the absence, in days, that raises a
	// grid_unvisited event; 0 when that check is off.
	UnvisitedAfterDays float64         `json:"unvisited_after_days"`
	Grids              []GridLastVisit `json:"grids"`
}

// GridLastVisit is one police grid's last visit.
type GridLastVisit struct {
	Grid    string `json:"grid"`
	Station string `json:"station"`
	// LastVisit is the latest stay or recorded visit known, and
	// DaysSinceVisit whole days from it to as_of; null when none is known
	// (the service looks back UnvisitedAfter and a day when it starts).
	LastVisit      *time.Time `json:"last_visit"`
	DaysSinceVisit *int       `json:"days_since_visit"`
	// Recorded is set when the last visit is a recorded one.
	Recorded bool `json:"recorded"`
	// HasOfficers is false for a grid without police members of its own.
	HasOfficers bool `json:"has_officers"`
}

// GridLastVisits reports every police grid of the index in force, in id
// order, from LastVisits.
func (s *Service) GridLastVisits(ctx context.Context) (LastVisitReport, error) {
	last, now, err := s.LastVisits(ctx)
	if err != nil {
		return LastVisitReport{}, err
	}
	ix, err := s.ready()
	if err != nil {
		return LastVisitReport{}, err
	}
	out := LastVisitReport{AsOf: now.In(s.Location()), UnvisitedAfterDays: s.after.Hours() / 24, Grids: make([]GridLastVisit, 0, len(last))}
	for _, id := range slices.Sorted(maps.Keys(last)) {
		v := last[id]
		g := GridLastVisit{Grid: id, Recorded: v.Recorded, HasOfficers: v.HasOfficers}
		if gr, ok := ix.Grid(id); ok {
			g.Station = gr.StationID
		}
		if !v.At.IsZero() {
			at := v.At.In(s.Location())
			days := max(int(now.Sub(at)/(24*time.Hour)), 0)
			g.LastVisit, g.DaysSinceVisit = &at, &days
		}
		out.Grids = append(out.Grids, g)
	}
	return out, nil
}
