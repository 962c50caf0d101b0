package lantian

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"

	"jingge/geo"
	"jingge/geo/topo"
)

// Smoothing parameters, in cells: two rounds of Chaikin corner cutting turn
// the lattice staircase into curves, then Douglas–Peucker drops the points
// that no longer carry shape.
const (
	chaikinRounds       = 2
	simplifyCells       = 0.2
	coordinateDecimals  = 1e7 // the precision datafile writes
	minArcPointsForTrim = 3
)

// topology traces regions of a labelled raster into polygons whose shared
// borders are identical. Borders are cut into arcs at the junctions of the
// finest labelling (lattice vertices where three or more labels meet); each
// arc is smoothed once and used, reversed, by the region on its other side.
// Coarser labellings (police grids, townships, the county) are unions of the
// finest regions, so their borders are chains of the same arcs.
type topology struct {
	r        *raster
	fine     []int
	junction []bool // by lattice vertex
	arcs     map[[2]int][]orb.Point
	project  func(orb.Point) orb.Point // lattice-unit point -> output coordinates
}

func (r *raster) vid(i, j int) int     { return j*(r.w+1) + i }
func (r *raster) vij(v int) (int, int) { return v % (r.w + 1), v / (r.w + 1) }

func newTopology(r *raster, fine []int, project func(orb.Point) orb.Point) *topology {
	t := &topology{r: r, fine: fine, arcs: map[[2]int][]orb.Point{}, project: project}
	t.junction = make([]bool, (r.w+1)*(r.h+1))
	lab := func(i, j int) int {
		if i < 0 || j < 0 || i >= r.w || j >= r.h {
			return outside
		}
		return fine[j*r.w+i]
	}
	for j := 0; j <= r.h; j++ {
		for i := 0; i <= r.w; i++ {
			ls := [4]int{lab(i-1, j-1), lab(i, j-1), lab(i-1, j), lab(i, j)}
			distinct := 0
			for k := range ls {
				if !slices.Contains(ls[:k], ls[k]) {
					distinct++
				}
			}
			t.junction[r.vid(i, j)] = distinct >= 3
		}
	}
	return t
}

// regions traces every region of a labelling (label(fine label) -> region,
// regions numbered 0..n-1) and returns each region's polygon(s), exteriors
// counter-clockwise and holes clockwise as RFC 7946 asks.
func (t *topology) regions(n int, label func(fine int) int) ([]orb.MultiPolygon, error) {
	r := t.r
	next := make([]map[int]int, n)
	for k := range next {
		next[k] = map[int]int{}
	}
	lab := func(i, j int) int {
		if i < 0 || j < 0 || i >= r.w || j >= r.h || t.fine[j*r.w+i] == outside {
			return outside
		}
		return label(t.fine[j*r.w+i])
	}
	add := func(l, from, to int) error {
		if _, dup := next[l][from]; dup {
			return fmt.Errorf("lantian: region %d touches itself at lattice vertex %d", l, from)
		}
		next[l][from] = to
		return nil
	}
	for j := 0; j < r.h; j++ {
		for i := 0; i < r.w; i++ {
			l := lab(i, j)
			if l == outside {
				continue
			}
			var err error
			if lab(i, j-1) != l {
				err = add(l, r.vid(i, j), r.vid(i+1, j))
			}
			if err == nil && lab(i+1, j) != l {
				err = add(l, r.vid(i+1, j), r.vid(i+1, j+1))
			}
			if err == nil && lab(i, j+1) != l {
				err = add(l, r.vid(i+1, j+1), r.vid(i, j+1))
			}
			if err == nil && lab(i-1, j) != l {
				err = add(l, r.vid(i, j+1), r.vid(i, j))
			}
			if err != nil {
				return nil, err
			}
		}
	}
	out := make([]orb.MultiPolygon, n)
	for l := range n {
		var rings []orb.Ring
		starts := make([]int, 0, len(next[l]))
		for v := range next[l] {
			starts = append(starts, v)
		}
		slices.Sort(starts)
		used := map[int]bool{}
		for _, s := range starts {
			if used[s] {
				continue
			}
			var loop []int
			for v := s; !used[v]; v = next[l][v] {
				used[v] = true
				loop = append(loop, v)
			}
			rings = append(rings, t.smoothRing(loop))
		}
		mp, err := assemble(rings)
		if err != nil {
			return nil, fmt.Errorf("lantian: region %d: %w", l, err)
		}
		out[l] = mp
	}
	return out, nil
}

// smoothRing turns a closed lattice loop into a ring made of cached arcs.
func (t *topology) smoothRing(loop []int) orb.Ring {
	first := slices.IndexFunc(loop, func(v int) bool { return t.junction[v] })
	if first < 0 {
		return t.closedArc(loop)
	}
	rot := append(slices.Clone(loop[first:]), loop[:first]...)
	rot = append(rot, rot[0])
	var ring orb.Ring
	start := 0
	for k := 1; k < len(rot); k++ {
		if !t.junction[rot[k]] {
			continue
		}
		pts := t.openArc(rot[start : k+1])
		if len(ring) > 0 {
			pts = pts[1:]
		}
		ring = append(ring, pts...)
		start = k
	}
	return ring // closed: the last arc ends where the first began
}

