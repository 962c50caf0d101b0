package geo_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/data/lantian"
	"jingge/geo"
	"jingge/geo/geotest"
)

// randomPoints returns n points spread over b, from a fixed seed.
func randomPoints(b orb.Bound, n int) []orb.Point {
	rng := rand.New(rand.NewPCG(42, 42))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

// naiveLookup is the baseline: test every community grid in turn with orb's
// point-in-polygon, as code without an index would.
func naiveLookup(grids []geo.Grid, p orb.Point) *geo.Grid {
	for i := range grids {
		if grids[i].Level == geo.CommunityLevel && planar.MultiPolygonContains(grids[i].Geometry, p) {
			return &grids[i]
		}
	}
	return nil
}

func benchLookup(b *testing.B, ds *geo.Dataset, naive bool) {
	ix, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	bound := ds.Grids[0].Geometry.Bound()
	for _, g := range ds.Grids {
		bound = bound.Union(g.Geometry.Bound())
	}
	pts := randomPoints(bound, 1<<12)
	run := func(name string, pts []orb.Point, lookup func(orb.Point) geo.Hit) {
		if len(pts) == 0 {
			return
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			found := 0
			for i := 0; b.Loop(); i++ {
				if lookup(pts[i%len(pts)]).Found() {
					found++
				}
			}
			_ = found
		})
	}
	// The same points split by whether they are in a grid: the outline
	// rule runs only for points outside every grid, so the inside figures
	// must match the half-open baseline and the outside ones show its cost.
	var inside, outside []orb.Point
	for _, p := range pts {
		if ix.LookupHalfOpen(p).Found() {
			inside = append(inside, p)
		} else {
			outside = append(outside, p)
		}
	}
	run("index", pts, ix.Lookup)
	run("half-open", pts, ix.LookupHalfOpen)
	if len(outside) > 0 {
		run("index-inside", inside, ix.Lookup)
		run("half-open-inside", inside, ix.LookupHalfOpen)
		run("index-outside", outside, ix.Lookup)
		run("half-open-outside", outside, ix.LookupHalfOpen)
	}
	if naive {
		b.Run("naive-scan", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				naiveLookup(ds.Grids, pts[i&(len(pts)-1)])
			}
		})
	}
}

// BenchmarkLookup compares the index with a linear scan on the Lantian
// grids and on synthetic lattices of 1,000 to 1,000,000 community grids,
// and with the index without its outline rule (half-open), in the same run.
// Run it on one core: go test -run '^$' -bench Lookup -cpu 1 ./geo/
func BenchmarkLookup(b *testing.B) {
	b.Run("lantian", func(b *testing.B) {
		ds, err := lantian.Load()
		if err != nil {
			b.Fatal(err)
		}
		benchLookup(b, ds, true)
	})
	for _, n := range []int{32, 316, 1000} {
		b.Run(fmt.Sprintf("lattice-%d", n*n), func(b *testing.B) {
			benchLookup(b, geotest.Lattice(n, 4, 0.001, 9), true)
		})
	}
}

// BenchmarkNewIndex measures building the index (the work of a reload).
func BenchmarkNewIndex(b *testing.B) {
	ds, err := lantian.Load()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("lantian", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := geo.NewIndex(ds); err != nil {
				b.Fatal(err)
			}
		}
	})
	big := geotest.Lattice(316, 4, 0.001, 9)
	b.Run("lattice-100k", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := geo.NewIndex(big); err != nil {
				b.Fatal(err)
			}
		}
	})
}
