package plan

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/geo"
)

// Dissolve merges grids into the outline of their union, for drawing a
// station's area or a response ring as one shape. It relies on the
// dataset's rule that neighbouring grids share identical vertices: a
// border segment found in two of the grids is inside the union and
// disappears; everything else is chained into rings. Exterior rings come
// out counter-clockwise and holes clockwise (the GeoJSON right-hand rule),
// each ring closed and simple: where the union touches itself at a vertex,
// parts meeting at a corner are separate polygons and a hole meeting the
// outline is a hole of its own. Collinear vertices where interior
// borders met are kept, so the result shares its vertices with the grids.
// No grids give an empty MultiPolygon.
func Dissolve(grids []*geo.Grid) orb.MultiPolygon {
	type dirEdge struct{ a, b orb.Point }
	var edges []dirEdge
	count := map[segKey]int{}
	for _, g := range grids {
		for _, poly := range g.Geometry {
			for k, ring := range poly {
				// Interior on the left: exteriors counter-clockwise, holes clockwise.
				want := orb.CCW
				if k > 0 {
					want = orb.CW
				}
				reverse := ring.Orientation() != want
				forEachSegment(ring, func(a, b orb.Point) {
					if reverse {
						a, b = b, a
					}
					edges = append(edges, dirEdge{a, b})
					count[keyOf(a, b)]++
				})
			}
		}
	}
	// The boundary of the union: segments that appear once.
	out := map[orb.Point][]int{}
	var kept []dirEdge
	for _, e := range edges {
		if count[keyOf(e.a, e.b)] == 1 {
			out[e.a] = append(out[e.a], len(kept))
			kept = append(kept, e)
		}
	}
	// Trace every face: from each edge, the next is the one leaving its end
	// that turns most to the left, until the first edge comes round again.
	used := make([]bool, len(kept))
	var exteriors, holes []orb.Ring
	for start := range kept {
		if used[start] {
			continue
		}
		ring := orb.Ring{kept[start].a}
		for e := start; ; {
			used[e] = true
			ring = append(ring, kept[e].b)
			next := nextEdge(kept[e].a, kept[e].b, out[kept[e].b], func(i int) orb.Point { return kept[i].b })
			if next == start {
				break
			}
			if next < 0 || used[next] { // broken topology: close the ring where it stops
				ring = append(ring, ring[0])
				break
			}
			e = next
		}
		// Where the union touches itself at a vertex (a hole meeting the
		// outline, two parts meeting at a corner) the face passes the vertex
		// twice; each simple loop is a ring of its own.
		for _, r := range simpleLoops(ring) {
			switch r.Orientation() {
			case orb.CCW:
				exteriors = append(exteriors, r)
			case orb.CW:
				holes = append(holes, r)
			}
		}
	}
	// Deterministic output: larger exteriors first.
	area := func(r orb.Ring) float64 { return math.Abs(planar.Area(r)) }
	slices.SortStableFunc(exteriors, func(a, b orb.Ring) int { return cmp.Compare(area(b), area(a)) })
	mp := make(orb.MultiPolygon, len(exteriors))
	for i, r := range exteriors {
		mp[i] = orb.Polygon{r}
	}
	for _, h := range holes {
		// The smallest exterior around the hole owns it.
		best := -1
		for i, r := range exteriors {
			if r.Bound().Contains(h[0]) && planar.RingContains(r, interiorPointOfHole(h)) && (best < 0 || area(r) < area(exteriors[best])) {
				best = i
			}
		}
		if best >= 0 {
			mp[best] = append(mp[best], h)
		}
	}
	return mp
}

// nextEdge picks, among the edges leaving b, the one that turns most to
// the left coming from a, so the traced ring hugs the interior (on the
// left) and a vertex where the union touches itself splits the rings
// instead of joining them. It returns -1 when no edge leaves b.
func nextEdge(a, b orb.Point, candidates []int, end func(int) orb.Point) int {
	best, bestTurn := -1, 0.0
	in := math.Atan2(b[1]-a[1], b[0]-a[0])
	for _, e := range candidates {
		c := end(e)
		turn := math.Atan2(c[1]-b[1], c[0]-b[0]) - in
		for turn <= -math.Pi {
			turn += 2 * math.Pi
		}
		for turn > math.Pi {
			turn -= 2 * math.Pi
		}
		if best < 0 || turn > bestTurn {
			best, bestTurn = e, turn
		}
	}
	return best
}

// simpleLoops cuts a closed ring that passes some vertex more than once
// into closed loops that pass each vertex once.
func simpleLoops(ring orb.Ring) []orb.Ring {
	var out []orb.Ring
	at := map[orb.Point]int{} // vertex -> its position on the path
	var path []orb.Point
	for _, p := range ring {
		i, seen := at[p]
		if !seen {
			at[p] = len(path)
			path = append(path, p)
			continue
		}
		if loop := append(slices.Clone(path[i:]), p); len(loop) >= 4 {
			out = append(out, orb.Ring(loop))
		}
		for _, q := range path[i+1:] {
			delete(at, q)
		}
		path = path[:i+1]
	}
	return out
}

// interiorPointOfHole is a point just inside the hole's first edge on the
// side away from the hole (the hole is clockwise, so its interior, i.e.
// the surrounding polygon, is on the left): it lies in the exterior ring
// that owns the hole even where the hole touches that ring at a vertex.
func interiorPointOfHole(h orb.Ring) orb.Point {
	a, b := h[0], h[1]
	mid := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
	dx, dy := b[0]-a[0], b[1]-a[1]
	n := math.Hypot(dx, dy)
	if n == 0 {
		return mid
	}
	const eps = 1e-9 // degrees, ~0.1 mm
	return orb.Point{mid[0] - dy/n*eps, mid[1] + dx/n*eps}
}

// StationOutlines dissolves each station's police grids under d into the
// outline of its area, keyed by station id; a station without grids has
// none. For drawing today's and a proposed plan side by side.
func (m *Model) StationOutlines(d Deployment) (map[string]orb.MultiPolygon, error) {
	p, err := m.resolve(d)
	if err != nil {
		return nil, err
	}
	byStation := make([][]*geo.Grid, len(m.stations))
	for u, s := range p.station {
		byStation[s] = append(byStation[s], m.units[u])
	}
	out := make(map[string]orb.MultiPolygon, len(m.stations))
	for s, grids := range byStation {
		if len(grids) > 0 {
			out[m.stations[s].ID] = Dissolve(grids)
		}
	}
	return out, nil
}
