package tiles

import (
	"github.com/paulmach/orb"
)

// arc is a piece of border between two junctions, or a whole ring that has
// no junction (a closed arc). It is stored once, in a canonical orientation,
// and referenced by every ring that runs along it, in either direction.
type arc struct {
	world []orb.Point // Web Mercator world units (0..1, y down), canonical orientation
	key   arcKey      // its first segment, in the dataset's own coordinates
	// closed marks a ring without junctions; its first and last points are
	// equal.
	closed bool
	// minInterior is the number of interior points every simplification
	// keeps, so that a ring made of one or two arcs never collapses to a
	// line while it still has an area worth drawing.
	minInterior int
	// cross is the arc's part of the shoelace sum (relative to topology.origin)
	// in canonical orientation; a ring's signed area is the signed sum of
	// its arcs' parts.
	cross float64
}

// arcKey identifies an arc across datasets: the first two points of the
// arc in canonical orientation, in the dataset's coordinates. Two arcs
// between junctions that start with the same segment are the same arc.
type arcKey [2]orb.Point

// ref is a signed reference to an arc: its index plus one, negative when the
// ring runs along the arc against its canonical orientation.
type ref int32

func (r ref) index() int { return int(max(r, -r)) - 1 }

// chain is a closed ring given as the arcs it runs along, in order.
type chain []ref

// polyChains is one polygon: its exterior chain, then its holes. In world
// units (y down) exteriors have positive shoelace area and holes negative,
// which is what MVT asks of tile coordinates.
type polyChains []chain

// topology is the set of arcs every feature of a Source is assembled from.
type topology struct {
	arcs     []arc
	keys     map[arcKey]int32
	junction map[orb.Point]bool
	project  func(orb.Point) orb.Point // dataset coordinates -> world units
	origin   orb.Point                 // world point the shoelace sums are taken about
	// partitionArcs is the number of arcs of the grids, which come first;
	// the arcs after them outline special areas, which overlap the grids
	// by design and so take no part in the crossing repair.
	partitionArcs int
	overlays      bool
}

// less orders points by x, then y.
func less(a, b orb.Point) bool {
	return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1])
}

