package patrol

import (
	"time"

	"github.com/paulmach/orb/planar"

	"jingge/geo"
)

// Unvisited decides whether police grid gridID is due a GridUnvisited
// event at now: its own officers' last visit (a stay that counts as one,
// or a recorded visit) was at lastVisit, zero when none is known, and
// that is after or more before now. raisedAt is the time of the grid's
// previous GridUnvisited event, zero when it never had one: the grid is
// raised again only after a visit later than that event, so one long
// absence is one event, and a reader that knows less of the past (a
// server that looked back less far) cannot raise it a second time.
//
// The event's time is lastVisit + after, which does not depend on when
// the absence was noticed; with no visit known, it is now. Its Officer is
// empty (a grid has several officers, or none), its grid and police grid
// are gridID, and its location is the grid's centroid. A grid the index
// does not hold as a police grid, or after ≤ 0, is never due.
func (r *Rules) Unvisited(gridID string, lastVisit, raisedAt, now time.Time, after time.Duration) (Event, bool) {
	g, ok := r.ix.Grid(gridID)
	switch {
	case after <= 0, !ok, g.Level != geo.PoliceLevel,
		!lastVisit.IsZero() && now.Sub(lastVisit) < after,
		!raisedAt.IsZero() && !lastVisit.After(raisedAt):
		return Event{}, false
	}
	at := now
	if !lastVisit.IsZero() {
		at = lastVisit.Add(after)
	}
	loc, _ := planar.CentroidArea(g.Geometry)
	return r.event(GridUnvisited, "", at, loc, g.ID), true
}
