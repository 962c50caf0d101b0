package tiles

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/geotest"
	"jingge/geo/topo"
)

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// TestLatticeArcs checks the arcs of an n×n lattice: one per lattice edge,
// except that the four outer corners are not junctions (two neighbours
// each), so the boundary edges meeting there form one arc; police grids
// (2×2 blocks) add no arc of their own.
func TestLatticeArcs(t *testing.T) {
	const n = 4
	ds := geotest.Lattice(n, 3, 0.01, 1)
	s := NewSource(mustIndex(t, ds), Options{})
	st := s.Stats()
	if want := 2*n*(n+1) - 4; st.Arcs != want || st.ClosedArcs != 0 {
		t.Errorf("arcs %d (closed %d), want %d (0)", st.Arcs, st.ClosedArcs, want)
	}
	if want := (n+1)*(n+1) - 4; st.Junctions != want {
		t.Errorf("junctions %d, want %d", st.Junctions, want)
	}
	county := s.byName[LayerCounty].features[0]
	if len(county.shape) != 1 || len(county.shape[0]) != 1 || len(county.shape[0][0]) != 4*n-4 {
		t.Errorf("county outline %v, want one ring of %d arcs", county.shape, 4*n-4)
	}
	// The dissolved county has the area of all cells together.
	cells := 0.0
	for _, f := range s.byName[LayerCommunityGrids].features {
		cells += s.topo.area(f.shape[0][0])
	}
	if got := s.topo.area(county.shape[0][0]); math.Abs(got-cells) > 1e-12*math.Abs(cells) {
		t.Errorf("county area %g, cells %g", got, cells)
	}
}

// TestClosedArcAndHole checks a grid inside a hole of another: its ring has
// no junction and becomes one closed arc shared by both, and the dissolved
// outline of the two has no hole.
func TestClosedArcAndHole(t *testing.T) {
	outer := square(109.0, 34.0, 109.1, 34.1)
	inner := square(109.04, 34.04, 109.06, 34.06)
	hole := orb.Ring{inner[0], inner[3], inner[2], inner[1], inner[0]}
	ds := &geo.Dataset{
		Meta:     geo.Meta{Name: "enclave", Datum: "wgs84"},
		Stations: []geo.Station{{ID: "a", Name: "A", Region: geo.Plain}, {ID: "b", Name: "B", Region: geo.Hill}},
		Grids: []geo.Grid{
			{ID: "P1", Level: geo.PoliceLevel, StationID: "a", Geometry: orb.MultiPolygon{{outer, hole}}},
			{ID: "P2", Level: geo.PoliceLevel, StationID: "b", Geometry: orb.MultiPolygon{{inner}}},
		},
	}
	s := NewSource(mustIndex(t, ds), Options{})
	if st := s.Stats(); st.ClosedArcs != 2 || st.Arcs != 2 {
		t.Errorf("stats %+v, want 2 closed arcs (outline and enclave)", st)
	}
	county := s.byName[LayerCounty].features[0]
	if len(county.shape) != 1 || len(county.shape[0]) != 1 {
		t.Errorf("county %v, want one polygon without holes", county.shape)
	}
	regions := s.byName[LayerRegions]
	plain := regions.features[regions.byID[string(geo.Plain)]]
	if len(plain.shape) != 1 || len(plain.shape[0]) != 2 {
		t.Errorf("plain region %v, want one polygon with one hole", plain.shape)
	}
	// The enclave survives simplification at every zoom it is a few pixels
	// wide; the grid around it is in the tile unless the tile and its
	// buffer lie wholly inside the enclave, where its hole leaves nothing.
	enclave := orb.Bound{Min: inner[0], Max: inner[2]}
	for z := 8; z <= 16; z++ {
		tile := tileAt(orb.Point{109.05, 34.05}, z)
		tb := tile.Bound()
		pad := (tb.Max[0] - tb.Min[0]) * float64(s.opts.Buffer) / float64(s.opts.Extent)
		want := 2
		if enclave.Contains(orb.Point{tb.Min[0] - pad, tb.Min[1] - pad}) && enclave.Contains(orb.Point{tb.Max[0] + pad, tb.Max[1] + pad}) {
			want = 1
		}
		layers := decodeTile(t, s, tile, LayerPoliceGrids)
		if layers == nil || len(layers[LayerPoliceGrids].Features) != want {
			t.Errorf("z%d: want %d grids in the tile", z, want)
			continue
		}
		for _, f := range layers[LayerPoliceGrids].Features {
			if err := validOGC(polygonsOf(f.Geometry)...); err != nil {
				t.Errorf("z%d %s: %v", z, f.Properties["id"], err)
			}
		}
	}
}

// TestPinchSplitsOutline checks a station whose two grids touch only at a
// corner (a checkerboard): its outline is two simple polygons, not one ring
// that crosses itself.
func TestPinchSplitsOutline(t *testing.T) {
	cell := func(i, j int) orb.MultiPolygon {
		x, y := 109.0+float64(i)*0.01, 34.0+float64(j)*0.01
		return orb.MultiPolygon{{square(x, y, x+0.01, y+0.01)}}
	}
	ds := &geo.Dataset{
		Meta:     geo.Meta{Name: "checkerboard", Datum: "wgs84"},
		Stations: []geo.Station{{ID: "a", Name: "A", Region: geo.Plain}, {ID: "b", Name: "B", Region: geo.Hill}},
		Grids: []geo.Grid{
			{ID: "A1", Level: geo.PoliceLevel, StationID: "a", Geometry: cell(0, 0)},
			{ID: "A2", Level: geo.PoliceLevel, StationID: "a", Geometry: cell(1, 1)},
			{ID: "B1", Level: geo.PoliceLevel, StationID: "b", Geometry: cell(1, 0)},
			{ID: "B2", Level: geo.PoliceLevel, StationID: "b", Geometry: cell(0, 1)},
		},
	}
	s := NewSource(mustIndex(t, ds), Options{})
	stations := s.byName[LayerStations]
	for _, id := range []string{"a", "b"} {
		f := stations.features[stations.byID[id]]
		if len(f.shape) != 2 {
			t.Fatalf("station %s: %d polygons, want 2", id, len(f.shape))
		}
		for _, p := range f.shape {
			r := s.topo.ringWorld(p[0])
			if err := topo.ValidatePolygon(orb.Polygon{r}); err != nil {
				t.Errorf("station %s: %v", id, err)
			}
		}
	}
}

// TestCleanRing checks repeats and the closing point are dropped and
// degenerate rings refused.
func TestCleanRing(t *testing.T) {
	got := cleanRing(orb.Ring{{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 0}, {0, 0}})
	if len(got) != 3 {
		t.Errorf("cleanRing = %v, want 3 points", got)
	}
	if got := cleanRing(orb.Ring{{0, 0}, {1, 0}, {0, 0}}); got != nil {
		t.Errorf("cleanRing of a spike = %v, want nil", got)
	}
}
