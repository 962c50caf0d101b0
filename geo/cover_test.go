package geo_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"jingge/data/lantian"
	"jingge/geo"
	"jingge/geo/geotest"
)

// coverCases are the datasets the cover is checked on: the bundled county,
// a jittered partition, one with holes no grid fills, and one whose grids
// overlap, where only the search order decides.
func coverCases(t testing.TB) []struct {
	name string
	ds   *geo.Dataset
} {
	t.Helper()
	lt, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		name string
		ds   *geo.Dataset
	}{
		{"lantian", lt},
		{"lattice", geotest.Lattice(40, 4, 0.01, 11)},
		{"holed", geotest.Holed(6, 3, 0.01, 12)},
		{"overlapping", overlapping()},
	}
}

// overlapping is a lattice with two extra community grids laid over it:
// one over a block of cells, one across a cell's corner, both bent.
func overlapping() *geo.Dataset {
	ds := geotest.Lattice(10, 2, 0.01, 13)
	over := func(id string, ring orb.Ring) geo.Grid {
		return geo.Grid{ID: id, Level: geo.CommunityLevel, StationID: "s1", ParentID: ds.Grids[0].ID, Geometry: orb.MultiPolygon{{ring}}}
	}
	ds.Grids = append(ds.Grids,
		over("C9999900000", orb.Ring{{100.012, 20.013}, {100.047, 20.011}, {100.051, 20.044}, {100.021, 20.049}, {100.012, 20.013}}),
		over("A0000000000", orb.Ring{{100.061, 20.061}, {100.0805, 20.062}, {100.07, 20.083}, {100.061, 20.061}}))
	return ds
}

// probes returns the points the cover must answer as the exact path does:
// every vertex, float64 edge midpoint and some points along every edge of
// every grid, the vertices moved by 1 and 2^k units in the last place and
// by multiples of the on-edge tolerance in eight directions, and uniform
// points over the grids' bound padded by 5 %, inside and just outside.
func probes(ds *geo.Dataset, rng *rand.Rand, uniform int) []orb.Point {
	var pts []orb.Point
	bound := ds.Grids[0].Geometry.Bound()
	for _, g := range ds.Grids {
		bound = bound.Union(g.Geometry.Bound())
		for _, poly := range g.Geometry {
			for _, ring := range poly {
				for k := 0; k+1 < len(ring); k++ {
					a, b := ring[k], ring[k+1]
					pts = append(pts, a, orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2})
					f := rng.Float64()
					pts = append(pts, orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])})
					tol := 0x1p-45 * max(math.Abs(a[0]), math.Abs(a[1]), 1)
					d := []float64{math.Nextafter(a[0], math.Inf(1)) - a[0], tol, 2 * tol, 8 * tol, 17 * tol, 1e-7}[rng.IntN(6)]
					for _, dir := range [][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {-1, -1}, {1, -1}, {-1, 1}} {
						pts = append(pts, orb.Point{a[0] + dir[0]*d, a[1] + dir[1]*d})
					}
				}
			}
		}
	}
	pad := bound.Pad(0.05 * (bound.Max[0] - bound.Min[0]))
	for range uniform {
		pts = append(pts, orb.Point{pad.Min[0] + rng.Float64()*(pad.Max[0]-pad.Min[0]), pad.Min[1] + rng.Float64()*(pad.Max[1]-pad.Min[1])})
	}
	return pts
}

// TestCoverAgreesWithExactLookup is the cover's property: on more than a
// million points, shared borders, vertices, the outline and just outside
// it included, Lookup answers exactly as the R-tree and exact tests alone.
func TestCoverAgreesWithExactLookup(t *testing.T) {
	total := 0
	for _, c := range coverCases(t) {
		t.Run(c.name, func(t *testing.T) {
			ix, err := geo.NewIndex(c.ds)
			if err != nil {
				t.Fatal(err)
			}
			cells, border, _ := ix.CoverStats()
			if cells < 2 || border == 0 || border == cells {
				t.Fatalf("cover of %d cells has %d border cells", cells, border)
			}
			seed := uint64(rand.Int64())
			t.Logf("seed %d", seed)
			rng := rand.New(rand.NewPCG(seed, 15))
			pts := probes(c.ds, rng, 300000)
			found := 0
			for _, p := range pts {
				got, want := ix.Lookup(p), ix.LookupExact(p)
				if got != want {
					t.Fatalf("point %.17g %.17g: cover says %s, exact path %s", p[0], p[1], hitName(got), hitName(want))
				}
				if got.Found() {
					found++
				}
			}
			if found == 0 || found == len(pts) {
				t.Fatalf("%d of %d points found: the probes miss inside or outside", found, len(pts))
			}
			total += len(pts)
		})
	}
	if total < 1_000_000 {
		t.Errorf("%d points checked, want at least 1,000,000", total)
	}
}

func hitName(h geo.Hit) string {
	switch {
	case h.Community != nil:
		return h.Community.ID
	case h.Police != nil:
		return h.Police.ID
	}
	return "no grid"
}
