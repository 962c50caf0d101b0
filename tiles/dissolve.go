package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"

	"jingge/tiles/tileclip"
)

// shape is a multipolygon given as chains of arcs.
type shape []polyChains

// faces records, for every arc, the leaf grid on its left and on its right
// in canonical orientation (-1: none, outside the county or a gap).
type faces struct{ left, right []int32 }

// facesOf reads the sides of every arc from the leaves' shapes. Shapes are
// oriented (exteriors positive, holes negative), so a polygon's interior is
// on the left of each of its chains.
func (t *topology) facesOf(leaves []shape) faces {
	f := faces{left: make([]int32, len(t.arcs)), right: make([]int32, len(t.arcs))}
	for i := range f.left {
		f.left[i], f.right[i] = -1, -1
	}
	for li, s := range leaves {
		for _, p := range s {
			for _, c := range p {
				for _, r := range c {
					if r > 0 {
						f.left[r.index()] = int32(li)
					} else {
						f.right[r.index()] = int32(li)
					}
				}
			}
		}
	}
	return f
}

// dissolve merges the leaves into groups (groupOf[leaf] in 0..n-1, or -1
// for a leaf in no group) and returns each group's outline. A group's
// border is the arcs whose two sides lie in different groups (or outside),
// so the outline reuses the leaves' arcs and meets its neighbours exactly.
func (t *topology) dissolve(f faces, groupOf []int32, n int) []shape {
	group := func(leaf int32) int32 {
		if leaf < 0 {
			return -1
		}
		return groupOf[leaf]
	}
	border := make([][]ref, n)
	for a := range t.arcs {
		gl, gr := group(f.left[a]), group(f.right[a])
		if gl == gr {
			continue
		}
		if gl >= 0 {
			border[gl] = append(border[gl], ref(a+1))
		}
		if gr >= 0 {
			border[gr] = append(border[gr], -ref(a+1))
		}
	}
	out := make([]shape, n)
	for g, refs := range border {
		out[g] = t.polygons(t.link(refs))
	}
	return out
}

// link joins directed arcs (each with its group on the left) into closed
// chains. Where a group touches itself at a node, the walk takes the
// outgoing arc that turns most sharply, which keeps the group on the left
// and splits the outline into simple rings.
func (t *topology) link(refs []ref) []chain {
	from := map[orb.Point][]ref{}
	for _, r := range refs {
		if !t.arcs[r.index()].closed {
			from[t.start(r)] = append(from[t.start(r)], r)
		}
	}
	used := map[ref]bool{}
	var chains []chain
	for _, r := range refs {
		if used[r] {
			continue
		}
		used[r] = true
		c := chain{r}
		if t.arcs[r.index()].closed {
			chains = append(chains, c)
			continue
		}
		for {
			cur := c[len(c)-1]
			node := t.end(cur)
			var cands []ref
			for _, o := range from[node] {
				if !used[o] || (o == c[0]) {
					cands = append(cands, o)
				}
			}
			if len(cands) == 0 {
				c = nil // a broken outline: the data has a gap; drop it
				break
			}
			next := cands[0]
			if len(cands) > 1 {
				next = t.sharpestTurn(cur, cands)
			}
			if next == c[0] {
				break
			}
			used[next] = true
			c = append(c, next)
		}
		if c != nil {
			chains = append(chains, c)
		}
	}
	return chains
}

// sharpestTurn picks, among arcs leaving the node where cur ends, the one
// reached first turning clockwise from the way back along cur.
func (t *topology) sharpestTurn(cur ref, cands []ref) ref {
	node := t.end(cur)
	back := t.neighbourOf(cur, false)
	angBack := math.Atan2(back[1]-node[1], back[0]-node[0])
	best, bestDelta := cands[0], math.Inf(1)
	for _, o := range cands {
		p := t.neighbourOf(o, true)
		d := angBack - math.Atan2(p[1]-node[1], p[0]-node[0])
		for d <= 0 {
			d += 2 * math.Pi
		}
		for d > 2*math.Pi {
			d -= 2 * math.Pi
		}
		if d < bestDelta {
			best, bestDelta = o, d
		}
	}
	return best
}

// neighbourOf returns the point next to the start of r (atStart) or next to
// its end, skipping points equal to the endpoint.
func (t *topology) neighbourOf(r ref, atStart bool) orb.Point {
	w := t.arcs[r.index()].world
	fromStart := atStart == (r > 0)
	if fromStart {
		for k := 1; k < len(w); k++ {
			if w[k] != w[0] {
				return w[k]
			}
		}
		return w[0]
	}
	last := w[len(w)-1]
	for k := len(w) - 2; k >= 0; k-- {
		if w[k] != last {
			return w[k]
		}
	}
	return last
}

// polygons groups chains into polygons: chains of positive area are
// exteriors, the others holes of the smallest exterior that holds them.
func (t *topology) polygons(chains []chain) shape {
	type ext struct {
		c    chain
		area float64
		ring orb.Ring
		bnd  orb.Bound
	}
	var exts []ext
	var holes []chain
	for _, c := range chains {
		if a := t.area(c); a > 0 {
			r := t.ringWorld(c)
			exts = append(exts, ext{c: c, area: a, ring: r, bnd: r.Bound()})
		} else if a < 0 {
			holes = append(holes, c)
		}
	}
	slices.SortStableFunc(exts, func(a, b ext) int {
		switch {
		case a.area < b.area:
			return -1
		case a.area > b.area:
			return 1
		}
		return 0
	})
	s := make(shape, len(exts))
	for i, e := range exts {
		s[i] = polyChains{e.c}
	}
	for _, h := range holes {
		r := t.ringWorld(h)
		if len(r) < 2 {
			continue
		}
		probe := orb.Point{(r[0][0] + r[1][0]) / 2, (r[0][1] + r[1][1]) / 2}
		for i, e := range exts {
			if e.bnd.Contains(probe) && tileclip.RingContains(e.ring, probe) {
				s[i] = append(s[i], h)
				break
			}
		}
	}
	return s
}
