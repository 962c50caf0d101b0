package geo_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

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
	b.Run("index", eachOf(pts, ix.Lookup))
	b.Run("exact", eachOf(pts, ix.LookupExact))
	// The cover against the exact path alone, on the same points in the
	// same rounds: over the bound (as above) and inside the county. Each
	// evicts the other's data from the caches, so these are slower than
	// index and exact apart.
	b.Run("cover-vs-exact", func(b *testing.B) { pairLookups(b, pts, ix.Lookup, ix.LookupExact) })
	// The cover against itself without its sub-cells, as it was before.
	b.Run("cover-vs-cells", func(b *testing.B) { pairLookups(b, pts, ix.Lookup, ix.LookupWithoutSubCells) })
	if len(ds.County) > 0 {
		in := pointsIn(ds.County, 1<<12)
		b.Run("county/index", eachOf(in, ix.Lookup))
		b.Run("county/exact", eachOf(in, ix.LookupExact))
		b.Run("county/cover-vs-exact", func(b *testing.B) { pairLookups(b, in, ix.Lookup, ix.LookupExact) })
		// Lookup against itself with the cell and the answer found by calls,
		// as before the cell's arithmetic was inlined.
		b.Run("county/inline-vs-calls", func(b *testing.B) { pairLookups(b, in, ix.Lookup, ix.LookupThroughCalls) })
		b.Run("county/cover-vs-cells", func(b *testing.B) { pairLookups(b, in, ix.Lookup, ix.LookupWithoutSubCells) })
		// The raster of a small dataset against the one every dataset had
		// before (64 cells per leaf grid).
		coarse, err := geo.NewIndexWithoutSmallCover(ds)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("county/cover-vs-64-cells", func(b *testing.B) { pairLookups(b, in, ix.Lookup, coarse.Lookup) })
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

// eachOf times lookup over pts, whose length is a power of two, in turn.
func eachOf(pts []orb.Point, lookup func(orb.Point) geo.Hit) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		found := 0
		for i := 0; b.Loop(); i++ {
			if lookup(pts[i&(len(pts)-1)]).Found() {
				found++
			}
		}
		_ = found
	}
}

// pointsIn returns n points spread uniformly over mp, from a fixed seed.
func pointsIn(mp orb.MultiPolygon, n int) []orb.Point {
	in := geo.Prepare(mp)
	rng := rand.New(rand.NewPCG(43, 43))
	b := mp.Bound()
	pts := make([]orb.Point, 0, n)
	for len(pts) < n {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if in.Contains(p) {
			pts = append(pts, p)
		}
	}
	return pts
}

// BenchmarkLookup compares the index (its cell cover first) with the exact
// path alone (the R-tree and exact tests, the lookup before the cover) and
// with a linear scan, on the Lantian grids and on synthetic lattices of
// 1,000 to 1,000,000 community grids. cover-vs-exact times both on the same
// points in the same rounds and reports their ratio (cover/exact).
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

// BenchmarkNewIndex measures building the index (the work of a reload),
// with its cell cover and without it (the index before the cover, the
// baseline), apart and in alternating rounds (index-vs-without-cover, whose
// ratio holds under load), and reports the cover's bytes per grid. The
// million-grid case takes long; give it -benchtime 2x or more.
// Run it on one core: go test -run '^$' -bench NewIndex -cpu 1 ./geo/
func BenchmarkNewIndex(b *testing.B) {
	ds, err := lantian.Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ds   func() *geo.Dataset
	}{
		{"lantian", func() *geo.Dataset { return ds }},
		{"lattice-100k", func() *geo.Dataset { return geotest.Lattice(316, 4, 0.001, 9) }},
		{"lattice-1M", func() *geo.Dataset { return geotest.Lattice(1000, 4, 0.001, 9) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			ds := c.ds()
			for _, v := range []struct {
				name  string
				build func(*geo.Dataset) (*geo.Index, error)
			}{{"without-cover", geo.NewIndexWithoutCover}, {"index", geo.NewIndex}} {
				b.Run(v.name, func(b *testing.B) {
					b.ReportAllocs()
					var ix *geo.Index
					for b.Loop() {
						if ix, err = v.build(ds); err != nil {
							b.Fatal(err)
						}
					}
					if _, _, bytes := ix.CoverStats(); bytes > 0 {
						b.ReportMetric(float64(bytes)/float64(len(ds.Grids)), "cover-B/grid")
					}
				})
			}
			b.Run("index-vs-without-cover", func(b *testing.B) { pairBuilds(b, ds) })
		})
	}
}

