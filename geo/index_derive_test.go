package geo_test

import (
	"flag"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/geotest"
)

var deriveSeed = flag.Uint64("derive.seed", 0, "seed of TestWithGridsAnswersAsNewIndex (0: from the clock)")

// TestWithGridsAnswersAsNewIndex edits a lattice again and again by moving
// a vertex that grids share, one grid at a time (so the steps between
// leave gaps and overlaps), now and then an outer one outwards, which
// widens the leaves' extent: after every step the derived index, itself
// derived from derived ones, must answer every lookup and hold the same
// cover as NewIndex of the edited dataset.
func TestWithGridsAnswersAsNewIndex(t *testing.T) {
	seed := *deriveSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -derive.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	const n, bends, cellDeg = 10, 3, 0.01
	ds := geotest.Lattice(n, bends, cellDeg, seed)
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for edit := range 40 {
		g := ds.Grids[rng.IntN(len(ds.Grids))]
		ring := g.Geometry[0][0]
		at := ring[rng.IntN(len(ring)-1)]
		off := orb.Point{(rng.Float64() - 0.5) * 0.5 * cellDeg, (rng.Float64() - 0.5) * 0.5 * cellDeg}
		if edit%7 == 6 {
			off = orb.Point{-0.05 * cellDeg, -0.05 * cellDeg} // south-west: beyond the extent at the outline
		}
		to := orb.Point{at[0] + off[0], at[1] + off[1]}
		for _, pos := range sharing(ds, at) {
			next := cloneDataset(ds)
			moveVertex(&next.Grids[pos], at, to)
			derived, ok := ix.WithGrids([]geo.Grid{next.Grids[pos]})
			if !ok {
				t.Fatalf("edit %d: moving a vertex of %s was not derived", edit, next.Grids[pos].ID)
			}
			fresh, err := geo.NewIndex(next)
			if err != nil {
				t.Fatal(err)
			}
			sameAnswers(t, derived, fresh, rng, []orb.Point{at, to})
			ds, ix = next, derived
			steps++
		}
	}
	if steps < 40 {
		t.Fatalf("only %d grids were edited", steps)
	}
}

// TestWithGridsCompacts edits one grid back and forth inside the county
// until the blocks its derivations keep apart are compacted, and checks
// the index still answers as a fresh one.
func TestWithGridsCompacts(t *testing.T) {
	ds := geotest.Lattice(6, 3, 0.01, 9)
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	pos := len(ds.Grids) - 15 // a community grid inside the lattice
	at := ds.Grids[pos].Geometry[0][0][2]
	compacted := false
	for i := 0; i < 200 && !compacted; i++ {
		next := cloneDataset(ds)
		to := orb.Point{at[0] + 0.001*float64(i%2*2-1), at[1]}
		moveVertex(&next.Grids[pos], at, to)
		derived, ok := ix.WithGrids([]geo.Grid{next.Grids[pos]})
		if !ok {
			t.Fatal("not derived")
		}
		compacted = geo.CoverExtra(derived) < geo.CoverExtra(ix)
		ds, ix, at = next, derived, to
	}
	if !compacted {
		t.Fatal("200 derivations and the blocks were never compacted")
	}
	fresh, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	sameAnswers(t, ix, fresh, rand.New(rand.NewPCG(1, 1)), []orb.Point{at})
}