// openArc returns the smoothed points of the arc through vertices vs,
// in the order of vs, computing it once for both of its sides.
func (t *topology) openArc(vs []int) []orb.Point {
	k := len(vs) - 1
	forward := vs[0] < vs[k] || (vs[0] == vs[k] && vs[1] < vs[k-1])
	canon := vs
	if !forward {
		canon = slices.Clone(vs)
		slices.Reverse(canon)
	}
	key := [2]int{canon[0], canon[1]}
	pts, ok := t.arcs[key]
	if !ok {
		pts = t.smooth(canon, false)
		t.arcs[key] = pts
	}
	if forward {
		return slices.Clone(pts)
	}
	rev := slices.Clone(pts)
	slices.Reverse(rev)
	return rev
}

// closedArc smooths a loop with no junction (a region inside another).
func (t *topology) closedArc(loop []int) orb.Ring {
	m := slices.Index(loop, slices.Min(loop))
	n := len(loop)
	forward := loop[(m+1)%n] < loop[(m-1+n)%n]
	canon := make([]int, n)
	for k := range n {
		if forward {
			canon[k] = loop[(m+k)%n]
		} else {
			canon[k] = loop[(m-k+n)%n]
		}
	}
	key := [2]int{canon[0], canon[1]}
	pts, ok := t.arcs[key]
	if !ok {
		pts = t.smooth(canon, true)
		t.arcs[key] = pts
	}
	ring := orb.Ring(slices.Clone(pts))
	if !forward {
		slices.Reverse(ring)
	}
	return ring
}

// smooth runs Chaikin corner cutting (endpoints fixed unless closed) and
// Douglas–Peucker on lattice vertices, then projects and rounds the result.
func (t *topology) smooth(vs []int, closed bool) []orb.Point {
	pts := make([]orb.Point, len(vs))
	for k, v := range vs {
		i, j := t.r.vij(v)
		pts[k] = orb.Point{float64(i), float64(j)}
	}
	for range chaikinRounds {
		pts = chaikin(pts, closed)
	}
	if closed {
		ring := simplify.DouglasPeucker(simplifyCells).Ring(append(orb.Ring(pts), pts[0]))
		pts = []orb.Point(ring)
	} else {
		pts = []orb.Point(simplify.DouglasPeucker(simplifyCells).LineString(orb.LineString(pts)))
	}
	for k := range pts {
		p := t.project(pts[k])
		pts[k] = orb.Point{math.Round(p[0]*coordinateDecimals) / coordinateDecimals, math.Round(p[1]*coordinateDecimals) / coordinateDecimals}
	}
	return pts
}

// chaikin cuts every corner at 1/4 and 3/4 of its edges. An open line keeps
// its endpoints; a closed one (given without repeating its first point)
// stays closed.
func chaikin(pts []orb.Point, closed bool) []orb.Point {
	n := len(pts)
	if n < 3 {
		return pts
	}
	out := make([]orb.Point, 0, 2*n+2)
	lerp := func(a, b orb.Point, f float64) orb.Point {
		return orb.Point{a[0] + (b[0]-a[0])*f, a[1] + (b[1]-a[1])*f}
	}
	segs := n - 1
	if closed {
		segs = n
	} else {
		out = append(out, pts[0])
	}
	for k := range segs {
		a, b := pts[k], pts[(k+1)%n]
		if closed || k > 0 {
			out = append(out, lerp(a, b, 0.25))
		}
		if closed || k < segs-1 {
			out = append(out, lerp(a, b, 0.75))
		}
	}
	if !closed {
		out = append(out, pts[n-1])
	}
	return out
}

// assemble groups rings into polygons: counter-clockwise rings are
// exteriors, clockwise rings holes of the exterior that contains them.
func assemble(rings []orb.Ring) (orb.MultiPolygon, error) {
	var mp orb.MultiPolygon
	var holes []orb.Ring
	for _, ring := range rings {
		if ring[0] != ring[len(ring)-1] {
			ring = append(ring, ring[0])
		}
		if len(ring) < 4 {
			return nil, fmt.Errorf("ring of %d points after smoothing", len(ring))
		}
		if topo.SignedArea(ring) > 0 {
			mp = append(mp, orb.Polygon{ring})
		} else {
			holes = append(holes, ring)
		}
	}
	if len(mp) == 0 {
		return nil, fmt.Errorf("no exterior ring")
	}
	for _, h := range holes {
		placed := false
		for k := range mp {
			if ringContainsRing(mp[k][0], h) {
				mp[k] = append(mp[k], h)
				placed = true
				break
			}
		}
		if !placed {
			return nil, fmt.Errorf("a hole lies in no exterior")
		}
	}
	return mp, nil
}

// ringContainsRing reports whether hole lies inside ext; the first hole
// point not on ext decides (the two share no crossing, checked elsewhere).
func ringContainsRing(ext, hole orb.Ring) bool {
	p := geo.Prepare(orb.MultiPolygon{{ext}})
	for _, pt := range hole {
		if !slices.Contains(ext, pt) {
			return p.Contains(pt)
		}
	}
	return false
}