// pairBuilds builds the index with its cover and without it in turn, the
// order swapped every round, and reports the medians of their times and
// of their ratio over each two rounds, so that load from elsewhere on the
// machine falls on both alike.
func pairBuilds(b *testing.B, ds *geo.Dataset) {
	var spent, base, ratio []float64
	var pair [2]float64
	build := func(f func(*geo.Dataset) (*geo.Index, error)) float64 {
		runtime.GC() // the last round's index is not this one's to collect
		start := time.Now()
		if _, err := f(ds); err != nil {
			b.Fatal(err)
		}
		return float64(time.Since(start).Nanoseconds())
	}
	for round := 0; b.Loop(); round++ {
		var t, u float64
		if round%2 == 0 {
			t, u = build(geo.NewIndex), build(geo.NewIndexWithoutCover)
		} else {
			u, t = build(geo.NewIndexWithoutCover), build(geo.NewIndex)
		}
		spent, base = append(spent, t), append(base, u)
		if round%2 == 1 {
			ratio = append(ratio, (pair[0]+t)/(pair[1]+u))
		}
		pair = [2]float64{t, u}
	}
	b.ReportMetric(median(spent)/1e6, "ms/build")
	b.ReportMetric(median(base)/1e6, "baseline-ms/build")
	b.ReportMetric(median(ratio), "ratio")
}

// BenchmarkOutlineRule measures what the outline rule costs, against the
// lookup without it (LookupHalfOpen) on the same points: both time the same
// chunk of 256 lookups in turn, the order swapped every round, and the
// figures are medians over the rounds, so a burst of load from elsewhere on
// the machine lands in a few rounds and not in the answer. It reports each
// side's ns per lookup and the median of the ratios over pairs of rounds
// (index/half-open), for points inside a grid, where the rule never runs,
// and for points outside every grid, where it does. Allocations are shown
// by BenchmarkLookup; this one keeps its per-round figures.
// Run it on one core: go test -run '^$' -bench OutlineRule -cpu 1 ./geo/
func BenchmarkOutlineRule(b *testing.B) {
	lt, err := lantian.Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ds   *geo.Dataset
	}{{"lantian", lt}, {"lattice-1024", geotest.Lattice(32, 4, 0.001, 9)}, {"lattice-99856", geotest.Lattice(316, 4, 0.001, 9)}} {
		ix, err := geo.NewIndex(c.ds)
		if err != nil {
			b.Fatal(err)
		}
		bound := c.ds.Grids[0].Geometry.Bound()
		for _, g := range c.ds.Grids {
			bound = bound.Union(g.Geometry.Bound())
		}
		var inside, outside []orb.Point
		for _, p := range randomPoints(bound.Pad(0.05*(bound.Max[0]-bound.Min[0])), 1<<13) {
			if ix.LookupHalfOpen(p).Found() {
				inside = append(inside, p)
			} else {
				outside = append(outside, p)
			}
		}
		for _, set := range []struct {
			name string
			pts  []orb.Point
		}{{"inside", inside}, {"outside", outside}} {
			b.Run(c.name+"/"+set.name, func(b *testing.B) {
				pairLookups(b, set.pts, ix.Lookup, ix.LookupHalfOpen)
			})
		}
	}
}

