package tileclip

import (
	"math"

	"github.com/paulmach/orb"
)

// Clipper holds the buffers clipping reuses from polygon to polygon, so
// that clipping a tile's polygons allocates nothing once they have grown.
// The zero value is ready to use. A Clipper is not safe for concurrent
// use; give each goroutine its own.
type Clipper struct {
	// Reuse makes Alloc hand out rings from one arena instead of new
	// memory. Set it only when the caller consumes each result before
	// the next clip and calls Reset in between: the arena's rings are
	// overwritten then.
	Reuse bool
	arena []orb.Point

	clipA, clipB []orb.Point // clipRing's two buffers
	outside      []orb.Ring
	pieces       []clipPiece
	events       []clipEvent
	kept         []orb.Ring
	keptArea     []float64
	work         []orb.Ring
	pinch        []int32
	touch        []orb.Point
}

// Alloc returns an empty ring with room for n points: from the arena
// when Reuse is set (valid until the next Reset), else newly allocated.
func (c *Clipper) Alloc(n int) orb.Ring {
	if !c.Reuse {
		return make(orb.Ring, 0, n)
	}
	a := c.arena
	if cap(a)-len(a) < n {
		a = make([]orb.Point, 0, max(2*cap(a), n, 1024))
	}
	c.arena = a[:len(a)+n]
	return a[len(a) : len(a) : len(a)+n]
}

// Reset makes the whole arena free again: every ring Alloc returned
// before may be overwritten by the next.
func (c *Clipper) Reset() { c.arena = c.arena[:0] }

// Ringwise clips a polygon ring by ring (Sutherland–Hodgman, as orb's
// clip.Ring) to box and appends what is left, rounded to whole pixels
// (Round), to mp: the fallback for rings Polygon cannot join, which only
// rings crossing themselves inside box make. rings[0] is the exterior; a
// ring left without area or with its orientation lost (exteriors
// positive, holes negative) is dropped, and with the exterior the whole
// polygon.
func (c *Clipper) Ringwise(mp orb.MultiPolygon, rings []orb.Ring, box orb.Bound) orb.MultiPolygon {
	var poly orb.Polygon
	for k, ring := range rings {
		if !box.Contains(ring.Bound().Min) || !box.Contains(ring.Bound().Max) {
			clipped := clipRing(box, ring, &c.clipA, &c.clipB)
			ring = Round(append(c.Alloc(len(clipped)), clipped...), box)
		}
		if len(ring) < 4 {
			ring = nil
		} else if a := SignedArea(ring); a == 0 || (a > 0) != (k == 0) {
			ring = nil
		}
		if ring == nil {
			if k == 0 {
				return mp
			}
			continue
		}
		poly = append(poly, ring)
	}
	return append(mp, poly)
}

// Round rounds the points clipping added on the clip bound to whole
// pixels and drops repeats and the middle of any three points running
// along one edge of the clip bound: those edges lie in the buffer, outside
// the tile proper, and carry nothing but bytes.
func Round(ring orb.Ring, cb orb.Bound) orb.Ring {
	onEdge := func(a, b, c orb.Point) bool {
		for axis := range 2 {
			for _, v := range [2]float64{cb.Min[axis], cb.Max[axis]} {
				if a[axis] == v && b[axis] == v && c[axis] == v {
					return true
				}
			}
		}
		return false
	}
	out := ring[:0]
	for _, p := range ring {
		q := orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		for len(out) >= 2 && onEdge(out[len(out)-2], out[len(out)-1], q) {
			out = out[:len(out)-1]
		}
		out = append(out, q)
	}
	// The seam: the ring is closed, so its first point may also sit in the
	// middle of a run along an edge.
	for len(out) >= 4 && onEdge(out[len(out)-2], out[0], out[1]) {
		out = out[1:]
		out[len(out)-1] = out[0]
	}
	return out
}

// SignedArea is twice the shoelace area of a closed ring.
func SignedArea(r orb.Ring) float64 {
	s := 0.0
	for k := 0; k+1 < len(r); k++ {
		s += r[k][0]*r[k+1][1] - r[k+1][0]*r[k][1]
	}
	return s
}

// RingContains is the even-odd test of p against a closed ring.
func RingContains(r orb.Ring, p orb.Point) bool {
	inside := false
	for k := 0; k+1 < len(r); k++ {
		a, b := r[k], r[k+1]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < a[0]+(p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
			inside = !inside
		}
	}
	return inside
}
