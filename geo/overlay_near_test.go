package geo_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// TestDistanceCosIsDistanceMeters: the distance the place raster measures
// with, its cosines computed apart, is DistanceMeters to the bit, for
// pairs from a metre to across the globe.
func TestDistanceCosIsDistanceMeters(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	for k := range 200000 {
		a := orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		scale := math.Pow(10, -float64(k%8)) // from 1 degree to 1e-7 (about a centimetre)
		b := orb.Point{a[0] + (rng.Float64()*2-1)*scale*100, a[1] + (rng.Float64()*2-1)*scale}
		if k%5 == 0 {
			b = orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		}
		b[1] = max(-90, min(90, b[1]))
		if got, want := geo.DistanceCos(a, b, geo.LatCos(a[1]), geo.LatCos(b[1])), geo.DistanceMeters(a, b); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("distance from %v to %v: %v with the cosines given, DistanceMeters %v", a, b, got, want)
		}
	}
}

// nearScan is what PlacesNear must answer for any radius up to widest:
// every place in force by DistanceMeters, nearest first and by id among
// equals. within cuts it to a radius.
func nearScan(ds *geo.Dataset, p orb.Point, widest float64, at time.Time) []geo.PlaceNear {
	var out []geo.PlaceNear
	for i := range ds.Places {
		pl := &ds.Places[i]
		if d := geo.DistanceMeters(p, pl.Location); d <= widest && pl.In(at) {
			out = append(out, geo.PlaceNear{Place: pl, DistanceMeters: d})
		}
	}
	slices.SortStableFunc(out, func(a, b geo.PlaceNear) int {
		if a.DistanceMeters != b.DistanceMeters {
			return cmpFloat(a.DistanceMeters, b.DistanceMeters)
		}
		return cmpString(a.Place.ID, b.Place.ID)
	})
	return out
}

// within is the places of a nearest-first list within radius.
func within(near []geo.PlaceNear, radius float64) []geo.PlaceNear {
	n := 0
	for n < len(near) && near[n].DistanceMeters <= radius {
		n++
	}
	return near[:n]
}

func cmpFloat(a, b float64) int {
	if a < b {
		return -1
	}
	return 1
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sameNear reports where got and want differ: the same places, in the
// same order, at the same distances to the bit.
func sameNear(got, want []geo.PlaceNear) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d places, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Place != want[i].Place || math.Float64bits(got[i].DistanceMeters) != math.Float64bits(want[i].DistanceMeters) {
			return fmt.Errorf("place %d is %s at %v m, want %s at %v m", i, got[i].Place.ID, got[i].DistanceMeters, want[i].Place.ID, want[i].DistanceMeters)
		}
	}
	return nil
}

