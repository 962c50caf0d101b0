package geo_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/data/lantian"
	"jingge/geo"
	"jingge/geo/geotest"
)

// overlayIndex is the Lantian dataset with 50 areas and 2,000 key places.
func overlayIndex(tb testing.TB) (*geo.Dataset, *geo.Index) {
	tb.Helper()
	ds, err := lantian.Load()
	if err != nil {
		tb.Fatal(err)
	}
	ds.Areas, ds.Places = nil, nil
	geotest.Overlays(ds, 50, 2000, 7)
	ix, err := geo.NewIndex(ds)
	if err != nil {
		tb.Fatal(err)
	}
	return ds, ix
}

func naiveAreas(ds *geo.Dataset, p orb.Point) []string {
	var out []string
	for _, a := range ds.Areas {
		if planar.MultiPolygonContains(a.Geometry, p) {
			out = append(out, a.ID)
		}
	}
	slices.Sort(out)
	return out
}

func naivePlaces(ds *geo.Dataset, p orb.Point, radius float64) []string {
	var out []string
	for _, pl := range ds.Places {
		if geo.DistanceMeters(p, pl.Location) <= radius {
			out = append(out, pl.ID)
		}
	}
	slices.Sort(out)
	return out
}

// TestOverlaysAgreeWithAScan: for random points, the areas holding a point
// and the places within a radius are those a scan of every feature finds.
func TestOverlaysAgreeWithAScan(t *testing.T) {
	ds, ix := overlayIndex(t)
	b := ds.County.Bound()
	now := time.Now()
	inAny, nearAny := 0, 0
	for _, p := range randomPoints(b, 2000) {
		var got []string
		for _, a := range ix.AreasAt(p, now, nil) {
			got = append(got, a.ID)
		}
		if want := naiveAreas(ds, p); !slices.Equal(got, want) {
			t.Fatalf("AreasAt(%v) = %v, a scan finds %v", p, got, want)
		}
		inAny += len(got)
		near := ix.PlacesNear(p, 1500, now, nil)
		got = got[:0]
		for i, n := range near {
			got = append(got, n.Place.ID)
			if i > 0 && n.DistanceMeters < near[i-1].DistanceMeters {
				t.Fatalf("PlacesNear(%v) is not nearest first: %v", p, near)
			}
		}
		slices.Sort(got)
		if want := naivePlaces(ds, p, 1500); !slices.Equal(got, want) {
			t.Fatalf("PlacesNear(%v) = %v, a scan finds %v", p, got, want)
		}
		nearAny += len(got)
	}
	if inAny == 0 || nearAny == 0 {
		t.Fatalf("the test saw no area (%d) or no place (%d): it would prove nothing", inAny, nearAny)
	}
}

// TestOverlaysFollowValidity: an area or place out of its period is not
// answered.
func TestOverlaysFollowValidity(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	ds.Areas, ds.Places = nil, nil
	p := ds.Stations[0].Location
	d := 0.01
	ring := orb.Ring{{p[0] - d, p[1] - d}, {p[0] + d, p[1] - d}, {p[0] + d, p[1] + d}, {p[0] - d, p[1] + d}, {p[0] - d, p[1] - d}}
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ds.Areas = []geo.Area{{ID: "works", Kind: geo.AreaWorks, StationID: ds.Stations[0].ID, Validity: geo.Validity{ValidTo: end}, Geometry: orb.MultiPolygon{{ring}}}}
	ds.Places = []geo.Place{{ID: "school", Kind: geo.PlaceSchool, StationID: ds.Stations[0].ID, Validity: geo.Validity{ValidFrom: end}, Location: p}}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	before, after := end.Add(-time.Hour), end
	if got := ix.AreasAt(p, before, nil); len(got) != 1 {
		t.Errorf("before its end the works site holds the point: got %d areas", len(got))
	}
	if got := ix.AreasAt(p, after, nil); len(got) != 0 {
		t.Errorf("at its end the works site is gone: got %d areas", len(got))
	}
	if got := ix.PlacesNear(p, 10, before, nil); len(got) != 0 {
		t.Errorf("before it opens the school is not near: got %d", len(got))
	}
	if got := ix.PlacesNear(p, 10, after, nil); len(got) != 1 || got[0].DistanceMeters != 0 {
		t.Errorf("once open the school is at the point: got %+v", got)
	}
}

// TestOverlayLookupDoesNotAllocate: with room in the caller's slices, the
// areas and places of a lookup cost no allocation.
func TestOverlayLookupDoesNotAllocate(t *testing.T) {
	ds, ix := overlayIndex(t)
	pts := randomPoints(ds.County.Bound(), 256)
	areas := make([]*geo.Area, 0, 64)
	near := make([]geo.PlaceNear, 0, 256)
	now := time.Now()
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		p := pts[i%len(pts)]
		i++
		_ = ix.Lookup(p)
		areas = ix.AreasAt(p, now, areas[:0])
		near = ix.PlacesNear(p, 500, now, near[:0])
	})
	if allocs != 0 {
		t.Fatalf("a lookup with its areas and places allocates %.1f times", allocs)
	}
}

