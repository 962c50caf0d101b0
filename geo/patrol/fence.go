package patrol

import (
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// DefaultFenceKinds are the area kinds whose borders raise OverlayEnter
// and OverlayLeave when Options.FenceKinds is nil: the places the bureau
// must know an officer is in (a drinking-water protection zone, a works
// site). Parks and scenic areas are crossed all day by ordinary patrols,
// so their events would bury the ones that matter.
var DefaultFenceKinds = []geo.AreaKind{geo.AreaWaterProtection, geo.AreaWorks}

// fence is one special area whose border raises events.
type fence struct {
	area  *geo.Area
	prep  *geo.Prepared
	bound orb.Bound
}

// fences holds the fenced areas of a dataset, ordered by id so events of
// one ping come in a stable order.
type fences struct {
	list  []fence
	bound orb.Bound // of every fence; empty list: never tested
}

// newFences collects ix's areas of the given kinds.
func newFences(ix *geo.Index, kinds []geo.AreaKind) fences {
	var f fences
	areas := ix.Areas()
	for i := range areas {
		a := &areas[i]
		if !slices.Contains(kinds, a.Kind) || len(a.Geometry) == 0 {
			continue
		}
		p := geo.Prepare(a.Geometry)
		f.list = append(f.list, fence{area: a, prep: p, bound: p.Bound()})
	}
	slices.SortFunc(f.list, func(a, b fence) int { return strings.Compare(a.area.ID, b.area.ID) })
	for i, fc := range f.list {
		if i == 0 {
			f.bound = fc.bound
		} else {
			f.bound = f.bound.Union(fc.bound)
		}
	}
	return f
}

// inside reports whether the ping p lies in fence fc: inside its polygon
// (the half-open rule of geo.Prepared) while the area is in force. The
// bounding box goes first: most pings are far from every fence.
func (fc *fence) inside(p geo.Ping) bool {
	return fc.bound.Contains(p.Location) && fc.area.In(p.At) && fc.prep.Contains(p.Location)
}

// step appends the OverlayLeave events of the fences prev was in and p is
// not, then the OverlayEnter events of those p is in and prev was not.
// prev is the officer's previous position, zero (At zero) for none. A
// fence that ended (its validity) between the two is left; one that
// began is entered. It allocates only when events must grow.
func (f *fences) step(r *Rules, prev, p geo.Ping, events []Event) []Event {
	if len(f.list) == 0 {
		return events
	}
	seen := !prev.At.IsZero()
	if !f.bound.Contains(p.Location) && (!seen || !f.bound.Contains(prev.Location)) {
		return events
	}
	// Crossings are rare: find the first before building any event.
	first := -1
	for i := range f.list {
		if fc := &f.list[i]; (seen && fc.inside(prev)) != fc.inside(p) {
			first = i
			break
		}
	}
	if first < 0 {
		return events
	}
	for _, kind := range [2]EventKind{OverlayLeave, OverlayEnter} {
		for i := first; i < len(f.list); i++ {
			fc := &f.list[i]
			was, is := seen && fc.inside(prev), fc.inside(p)
			if was == is || (kind == OverlayLeave) != was {
				continue
			}
			e := r.event(kind, p.OfficerID, p.At, p.Location, p.GridID)
			e.AreaID, e.AreaName = fc.area.ID, fc.area.Name
			events = append(events, e)
		}
	}
	return events
}