// cleanRing returns the distinct vertices of a ring in order: consecutive
// repeats and the closing point removed. A ring of fewer than three
// distinct vertices encloses nothing and yields nil.
func cleanRing(r orb.Ring) []orb.Point {
	out := make([]orb.Point, 0, len(r))
	for _, p := range r {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	if len(out) < 3 {
		return nil
	}
	return out
}

// neighbours collects up to three distinct neighbouring vertices of a vertex.
type neighbours struct {
	n int8
	p [3]orb.Point
}

func (nb *neighbours) add(p orb.Point) {
	for i := int8(0); i < nb.n; i++ {
		if nb.p[i] == p {
			return
		}
	}
	if nb.n < 3 {
		nb.p[nb.n] = p
		nb.n++
	}
}

// findJunctions marks every vertex that has three or more distinct
// neighbouring vertices across all rings through it: where three grids
// meet, where a border leaves the county outline, or where a ring touches
// itself. Rings are given cleaned (see cleanRing).
func findJunctions(rings [][]orb.Point) map[orb.Point]bool {
	total := 0
	for _, r := range rings {
		total += len(r)
	}
	nbs := make(map[orb.Point]neighbours, total)
	for _, r := range rings {
		n := len(r)
		for k, v := range r {
			nb := nbs[v]
			nb.add(r[(k+n-1)%n])
			nb.add(r[(k+1)%n])
			nbs[v] = nb
		}
	}
	junction := map[orb.Point]bool{}
	for v, nb := range nbs {
		if nb.n >= 3 {
			junction[v] = true
		}
	}
	return junction
}

func newTopology(rings [][]orb.Point, project func(orb.Point) orb.Point) *topology {
	t := &topology{keys: map[arcKey]int32{}, junction: findJunctions(rings), project: project}
	for _, r := range rings {
		if len(r) > 0 {
			t.origin = project(r[0])
			break
		}
	}
	return t
}

// addRing cuts a cleaned ring into arcs at its junctions, storing arcs not
// seen before, and returns the ring as a chain in the ring's own direction.
func (t *topology) addRing(r []orb.Point) chain {
	n := len(r)
	first := -1
	for k, p := range r {
		if t.junction[p] {
			first = k
			break
		}
	}
	if first < 0 {
		return chain{t.addClosed(r)}
	}
	var c chain
	start := first
	for step := 1; step <= n; step++ {
		k := (first + step) % n
		if !t.junction[r[k]] {
			continue
		}
		piece := make([]orb.Point, 0, (k-start+n)%n+2)
		for i := start; ; i = (i + 1) % n {
			piece = append(piece, r[i])
			if i == k && len(piece) > 1 {
				break
			}
		}
		c = append(c, t.addOpen(piece))
		start = k
	}
	return c
}

// addOpen stores the arc through pts (junction to junction) once and
// returns a reference in the direction of pts.
func (t *topology) addOpen(pts []orb.Point) ref {
	n := len(pts) - 1
	forward := true
	switch {
	case pts[0] != pts[n]:
		forward = less(pts[0], pts[n])
	case n >= 2 && pts[1] != pts[n-1]:
		forward = less(pts[1], pts[n-1])
	}
	key := arcKey{pts[0], pts[1]}
	if !forward {
		key = arcKey{pts[n], pts[n-1]}
	}
	i, ok := t.keys[key]
	if !ok {
		world := make([]orb.Point, len(pts))
		for k, p := range pts {
			if forward {
				world[k] = t.project(p)
			} else {
				world[n-k] = t.project(p)
			}
		}
		i = t.store(arc{world: world, key: key})
	}
	if forward {
		return ref(i + 1)
	}
	return -ref(i + 1)
}

// addClosed stores a ring without junctions as a closed arc, starting at
// its least vertex and heading to the lesser of that vertex's neighbours.
func (t *topology) addClosed(r []orb.Point) ref {
	n := len(r)
	m := 0
	for k := range r {
		if less(r[k], r[m]) {
			m = k
		}
	}
	forward := !less(r[(m+n-1)%n], r[(m+1)%n])
	key := arcKey{r[m], r[(m+1)%n]}
	if !forward {
		key = arcKey{r[m], r[(m+n-1)%n]}
	}
	i, ok := t.keys[key]
	if !ok {
		world := make([]orb.Point, n+1)
		for k := range n {
			idx := (m + k) % n
			if !forward {
				idx = (m - k + n) % n
			}
			world[k] = t.project(r[idx])
		}
		world[n] = world[0]
		i = t.store(arc{world: world, key: key, closed: true, minInterior: 2})
	}
	if forward {
		return ref(i + 1)
	}
	return -ref(i + 1)
}

func (t *topology) store(a arc) int32 {
	for k := 0; k+1 < len(a.world); k++ {
		p, q := a.world[k], a.world[k+1]
		a.cross += (p[0]-t.origin[0])*(q[1]-t.origin[1]) - (q[0]-t.origin[0])*(p[1]-t.origin[1])
	}
	i := int32(len(t.arcs))
	t.arcs = append(t.arcs, a)
	t.keys[a.key] = i
	return i
}

// area is the signed shoelace area of a chain in world units (twice the
// area, which is all a sign test needs).
func (t *topology) area(c chain) float64 {
	s := 0.0
	for _, r := range c {
		if r > 0 {
			s += t.arcs[r.index()].cross
		} else {
			s -= t.arcs[r.index()].cross
		}
	}
	return s
}

// reverse returns c run the other way.
func reverse(c chain) chain {
	out := make(chain, len(c))
	for k, r := range c {
		out[len(c)-1-k] = -r
	}
	return out
}

// orient returns c with positive area when exterior is true, negative
// otherwise.
func (t *topology) orient(c chain, exterior bool) chain {
	if (t.area(c) > 0) != exterior {
		return reverse(c)
	}
	return c
}

// requireInterior raises the minimum interior points of the arcs of a ring
// that has too few arcs to keep an area when simplified: a ring of one open
// arc (a loop through a single junction) needs two interior points, a ring
// of two arcs one in each.
func (t *topology) requireInterior(c chain) {
	need := 0
	switch len(c) {
	case 1:
		need = 2
	case 2:
		need = 1
	}
	for _, r := range c {
		a := &t.arcs[r.index()]
		a.minInterior = max(a.minInterior, min(need, len(a.world)-2))
	}
}

// start and end are the world points where a reference begins and ends.
func (t *topology) start(r ref) orb.Point {
	w := t.arcs[r.index()].world
	if r > 0 {
		return w[0]
	}
	return w[len(w)-1]
}

func (t *topology) end(r ref) orb.Point {
	w := t.arcs[r.index()].world
	if r > 0 {
		return w[len(w)-1]
	}
	return w[0]
}

// ringWorld returns the world points of a chain as a closed ring.
func (t *topology) ringWorld(c chain) orb.Ring {
	var out orb.Ring
	for _, r := range c {
		w := t.arcs[r.index()].world
		for k := range w {
			p := w[k]
			if r < 0 {
				p = w[len(w)-1-k]
			}
			if len(out) > 0 && out[len(out)-1] == p {
				continue
			}
			out = append(out, p)
		}
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	return out
}

// chainBound is the world bound of a chain.
func (t *topology) chainBound(c chain) orb.Bound {
	b := orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{0, 0}}
	for i, r := range c {
		ab := orb.LineString(t.arcs[r.index()].world).Bound()
		if i == 0 {
			b = ab
		} else {
			b = b.Union(ab)
		}
	}
	return b
}

// shapeOf adds the cleaned rings of a multipolygon (polygons of rings,
// exterior first; nil for a ring too small to keep) and returns its shape:
// exteriors counter-clockwise, holes clockwise, each kept from vanishing
// when simplified. A polygon whose exterior is nil is left out.
func (t *topology) shapeOf(polys [][][]orb.Point) shape {
	var out shape
	for _, poly := range polys {
		var pc polyChains
		for r, ring := range poly {
			if ring == nil {
				if r == 0 {
					break
				}
				continue
			}
			c := t.orient(t.addRing(ring), r == 0)
			t.requireInterior(c)
			pc = append(pc, c)
		}
		if len(pc) > 0 {
			out = append(out, pc)
		}
	}
	return out
}