// TestOverlayCoverOnBorders: the raster that answers AreasAt gives what
// Prepared.Contains gives on every area's vertices, on its edges and next
// to them, and PlacesNear what a scan gives for radii from none to wider
// than the place grid serves.
func TestOverlayCoverOnBorders(t *testing.T) {
	ds, ix := overlayIndex(t)
	now := time.Now()
	prep := make([]*geo.Prepared, len(ds.Areas))
	for i := range ds.Areas {
		prep[i] = geo.Prepare(ds.Areas[i].Geometry)
	}
	var pts []orb.Point
	for _, a := range ds.Areas {
		for _, poly := range a.Geometry {
			for _, ring := range poly {
				for k := range ring {
					p, q := ring[k], ring[(k+1)%len(ring)]
					mid := orb.Point{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2}
					pts = append(pts, p, mid, orb.Point{p[0] + 1e-12, p[1]}, orb.Point{p[0], p[1] - 1e-12}, orb.Point{mid[0] - 1e-9, mid[1] + 1e-9})
				}
			}
		}
	}
	pts = append(pts, randomPoints(ds.County.Bound(), 2000)...)
	held := 0
	for _, p := range pts {
		var want []string
		for i := range ds.Areas {
			if prep[i].Contains(p) {
				want = append(want, ds.Areas[i].ID)
			}
		}
		slices.Sort(want)
		var got []string
		for _, a := range ix.AreasAt(p, now, nil) {
			got = append(got, a.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("AreasAt(%v) = %v, Prepared.Contains gives %v", p, got, want)
		}
		held += len(got)
	}
	if held == 0 {
		t.Fatal("no point was in an area: the test would prove nothing")
	}
	for _, r := range []float64{0, 50, 500, 2000, 20000} {
		for _, p := range randomPoints(ds.County.Bound(), 300) {
			var got []string
			for _, n := range ix.PlacesNear(p, r, now, nil) {
				got = append(got, n.Place.ID)
			}
			slices.Sort(got)
			if want := naivePlaces(ds, p, r); !slices.Equal(got, want) {
				t.Fatalf("PlacesNear(%v, %g m) = %d places, a scan finds %d", p, r, len(got), len(want))
			}
		}
	}
}

// TestPlacesNearHoldsThePlaceAtTheRadius: a place at exactly the radius by
// DistanceMeters is near, wherever it lies on the circle: due north or
// south, and at the circle's widest longitude, which lies a little
// further east or west than the radius over the cosine of the latitude.
func TestPlacesNearHoldsThePlaceAtTheRadius(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	ds.Areas, ds.Places = nil, nil
	type pair struct {
		at    orb.Point
		place int
	}
	var pairs []pair
	for k, p := range randomPoints(ds.County.Bound(), 2000) {
		r := []float64{100, 500, 600, 1500, 5000}[k%5]
		delta := r / geo.EarthRadiusMeters // radians
		phi := p[1] * math.Pi / 180
		var q orb.Point
		switch k % 4 {
		case 0, 1: // north, south
			q = orb.Point{p[0], p[1] + float64(1-2*(k%2))*delta*180/math.Pi}
		default: // the widest longitude, east or west
			dLon := math.Asin(math.Sin(delta)/math.Cos(phi)) * 180 / math.Pi
			q = orb.Point{p[0] + float64(5-2*(k%4))*dLon, math.Asin(math.Sin(phi)/math.Cos(delta)) * 180 / math.Pi}
		}
		pairs = append(pairs, pair{p, len(ds.Places)})
		ds.Places = append(ds.Places, geo.Place{ID: fmt.Sprintf("edge-%04d", k), Kind: geo.PlaceOther, StationID: ds.Stations[0].ID, Location: q})
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, pr := range pairs {
		want := &ds.Places[pr.place]
		r := geo.DistanceMeters(pr.at, want.Location)
		found := false
		for _, n := range ix.PlacesNear(pr.at, r, now, nil) {
			found = found || n.Place.ID == want.ID
		}
		if !found {
			t.Fatalf("PlacesNear(%v, %v m) misses %s at %v, exactly %v m away", pr.at, r, want.ID, want.Location, r)
		}
	}
}

// TestAreasAtOrdersByID: areas that hold a point come in the order of
// their ids whatever their order in the dataset, whether they hold the
// point's whole cell or are tested exactly, and an area out of its period
// is left out.
func TestAreasAtOrdersByID(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	ds.Areas, ds.Places = nil, nil
	c := ds.Stations[0].Location
	square := func(d float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}}}
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for k, id := range []string{"e", "c", "a", "d", "b"} {
		a := geo.Area{ID: id, Kind: geo.AreaOther, StationID: ds.Stations[0].ID, Geometry: square(0.01 * float64(k+1))}
		if id == "d" {
			a.ValidTo = now // ended
		}
		ds.Areas = append(ds.Areas, a)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []orb.Point{c, {c[0] + 0.0099, c[1]}, {c[0] - 0.01, c[1] - 0.01}, {c[0] + 0.0299, c[1] + 0.0299}} {
		var want []string
		for _, a := range ds.Areas {
			if a.In(now) && planar.MultiPolygonContains(a.Geometry, p) && (p[0] < a.Geometry.Bound().Max[0] && p[1] < a.Geometry.Bound().Max[1]) {
				want = append(want, a.ID)
			}
		}
		slices.Sort(want)
		var got []string
		for _, a := range ix.AreasAt(p, now, nil) {
			got = append(got, a.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("AreasAt(%v) = %v, want %v", p, got, want)
		}
	}
}
