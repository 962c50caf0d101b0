package geo_test

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/geotest"
	"jingge/geo/topo"
)

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
			edges := geotest.Outline(leaves)
			holeEdges := 0
			for _, e := range edges {
				for v, p := range []orb.Point{e.A, e.Mid()} {
					h := ix.Lookup(p)
					got, want := leafAnswer(h), rule(p)
					switch {
					case got == nil:
						t.Fatalf("outline point %v of %s: no grid", p, e.Grid.ID)
					case got != want:
						t.Fatalf("outline point %v of %s: Lookup says %s, the rule %s", p, e.Grid.ID, got.ID, want.ID)
					case v == 1 && got != e.Grid:
						t.Fatalf("midpoint %v of an edge of %s: Lookup says %s", p, e.Grid.ID, got.ID)
					case h.Police == nil || !(prep[h.Police].Contains(p) || prep[h.Police].OnBoundary(p)):
						t.Fatalf("outline point %v: police grid %v does not cover it", p, h.Police)
					}
				}
				if m := e.Mid(); m[0] > box.Min[0] && m[0] < box.Max[0] && m[1] > box.Min[1] && m[1] < box.Max[1] {
					holeEdges++ // the box's sides are straight: this edge is on a hole's ring
				}
			}
			// The police level: midpoints of the police outline get the
			// police grid that owns the edge.
			pEdges := geotest.Outline(police)
			for _, e := range pEdges {
				if got := ix.Lookup(e.Mid()).Police; got != e.Grid {
					t.Fatalf("midpoint %v of an edge of police grid %s: Lookup's police grid is %v", e.Mid(), e.Grid.ID, got)
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
