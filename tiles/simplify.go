package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/simplify"

	"jingge/geo/topo"
)

// zoomArcs holds every arc of a topology simplified and quantised for one
// zoom, in global pixel coordinates: world units × 2^z × extent, rounded to
// whole numbers. A tile's pixel coordinates are these minus the tile's
// origin (x·extent, y·extent), an exact integer shift, so every tile at the
// zoom sees the same vertices.
type zoomArcs struct {
	z     int
	arcs  [][]orb.Point
	bound []orb.Bound
	// Repair statistics: rounds of re-simplification run, arcs
	// re-simplified, and crossings left when the rounds ran out (possible
	// only where quantisation alone makes borders touch, far below a
	// pixel's worth of shape).
	rounds, resimplified, crossingsLeft int
}

// repairTolerances are the tolerances, as fractions of the zoom's
// tolerance, that arcs involved in crossings fall back to, round by round;
// the last is no simplification at all.
var repairTolerances = []float64{1.0 / 4, 1.0 / 16, 0}

// crossingLimit caps how many crossings one check reports; arcs left
// unreported are caught by the next round.
const crossingLimit = 100000

// buildZoom simplifies every arc once for zoom z with tolerance (in pixels
// of the extent), then re-simplifies arcs involved in crossings at smaller
// tolerances until none cross or no simplification is left to undo.
func (t *topology) buildZoom(z int, extent float64, tolerance float64) *zoomArcs {
	scale := extent * math.Exp2(float64(z))
	za := &zoomArcs{z: z, arcs: make([][]orb.Point, len(t.arcs)), bound: make([]orb.Bound, len(t.arcs))}
	tol := make([]float64, len(t.arcs))
	for i := range t.arcs {
		tol[i] = tolerance
		za.arcs[i] = simplifyArc(&t.arcs[i], scale, tolerance)
	}
	for round := 0; ; round++ {
		crossings := topo.Crossings(za.segments(t), true, crossingLimit)
		if len(crossings) == 0 {
			break
		}
		if round >= len(repairTolerances) {
			za.crossingsLeft = len(crossings)
			break
		}
		za.rounds++
		redo := map[int]bool{}
		for _, c := range crossings {
			redo[c.S.Line] = true
			redo[c.T.Line] = true
		}
		for i := range redo {
			if tol[i] == 0 {
				continue
			}
			tol[i] = tolerance * repairTolerances[round]
			za.arcs[i] = simplifyArc(&t.arcs[i], scale, tol[i])
			za.resimplified++
		}
	}
	for i, pts := range za.arcs {
		za.bound[i] = orb.LineString(pts).Bound()
	}
	return za
}

// segments cuts the zoom's arcs into segments for topo.Crossings; a closed
// arc's last and first segments meet at its seam. A closed arc that
// quantisation folded into a spike (fewer than four points) encloses
// nothing and is drawn by no ring, so it is left out.
func (za *zoomArcs) segments(t *topology) []topo.Segment {
	arcs := za.arcs
	if t.overlays {
		arcs = arcs[:t.partitionArcs]
	}
	segs := topo.LinesOf(arcs, false)
	out := segs[:0]
	for _, sg := range segs {
		if t.arcs[sg.Line].closed {
			if len(za.arcs[sg.Line]) < 4 {
				continue
			}
			sg.Closed = true
		}
		out = append(out, sg)
	}
	return out
}

// simplifyArc returns the arc in global pixel coordinates at scale,
// simplified by Douglas–Peucker with tolerance (endpoints kept, at least
// the arc's minimum of interior points), rounded to whole pixels, without
// consecutive repeats. A closed arc stays closed.
func simplifyArc(a *arc, scale, tolerance float64) []orb.Point {
	pts := make(orb.LineString, len(a.world))
	for k, p := range a.world {
		pts[k] = orb.Point{p[0] * scale, p[1] * scale}
	}
	if tolerance > 0 && len(pts) > 2 {
		full := pts.Clone()
		pts = simplify.DouglasPeucker(tolerance).LineString(pts)
		if len(pts)-2 < a.minInterior {
			pts = keepFarthest(full, a.minInterior)
		}
	}
	out := pts[:0]
	for _, p := range pts {
		q := orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		// Rounding can line a point up exactly between its neighbours;
		// it then carries no shape (a closed arc keeps its minimum).
		if n := len(out); n >= 2 && between(out[n-2], out[n-1], q) && (!a.closed || n > 3) {
			out[n-1] = q
			continue
		}
		out = append(out, q)
	}
	return out
}

// between reports whether b lies on the segment from a to c, strictly
// inside it.
func between(a, b, c orb.Point) bool {
	if (b[0]-a[0])*(c[1]-a[1]) != (b[1]-a[1])*(c[0]-a[0]) {
		return false
	}
	return (b[0]-a[0])*(c[0]-b[0])+(b[1]-a[1])*(c[1]-b[1]) > 0
}

// keepFarthest simplifies ls to its endpoints plus the interior points that
// lie farthest from the line kept so far, one at a time, until n interior
// points are kept (or all of them).
func keepFarthest(ls orb.LineString, n int) orb.LineString {
	keep := make([]bool, len(ls))
	keep[0], keep[len(ls)-1] = true, true
	for range min(n, len(ls)-2) {
		best, bestD := -1, -1.0
		prev := 0
		for k := 1; k < len(ls); k++ {
			if !keep[k] {
				continue
			}
			for m := prev + 1; m < k; m++ {
				if d := planar.DistanceFromSegmentSquared(ls[prev], ls[k], ls[m]); d > bestD {
					best, bestD = m, d
				}
			}
			prev = k
		}
		if best < 0 {
			break
		}
		keep[best] = true
	}
	out := ls[:0]
	for k, p := range ls {
		if keep[k] {
			out = append(out, p)
		}
	}
	return out
}
