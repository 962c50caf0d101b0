package patrol

import (
	"errors"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// ErrUnknownOfficer is returned for an officer id that names no police
// member (community officer or auxiliary officer) of the dataset.
var ErrUnknownOfficer = errors.New("patrol: unknown officer")

// Options tune Rules.
type Options struct {
	// SilentAfter is how long an officer may go without reporting before a
	// Silent event; 0 or less never declares anyone silent.
	SilentAfter time.Duration
	// FenceKinds are the kinds of special area whose borders raise
	// OverlayEnter and OverlayLeave events; nil means DefaultFenceKinds,
	// an empty non-nil list none. Every server sharing a store must use
	// the same list, or they would derive different events.
	FenceKinds []geo.AreaKind
}

// Rules are the geofence rules of one dataset: who patrols, which grids
// are each officer's area, and when an officer counts as silent. Rules are
// immutable and safe for concurrent use; a new dataset gets new Rules.
type Rules struct {
	ix          *geo.Index
	silentAfter time.Duration
	officers    map[string]*officer
	fences      fences
}

// officer is one police member and the grids of their assigned area.
type officer struct {
	member *geo.Member
	// area holds the ids of every grid inside the officer's area: their
	// own grids and the community grids of their police grids. It is nil
	// for an officer without grids, whose area is their station's.
	area map[string]bool
}

// NewRules derives the rules of ix: every community officer and auxiliary
// officer patrols; the area of each is their grids (a police grid brings
// its community grids), or their station's grids when they have none.
func NewRules(ix *geo.Index, opts Options) *Rules {
	kinds := opts.FenceKinds
	if kinds == nil {
		kinds = DefaultFenceKinds
	}
	r := &Rules{ix: ix, silentAfter: opts.SilentAfter, officers: map[string]*officer{}, fences: newFences(ix, kinds)}
	ds := ix.Dataset()
	for i := range ds.Members {
		m := &ds.Members[i]
		if !m.Role.IsPolice() {
			continue
		}
		o := &officer{member: m}
		if len(m.GridIDs) > 0 {
			o.area = map[string]bool{}
			for _, id := range m.GridIDs {
				o.area[id] = true
				for _, c := range ix.Children(id) {
					o.area[c.ID] = true
				}
			}
		}
		r.officers[m.ID] = o
	}
	return r
}

// Index returns the index the rules were derived from.
func (r *Rules) Index() *geo.Index { return r.ix }

// SilentAfter returns the silence threshold; 0 means never.
func (r *Rules) SilentAfter() time.Duration { return max(r.silentAfter, 0) }

// Officer returns the police member with the given id, or
// ErrUnknownOfficer (wrapped, with a reason a person can act on) when the
// id names nobody or someone who does not patrol.
func (r *Rules) Officer(id string) (*geo.Member, error) {
	if o, ok := r.officers[id]; ok {
		return o.member, nil
	}
	if m, ok := r.ix.Member(id); ok {
		return nil, fmt.Errorf("%w: %s (%s) is a %s; only community officers and auxiliary officers report patrol positions", ErrUnknownOfficer, id, m.Name, m.Role.LabelEN())
	}
	return nil, fmt.Errorf("%w: no member of the dataset has id %q", ErrUnknownOfficer, id)
}

// Officers returns the number of officers who patrol.
func (r *Rules) Officers() int { return len(r.officers) }

// InArea reports whether the grid gridID (community or police) lies in the
// assigned area of the officer. Outside every grid (gridID "") is outside
// every area; an unknown officer has no area.
func (r *Rules) InArea(officerID, gridID string) bool {
	o, ok := r.officers[officerID]
	if !ok || gridID == "" {
		return false
	}
	if o.area != nil {
		return o.area[gridID]
	}
	g, ok := r.ix.Grid(gridID)
	return ok && g.StationID == o.member.StationID
}

// Step applies one ping of st's officer to st and returns the new state,
// with the events it causes appended to events. A ping no later than the
// state's latest position (a late or repeated report) is history only: st
// comes back unchanged, with no events, and changed false. p.GridID must
// hold the ping's grid (see Attribute).
//
// For one ping the events come in the order Resumed, GridLeave, GridEnter,
// AreaLeave or AreaReturn, then OverlayLeave and OverlayEnter (each by
// area id).
func (r *Rules) Step(st State, p geo.Ping, events []Event) (next State, out []Event, changed bool) {
	if st.Seen() && !p.At.After(st.Last.At) {
		return st, events, false
	}
	in := r.InArea(p.OfficerID, p.GridID)
	ev := func(kind EventKind, gridID string) {
		events = append(events, r.event(kind, p.OfficerID, p.At, p.Location, gridID))
	}
	if st.Silent {
		ev(Resumed, p.GridID)
	}
	if prev := st.Last.GridID; !st.Seen() || prev != p.GridID {
		if st.Seen() && prev != "" {
			ev(GridLeave, prev)
		}
		if p.GridID != "" {
			ev(GridEnter, p.GridID)
		}
	}
	switch {
	case !in && (st.InArea || !st.Seen()):
		ev(AreaLeave, p.GridID)
	case in && !st.InArea && st.Seen():
		ev(AreaReturn, p.GridID)
	}
	events = r.fences.step(r, st.Last, p, events)
	next = State{Officer: p.OfficerID, Version: st.Version, Last: p, InArea: in}
	return next, events, true
}

// Sweep checks st against the silence threshold at now: an officer seen
// before, not yet silent, whose latest position is SilentAfter or more
// older than now becomes silent, and the Silent event is returned. Any
// other state comes back unchanged with ok false.
func (r *Rules) Sweep(st State, now time.Time) (next State, ev Event, ok bool) {
	if r.silentAfter <= 0 || !st.Seen() || st.Silent || now.Sub(st.Last.At) < r.silentAfter {
		return st, Event{}, false
	}
	st.Silent = true
	return st, r.event(Silent, st.Officer, st.Last.At.Add(r.silentAfter), st.Last.Location, st.Last.GridID), true
}

// SilentCutoff returns the latest position time that makes an officer
// silent at now: Sweep declares silent exactly the states seen no later
// than it. It is the zero time when silence is off.
func (r *Rules) SilentCutoff(now time.Time) time.Time {
	if r.silentAfter <= 0 {
		return time.Time{}
	}
	return now.Add(-r.silentAfter)
}

// event builds an event with the grid's police grid and station.
func (r *Rules) event(kind EventKind, officerID string, at time.Time, loc orb.Point, gridID string) Event {
	e := Event{Kind: kind, Officer: officerID, At: at, Location: loc, GridID: gridID}
	if g, ok := r.ix.Grid(gridID); ok {
		e.StationID = g.StationID
		e.PoliceGridID = g.ID
		if g.Level == geo.CommunityLevel {
			e.PoliceGridID = g.ParentID
		}
	}
	return e
}

// Attribute sets the GridID of every ping to the finest grid holding its
// location (its community grid, else its police grid), or "" outside every
// grid, and returns how many fell outside. Locations must be in the index's
// datum. It does not allocate.
func Attribute(ix *geo.Index, pings []geo.Ping) (outside int) {
	for i := range pings {
		pings[i].GridID = GridAt(ix, pings[i].Location)
		if pings[i].GridID == "" {
			outside++
		}
	}
	return outside
}

// GridAt returns the id of the finest grid holding pt, or "".
func GridAt(ix *geo.Index, pt orb.Point) string {
	h := ix.Lookup(pt)
	switch {
	case h.Community != nil:
		return h.Community.ID
	case h.Police != nil:
		return h.Police.ID
	}
	return ""
}
