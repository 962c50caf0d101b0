package tiles

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// TestAreasPartitionLikeTheGrids throws random points at the county: each
// point in a grid lies in exactly one township area and one region area,
// those of its grid, so the areas handed out as features are the grids'
// own borders dissolved, in longitude and latitude.
func TestAreasPartitionLikeTheGrids(t *testing.T) {
	ix := lantianIndex(t)
	src := NewSource(ix, Options{})
	townships, ok := src.Areas(LayerTownships)
	regions, ok2 := src.Areas(LayerRegions)
	if !ok || !ok2 || len(townships) == 0 || len(regions) == 0 {
		t.Fatalf("areas: %d townships (%v), %d regions (%v)", len(townships), ok, len(regions), ok2)
	}
	if _, ok := src.Areas("nope"); ok {
		t.Error("an unknown layer has areas")
	}
	for _, a := range append(townships, regions...) {
		for k, r := range a.Geometry[0] {
			if (r.Orientation() == orb.CCW) != (k == 0) {
				t.Errorf("%s: ring %d is %v; exteriors must be counter-clockwise, holes clockwise", a.ID, k, r.Orientation())
			}
		}
	}
	in := func(areas []Area, p orb.Point) []string {
		var ids []string
		for _, a := range areas {
			if evenOddContains([]orb.Polygon(a.Geometry), p) {
				ids = append(ids, a.ID)
			}
		}
		return ids
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	b, _ := src.Bounds()
	hits := 0
	for range 2000 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		h := ix.Lookup(p)
		if !h.Found() {
			if got := in(regions, p); len(got) != 0 {
				t.Errorf("%v is in no grid but in regions %v", p, got)
			}
			continue
		}
		hits++
		g := h.Police
		if h.Community != nil {
			g = h.Community
		}
		if got := in(townships, p); g.Township != "" && (len(got) != 1 || got[0] != g.Township) {
			t.Errorf("%v in grid %s of township %s lies in township areas %v", p, g.ID, g.Township, got)
		}
		if got := in(regions, p); len(got) != 1 || got[0] != string(h.Station.Region) {
			t.Errorf("%v of station %s (region %s) lies in region areas %v", p, h.Station.ID, h.Station.Region, got)
		}
	}
	if hits < 500 {
		t.Fatalf("only %d of 2000 points fell in a grid", hits)
	}
}
