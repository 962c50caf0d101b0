package geo_test

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/geotest"
	"jingge/geo/topo"
)

// outline lists the edges of grids that no other grid of the list shares,
// with the grid that owns each: the outline of their union, holes included.
// Neighbours in geotest share identical vertices, so an inner edge appears
// exactly twice.
func outline(grids []*geo.Grid) (edges [][2]orb.Point, owner []*geo.Grid) {
	key := func(a, b orb.Point) [2]orb.Point {
		if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
			a, b = b, a
		}
		return [2]orb.Point{a, b}
	}
	count := map[[2]orb.Point]int{}
	each := func(f func(g *geo.Grid, a, b orb.Point)) {
		for _, g := range grids {
			for _, poly := range g.Geometry {
				for _, ring := range poly {
					for k := 0; k+1 < len(ring); k++ {
						if ring[k] != ring[k+1] {
							f(g, ring[k], ring[k+1])
						}
					}
				}
			}
		}
	}
	each(func(_ *geo.Grid, a, b orb.Point) { count[key(a, b)]++ })
	each(func(g *geo.Grid, a, b orb.Point) {
		if count[key(a, b)] == 1 {
			edges = append(edges, [2]orb.Point{a, b})
			owner = append(owner, g)
		}
	})
	return edges, owner
}

// leafAnswer is the grid Lookup answers with: the community grid, or the
// police grid where there is none.
func leafAnswer(h geo.Hit) *geo.Grid {
	if h.Community != nil {
		return h.Community
	}
	return h.Police
}

// TestOutlinePointsInExactlyOneGrid is the outline rule's property: every
// vertex and float64 edge midpoint of the outline of the union of the grids
// (outer boundary and the rings of holes no grid fills) gets exactly the
// grid the documented rule names — the one holding it by the half-open
// rule, else the lowest id among the grids it is on an edge of — at the leaf
// level, and a police grid it is on the edge of at the police level. Points
// inside the grids keep their half-open answer, points in holes get none.
func TestOutlinePointsInExactlyOneGrid(t *testing.T) {
	for _, c := range []struct {
		name string
		ds   *geo.Dataset
	}{
		{"lattice", geotest.Lattice(12, 4, 0.01, 2)},
		{"holed", geotest.Holed(4, 3, 0.01, 3)},
	} {
		t.Run(c.name, func(t *testing.T) {
			ix, err := geo.NewIndex(c.ds)
			if err != nil {
				t.Fatal(err)
			}
			var leaves, police []*geo.Grid
			prep := map[*geo.Grid]*geo.Prepared{}
			for i := range c.ds.Grids {
				g := &c.ds.Grids[i]
				if err := topo.ValidateMultiPolygon(g.Geometry); err != nil {
					t.Fatalf("grid %s: %v", g.ID, err)
				}
				prep[g] = geo.Prepare(g.Geometry)
				if g.Level == geo.PoliceLevel {
					police = append(police, g)
					if len(ix.Children(g.ID)) > 0 {
						continue
					}
				}
				leaves = append(leaves, g)
			}
			// rule is the documented answer, from a scan of every leaf.
			rule := func(p orb.Point) *geo.Grid {
				var holder, owner *geo.Grid
				for _, g := range leaves {
					if prep[g].Contains(p) {
						if holder != nil {
							t.Fatalf("%v is in both %s and %s", p, holder.ID, g.ID)
						}
						holder = g
					}
					if prep[g].OnBoundary(p) && (owner == nil || g.ID < owner.ID) {
						owner = g
					}
				}
				if holder != nil {
					return holder
				}
				return owner
			}
			box := leaves[0].Geometry.Bound()
			for _, g := range leaves {
				box = box.Union(g.Geometry.Bound())
			}
			edges, owners := outline(leaves)
			holeEdges := 0
			for k, e := range edges {
				for v, p := range []orb.Point{e[0], {(e[0][0] + e[1][0]) / 2, (e[0][1] + e[1][1]) / 2}} {
					h := ix.Lookup(p)
					got, want := leafAnswer(h), rule(p)
					switch {
					case got == nil:
						t.Fatalf("outline point %v of %s: no grid", p, owners[k].ID)
					case got != want:
						t.Fatalf("outline point %v of %s: Lookup says %s, the rule %s", p, owners[k].ID, got.ID, want.ID)
					case v == 1 && got != owners[k]:
						t.Fatalf("midpoint %v of an edge of %s: Lookup says %s", p, owners[k].ID, got.ID)
					case h.Police == nil || !(prep[h.Police].Contains(p) || prep[h.Police].OnBoundary(p)):
						t.Fatalf("outline point %v: police grid %v does not cover it", p, h.Police)
					}
				}
				if m := (orb.Point{(e[0][0] + e[1][0]) / 2, (e[0][1] + e[1][1]) / 2}); m[0] > box.Min[0] && m[0] < box.Max[0] && m[1] > box.Min[1] && m[1] < box.Max[1] {
					holeEdges++ // the box's sides are straight: this edge is on a hole's ring
				}
			}
			// The police level: midpoints of the police outline get the
			// police grid that owns the edge.
			pEdges, pOwners := outline(police)
			for k, e := range pEdges {
				p := orb.Point{(e[0][0] + e[1][0]) / 2, (e[0][1] + e[1][1]) / 2}
				if got := ix.Lookup(p).Police; got != pOwners[k] {
					t.Fatalf("midpoint %v of an edge of police grid %s: Lookup's police grid is %v", p, pOwners[k].ID, got)
				}
			}
			if c.name == "holed" && holeEdges == 0 {
				t.Fatal("the holed dataset has no hole edges on the outline")
			}
			holes := 0
			t.Logf("%d leaf outline edges (%d of them inside the box), %d police outline edges", len(edges), holeEdges, len(pEdges))

			rng := rand.New(rand.NewPCG(4, 4))
			for range 20000 {
				p := orb.Point{box.Min[0] + rng.Float64()*(box.Max[0]-box.Min[0]), box.Min[1] + rng.Float64()*(box.Max[1]-box.Min[1])}
				var holder *geo.Grid
				for _, g := range leaves {
					if prep[g].Contains(p) {
						holder = g
					}
				}
				if got := leafAnswer(ix.Lookup(p)); got != holder {
					t.Fatalf("point %v: Lookup says %v, the half-open rule %v", p, got, holder)
				}
				if holder == nil {
					holes++
				}
			}
			if c.name == "holed" && holes == 0 {
				t.Fatal("no random point fell in a hole")
			}
		})
	}
}
