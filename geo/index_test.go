package geo_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/geotest"
	"jingge/geo/topo"
)

func TestLatticeIsValid(t *testing.T) {
	ds := geotest.Lattice(8, 3, 0.01, 1)
	for _, g := range ds.Grids {
		if err := topo.ValidateMultiPolygon(g.Geometry); err != nil {
			t.Fatalf("grid %s: %v", g.ID, err)
		}
	}
}

// TestEveryPointInExactlyOneGrid is the boundary-rule property: random
// points, and points exactly on shared vertices and edges, fall in exactly
// one community grid when inside the lattice.
func TestEveryPointInExactlyOneGrid(t *testing.T) {
	const n = 12
	ds := geotest.Lattice(n, 4, 0.01, 2)
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	var community []*geo.Prepared
	for _, g := range ds.Grids {
		if g.Level == geo.CommunityLevel {
			community = append(community, geo.Prepare(g.Geometry))
		}
	}
	count := func(p orb.Point) int {
		c := 0
		for _, pp := range community {
			if pp.Contains(p) {
				c++
			}
		}
		return c
	}
	rng := rand.New(rand.NewPCG(3, 3))
	lo, hi := orb.Point{100, 20}, orb.Point{100 + n*0.01, 20 + n*0.01}
	for range 20000 {
		p := orb.Point{lo[0] + rng.Float64()*(hi[0]-lo[0]), lo[1] + rng.Float64()*(hi[1]-lo[1])}
		if c := count(p); c != 1 {
			t.Fatalf("random point %v in %d grids", p, c)
		}
		if !ix.Lookup(p).Found() {
			t.Fatalf("index misses %v", p)
		}
	}
	for _, g := range ds.Grids {
		if g.Level != geo.CommunityLevel {
			continue
		}
		ring := g.Geometry[0][0]
		for k := 0; k+1 < len(ring); k++ {
			for _, p := range []orb.Point{ring[k], {(ring[k][0] + ring[k+1][0]) / 2, (ring[k][1] + ring[k+1][1]) / 2}} {
				onOuter := p[0] <= lo[0] || p[1] <= lo[1] || p[0] >= hi[0]-1e-12 || p[1] >= hi[1]-1e-12
				c := count(p)
				if c > 1 || (c == 0 && !onOuter) {
					t.Fatalf("boundary point %v of %s in %d grids", p, g.ID, c)
				}
			}
		}
	}
}

func TestLookupHit(t *testing.T) {
	ds := geotest.Lattice(4, 2, 0.01, 4)
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	h := ix.Lookup(orb.Point{100.015, 20.025})
	if h.Community == nil || h.Community.ID != "C0000100002" {
		t.Fatalf("community = %+v", h.Community)
	}
	if h.Police == nil || h.Police.ID != "P0000000001" || h.Station == nil || h.Station.ID != "s1" {
		t.Fatalf("police/station = %+v %+v", h.Police, h.Station)
	}
	if ix.Lookup(orb.Point{99, 20}).Found() {
		t.Error("a point outside every grid was found")
	}
	if got := len(ix.Children("P0000000001")); got != 4 {
		t.Errorf("children = %d, want 4", got)
	}
	b := orb.Bound{Min: orb.Point{100.001, 20.001}, Max: orb.Point{100.002, 20.002}}
	if got := ix.Grids(geo.GridFilter{Level: geo.CommunityLevel, Bound: &b}); len(got) != 1 || got[0].ID != "C0000000000" {
		t.Errorf("grids in bound = %v", got)
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	ix, err := geo.NewIndex(geotest.Lattice(20, 4, 0.01, 5))
	if err != nil {
		t.Fatal(err)
	}
	p := orb.Point{100.05, 20.05}
	if a := testing.AllocsPerRun(100, func() { ix.Lookup(p) }); a != 0 {
		t.Errorf("Lookup allocates %.0f times per call, want 0", a)
	}
	// The outline rule's fallback runs for points in no grid by the
	// half-open rule: one on the east outline, one just outside it.
	for _, q := range []orb.Point{{100.2, 20.05}, {100.2 + 1e-6, 20.05}} {
		if a := testing.AllocsPerRun(100, func() { ix.Lookup(q) }); a != 0 {
			t.Errorf("Lookup(%v) allocates %.0f times per call, want 0", q, a)
		}
	}
	if !ix.Lookup(orb.Point{100.2, 20.05}).Found() {
		t.Error("a point on the east outline is in no grid")
	}
	pts := []orb.Point{p, {100.1, 20.1}}
	out := make([]geo.Hit, 2)
	if a := testing.AllocsPerRun(100, func() { ix.LookupBatch(pts, out) }); a != 0 {
		t.Errorf("LookupBatch allocates %.0f times per call, want 0", a)
	}
}

func TestNewIndexRejectsBrokenReferences(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(ds *geo.Dataset)
	}{
		{"unknown station", func(ds *geo.Dataset) { ds.Grids[0].StationID = "nope" }},
		{"duplicate grid", func(ds *geo.Dataset) { ds.Grids[1].ID = ds.Grids[0].ID }},
		{"parent is not a police grid", func(ds *geo.Dataset) { ds.Grids[len(ds.Grids)-1].ParentID = "C0000000000" }},
		{"unknown level", func(ds *geo.Dataset) { ds.Grids[0].Level = "county" }},
		{"member of unknown grid", func(ds *geo.Dataset) {
			ds.Members = append(ds.Members, geo.Member{ID: "m", Name: "x", Role: geo.GridWorker, GridIDs: []string{"nope"}})
		}},
		{"bad terrain", func(ds *geo.Dataset) { ds.Stations[0].Region = "desert" }},
		{"bad grid terrain", func(ds *geo.Dataset) { ds.Grids[0].Terrain = "desert" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := geotest.Lattice(2, 0, 0.01, 6)
			c.mutate(ds)
			if _, err := geo.NewIndex(ds); !errors.Is(err, geo.ErrInvalidDataset) {
				t.Errorf("err = %v, want ErrInvalidDataset", err)
			}
		})
	}
}