// TestPlacesNearRasterIsExact: the raster that answers PlacesNear up to
// its radius gives what a scan of every place gives, and what the place
// grid gave before it: the same places in the same order at the same
// distances, to the bit. Places lie on the raster's cell lines and
// corners, some with a period; points lie on those lines, one ulp beside
// them, on places and at the radius from them; radii run from 0 through
// the raster's bound to wider ones, and to each answer's exact distance
// and the float just below it.
func TestPlacesNearRasterIsExact(t *testing.T) {
	ds, ix := overlayIndex(t)
	xs, ys := ix.NearRasterLines()
	if len(xs) < 3 || len(ys) < 3 {
		t.Fatalf("the Lantian places have no raster (%d×%d lines)", len(xs), len(ys))
	}
	b := orb.Bound{Min: ds.Places[0].Location, Max: ds.Places[0].Location} // the places' extent
	for _, pl := range ds.Places {
		b = b.Extend(pl.Location)
	}
	rng := rand.New(rand.NewPCG(7, 17))
	inner := func(vs []float64) float64 { return vs[1+rng.IntN(len(vs)-2)] }
	lon := func() float64 { return b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]) }
	lat := func() float64 { return b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1]) }
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	// Places on the lines keep the places' extent, so the raster keeps its
	// lines: the test checks that below.
	for k := range 600 {
		var at orb.Point
		switch k % 3 {
		case 0:
			at = orb.Point{inner(xs), inner(ys)}
		case 1:
			at = orb.Point{inner(xs), lat()}
		default:
			at = orb.Point{lon(), inner(ys)}
		}
		if !(at[0] > b.Min[0] && at[0] < b.Max[0] && at[1] > b.Min[1] && at[1] < b.Max[1]) {
			continue
		}
		pl := geo.Place{ID: fmt.Sprintf("line-%03d", k), Name: "on a line", Kind: geo.PlaceOther, StationID: ds.Stations[0].ID, Location: at}
		switch k % 7 {
		case 1:
			pl.ValidTo = now // ended
		case 2:
			pl.ValidFrom = now.Add(-time.Hour) // in force
		case 3:
			pl.ValidFrom = now.Add(time.Hour) // not yet
		}
		ds.Places = append(ds.Places, pl)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	if xs2, ys2 := ix.NearRasterLines(); !slices.Equal(xs, xs2) || !slices.Equal(ys, ys2) {
		t.Fatal("the places on the lines moved the raster: the test would miss its lines")
	}
	var pts []orb.Point
	for range 1000 {
		pts = append(pts, orb.Point{lon(), lat()})
	}
	for range 300 {
		x, y := inner(xs), inner(ys)
		pts = append(pts, orb.Point{x, y}, orb.Point{math.Nextafter(x, -180), y}, orb.Point{x, math.Nextafter(y, -90)}, orb.Point{x, lat()}, orb.Point{lon(), y})
	}
	step := geo.NearRadiusMeters / geo.EarthRadiusMeters * 180 / math.Pi // the radius in degrees of latitude
	for range 300 {
		p := ds.Places[rng.IntN(len(ds.Places))].Location
		pts = append(pts, p, orb.Point{p[0], p[1] + step}, orb.Point{p[0], math.Nextafter(p[1]-step, 90)},
			orb.Point{p[0] + step/math.Cos(p[1]*math.Pi/180), p[1]})
	}
	radii := []float64{0, 1, 150, 499.999, geo.NearRadiusMeters, math.Nextafter(geo.NearRadiusMeters, 1e9), 750, 2000}
	served, answered, atDistance := 0, 0, 0
	for _, p := range pts {
		all := nearScan(ds, p, radii[len(radii)-1], now)
		rs := radii
		if widest := within(all, geo.NearRadiusMeters); len(widest) > 0 {
			n := widest[rng.IntN(len(widest))].DistanceMeters
			rs = append(slices.Clone(radii), n, math.Nextafter(n, 0))
			atDistance++
		}
		for _, r := range rs {
			want := within(all, r)
			if err := sameNear(ix.PlacesNear(p, r, now, nil), want); err != nil {
				t.Fatalf("PlacesNear(%v, %v m): %v", p, r, err)
			}
			if err := sameNear(ix.PlacesNearWithoutRaster(p, r, now, nil), want); err != nil {
				t.Fatalf("the place grid for (%v, %v m): %v", p, r, err)
			}
			got, ok := ix.PlacesNearByRaster(p, r, now)
			if ok != (r <= geo.NearRadiusMeters) {
				t.Fatalf("the raster answers (%v, %v m): %v; it answers every point of the county up to %v m and no wider radius", p, r, ok, geo.NearRadiusMeters)
			}
			if !ok {
				continue
			}
			served++
			if err := sameNear(got, want); err != nil {
				t.Fatalf("the raster for (%v, %v m): %v", p, r, err)
			}
			answered += len(got)
		}
	}
	if served == 0 || answered == 0 || atDistance == 0 {
		t.Fatalf("the raster served %d searches with %d places, %d at an answer's distance: the test would prove nothing", served, answered, atDistance)
	}
}