// pairLookups times lookup and baseline on the same chunks of pts, in
// alternating order, and reports the medians of their times and of their
// ratio over each two rounds.
func pairLookups(b *testing.B, pts []orb.Point, lookup, baseline func(orb.Point) geo.Hit) {
	const chunk = 256
	var spent, base, ratio []float64
	var pair [2]float64 // this and the previous round, one in each order
	found := 0
	chunkOf := func(f func(orb.Point) geo.Hit, from int) float64 {
		start := time.Now()
		for k := range chunk {
			if f(pts[(from+k)%len(pts)]).Found() {
				found++
			}
		}
		return float64(time.Since(start).Nanoseconds())
	}
	for round := 0; b.Loop(); round++ {
		from := round * chunk % len(pts)
		var t, u float64
		if round%2 == 0 {
			t = chunkOf(lookup, from)
			u = chunkOf(baseline, from)
		} else {
			u = chunkOf(baseline, from)
			t = chunkOf(lookup, from)
		}
		spent, base = append(spent, t/chunk), append(base, u/chunk)
		// The second to run finds the first's data in cache; a ratio over
		// two rounds, one in each order, cancels that.
		if round%2 == 1 {
			ratio = append(ratio, (pair[0]+t)/(pair[1]+u))
		}
		pair = [2]float64{t, u}
	}
	_ = found
	b.ReportMetric(median(spent), "ns/lookup")
	b.ReportMetric(median(base), "baseline-ns/lookup")
	b.ReportMetric(median(ratio), "ratio")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// BenchmarkLookupOverlays measures what areas and key places cost a lookup,
// on the Lantian grids with 50 areas and 2,000 key places, in one run:
// grid-only is the lookup on the dataset without overlays, grid-beside-overlays
// the same lookup on the index that holds them, with-overlays the lookup
// plus the areas holding the point and the places within 500 m, and
// naive-overlays that lookup with a scan of every area and place instead
// of their indexes. with-areas and with-places split with-overlays in its
// two halves; with-places-grid is with-places by the 500 m grid of places
// alone, as before the place raster; grid-and-distances is the lookup and the great-circle
// distances of the places with-overlays answers, with every cosine of a
// place known, the least an answer with DistanceMeters's distances can
// cost. paired times with-overlays and grid-only on the same chunks of
// points in turn and reports the median ratio, which a loaded machine
// moves least.
// go test -run '^$' -bench LookupOverlays -cpu 1 -count 6 ./geo/
func BenchmarkLookupOverlays(b *testing.B) {
	ds, err := lantian.Load()
	if err != nil {
		b.Fatal(err)
	}
	ds.Areas, ds.Places = nil, nil
	plain, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	withOverlays := *ds
	withOverlays.Grids = slices.Clone(ds.Grids)
	geotest.Overlays(&withOverlays, 50, 2000, 7)
	ix, err := geo.NewIndex(&withOverlays)
	if err != nil {
		b.Fatal(err)
	}
	pts := randomPoints(ds.County.Bound(), 1<<12)
	now := time.Now()
	b.Run("grid-only", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = plain.Lookup(pts[i&(len(pts)-1)])
		}
	})
	b.Run("grid-beside-overlays", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = ix.Lookup(pts[i&(len(pts)-1)])
		}
	})
	areas := make([]*geo.Area, 0, 64)
	near := make([]geo.PlaceNear, 0, 256)
	b.Run("with-areas", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			p := pts[i&(len(pts)-1)]
			_ = ix.Lookup(p)
			areas = ix.AreasAt(p, now, areas[:0])
		}
	})
	b.Run("with-places", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			p := pts[i&(len(pts)-1)]
			_ = ix.Lookup(p)
			near = ix.PlacesNear(p, 500, now, near[:0])
		}
	})
	type answer struct {
		at  orb.Point
		cos float64
	}
	answers := make([][]answer, len(pts))
	for i, p := range pts {
		for _, n := range ix.PlacesNear(p, 500, now, nil) {
			answers[i] = append(answers[i], answer{n.Place.Location, geo.LatCos(n.Place.Location[1])})
		}
	}
	b.Run("grid-and-distances", func(b *testing.B) {
		b.ReportAllocs()
		sum := 0.0
		for i := 0; b.Loop(); i++ {
			p := pts[i&(len(pts)-1)]
			_ = ix.Lookup(p)
			if as := answers[i&(len(pts)-1)]; len(as) > 0 {
				cos := geo.LatCos(p[1])
				for _, a := range as {
					sum += geo.DistanceCos(p, a.at, cos, a.cos)
				}
			}
		}
		_ = sum
	})
	b.Run("with-places-grid", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			p := pts[i&(len(pts)-1)]
			_ = ix.Lookup(p)
			near = ix.PlacesNearWithoutRaster(p, 500, now, near[:0])
		}
	})
	b.Run("with-overlays", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			p := pts[i&(len(pts)-1)]
			_ = ix.Lookup(p)
			areas = ix.AreasAt(p, now, areas[:0])
			near = ix.PlacesNear(p, 500, now, near[:0])
		}
	})
	b.Run("paired", func(b *testing.B) {
		pairLookups(b, pts, func(p orb.Point) geo.Hit {
			hit := ix.Lookup(p)
			areas = ix.AreasAt(p, now, areas[:0])
			near = ix.PlacesNear(p, 500, now, near[:0])
			return hit
		}, plain.Lookup)
	})
	// The lookup as it was when the overlays were asked for (issue 17):
	// the R-trees and the exact test, before the cell cover made it five to
	// ten times faster; "a lookup with its overlays within 1.5× of today's"
	// is this pair's ratio.
	b.Run("grid-as-filed", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = plain.LookupExact(pts[i&(len(pts)-1)])
		}
	})
	b.Run("paired-vs-as-filed", func(b *testing.B) {
		pairLookups(b, pts, func(p orb.Point) geo.Hit {
			hit := ix.Lookup(p)
			areas = ix.AreasAt(p, now, areas[:0])
			near = ix.PlacesNear(p, 500, now, near[:0])
			return hit
		}, plain.LookupExact)
	})
	b.Run("naive-overlays", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			p := pts[i&(len(pts)-1)]
			_ = ix.Lookup(p)
			areas = areas[:0]
			for k := range withOverlays.Areas {
				if planar.MultiPolygonContains(withOverlays.Areas[k].Geometry, p) {
					areas = append(areas, &withOverlays.Areas[k])
				}
			}
			near = near[:0]
			for k := range withOverlays.Places {
				if d := geo.DistanceMeters(p, withOverlays.Places[k].Location); d <= 500 {
					near = append(near, geo.PlaceNear{Place: &withOverlays.Places[k], DistanceMeters: d})
				}
			}
		}
	})
}