// TestWithGridsAttributes checks that an edit of a grid's attributes alone
// is derived without touching the cover or trees, and that what cannot be
// derived locally is refused.
func TestWithGridsAttributes(t *testing.T) {
	ds := geotest.Lattice(6, 2, 0.01, 5)
	ds.Stations = append(ds.Stations, geo.Station{ID: "s2", Name: "Second", Region: geo.Hill, Location: ds.Stations[0].Location})
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	c := ds.Grids[len(ds.Grids)-1]
	renamed := c
	renamed.Name, renamed.Terrain, renamed.Population = "renamed", geo.Mountain, 42
	derived, ok := ix.WithGrids([]geo.Grid{renamed})
	if !ok {
		t.Fatal("a renamed grid was not derived")
	}
	if got, _ := derived.Grid(c.ID); got.Name != "renamed" || derived.GridTerrain(got) != geo.Mountain {
		t.Fatalf("derived grid %+v, want the new name and terrain", got)
	}
	if got, _ := ix.Grid(c.ID); got.Name == "renamed" {
		t.Fatal("the parent index changed")
	}
	if d := geo.CoverDiff(derived, ix); d != "" {
		t.Fatalf("an attribute edit changed the cover: %s", d)
	}
	for _, tc := range []struct {
		name string
		edit func(g *geo.Grid)
	}{
		{"unknown grid", func(g *geo.Grid) { g.ID = "nowhere" }},
		{"other station", func(g *geo.Grid) { g.StationID = "s2" }},
		{"other parent", func(g *geo.Grid) { g.ParentID = ds.Grids[1].ID }},
		{"other level", func(g *geo.Grid) { g.Level, g.ParentID = geo.PoliceLevel, "" }},
		{"bad terrain", func(g *geo.Grid) { g.Terrain = "swamp" }},
		{"no geometry", func(g *geo.Grid) { g.Geometry = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := c
			tc.edit(&g)
			if _, ok := ix.WithGrids([]geo.Grid{g}); ok {
				t.Fatal("derived; want a refusal, so the caller builds afresh")
			}
		})
	}
	if _, ok := ix.WithGrids([]geo.Grid{renamed, renamed}); ok {
		t.Fatal("a grid listed twice was derived")
	}
}

// sharing returns the positions of the grids with a as a vertex.
func sharing(ds *geo.Dataset, a orb.Point) []int {
	var out []int
	for i, g := range ds.Grids {
		for _, poly := range g.Geometry {
			for _, ring := range poly {
				if slices.Contains(ring, a) {
					out = append(out, i)
				}
			}
		}
	}
	return slices.Compact(out)
}

// moveVertex moves every vertex of g at a to b, in new rings.
func moveVertex(g *geo.Grid, a, b orb.Point) {
	mp := make(orb.MultiPolygon, len(g.Geometry))
	for k, poly := range g.Geometry {
		mp[k] = make(orb.Polygon, len(poly))
		for r, ring := range poly {
			mp[k][r] = slices.Clone(ring)
			for i, p := range mp[k][r] {
				if p == a {
					mp[k][r][i] = b
				}
			}
		}
	}
	g.Geometry = mp
}

// cloneDataset copies ds's grid list, so a grid can be replaced.
func cloneDataset(ds *geo.Dataset) *geo.Dataset {
	out := *ds
	out.Grids = slices.Clone(ds.Grids)
	return &out
}

// sameAnswers fails t unless a and b hold the same cover and answer alike
// at random points over the grids, at the given points, and at the
// vertices and edge midpoints of every grid near them.
func sameAnswers(t *testing.T, a, b *geo.Index, rng *rand.Rand, near []orb.Point) {
	t.Helper()
	if d := geo.CoverDiff(a, b); d != "" {
		t.Fatalf("covers differ: %s", d)
	}
	bound := b.Dataset().Grids[0].Geometry.Bound()
	for _, g := range b.Dataset().Grids {
		bound = bound.Union(g.Geometry.Bound())
	}
	pts := slices.Clone(near)
	for range 4000 {
		pts = append(pts, orb.Point{
			bound.Min[0] + (rng.Float64()*1.1-0.05)*(bound.Max[0]-bound.Min[0]),
			bound.Min[1] + (rng.Float64()*1.1-0.05)*(bound.Max[1]-bound.Min[1]),
		})
	}
	for _, p := range near {
		for _, pos := range sharing(b.Dataset(), p) {
			ring := b.Dataset().Grids[pos].Geometry[0][0]
			for i := range len(ring) - 1 {
				pts = append(pts, ring[i], orb.Point{(ring[i][0] + ring[i+1][0]) / 2, (ring[i][1] + ring[i+1][1]) / 2})
			}
		}
	}
	for _, p := range pts {
		ha, hb := a.Lookup(p), b.Lookup(p)
		if hitID(ha) != hitID(hb) {
			t.Fatalf("Lookup(%v): derived %s, fresh %s", p, hitID(ha), hitID(hb))
		}
		if ea, eb := a.LookupExact(p), b.LookupExact(p); hitID(ea) != hitID(eb) {
			t.Fatalf("LookupExact(%v): derived %s, fresh %s", p, hitID(ea), hitID(eb))
		}
	}
}

// hitID names a hit's grids.
func hitID(h geo.Hit) string {
	id := "-"
	if h.Community != nil {
		id = h.Community.ID
	}
	if h.Police != nil {
		id += "/" + h.Police.ID
	}
	return id
}
