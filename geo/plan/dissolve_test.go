package plan

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/geo"
)

func cellsOf(cells [][2]int) []*geo.Grid {
	var out []*geo.Grid
	for _, c := range cells {
		out = append(out, &geo.Grid{Geometry: orb.MultiPolygon{{cellRing(c[0], c[1])}}})
	}
	return out
}

func TestDissolve(t *testing.T) {
	ring3x3 := [][2]int{{0, 0}, {1, 0}, {2, 0}, {0, 1}, {2, 1}, {0, 2}, {1, 2}, {2, 2}}
	tests := []struct {
		name     string
		cells    [][2]int
		polygons int
		holes    int
		vertices int // of the first exterior, closing point included; 0: do not check
	}{
		{name: "none", cells: nil, polygons: 0},
		{name: "one cell", cells: [][2]int{{0, 0}}, polygons: 1, vertices: 5},
		{name: "2×2 block", cells: [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}}, polygons: 1, vertices: 9},
		{name: "apart", cells: [][2]int{{0, 0}, {5, 5}}, polygons: 2},
		{name: "touching at a corner", cells: [][2]int{{0, 0}, {1, 1}}, polygons: 2, vertices: 5},
		{name: "ring around a hole", cells: ring3x3, polygons: 1, holes: 1, vertices: 13},
		{name: "hole touching the outline at a corner", cells: ring3x3[:7], polygons: 1, holes: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			grids := cellsOf(tc.cells)
			mp := Dissolve(grids)
			if len(mp) != tc.polygons {
				t.Fatalf("%d polygons, want %d: %v", len(mp), tc.polygons, mp)
			}
			holes := 0
			for _, p := range mp {
				holes += len(p) - 1
				for k, r := range p {
					if r[0] != r[len(r)-1] {
						t.Errorf("ring %d is not closed", k)
					}
					if want := map[bool]orb.Orientation{true: orb.CCW, false: orb.CW}[k == 0]; r.Orientation() != want {
						t.Errorf("ring %d has orientation %v, want %v", k, r.Orientation(), want)
					}
				}
			}
			if holes != tc.holes {
				t.Errorf("%d holes, want %d", holes, tc.holes)
			}
			if tc.vertices > 0 && len(mp[0][0]) != tc.vertices {
				t.Errorf("first exterior has %d points, want %d", len(mp[0][0]), tc.vertices)
			}
			sum := 0.0
			for _, g := range grids {
				sum += planar.Area(g.Geometry)
			}
			if got := planar.Area(mp); math.Abs(got-sum) > 1e-12 {
				t.Errorf("area %v, grids add to %v", got, sum)
			}
		})
	}
}

// Dissolving each station's police grids gives one polygon whose boundary
// is as long as the station's measured perimeter, and dissolving them all
// gives the county.
func TestDissolveLantian(t *testing.T) {
	m := lantianModel(t, DefaultConfig())
	ms, err := m.Measure(m.Current())
	if err != nil {
		t.Fatal(err)
	}
	length := func(mp orb.MultiPolygon) float64 {
		km := 0.0
		for _, p := range mp {
			for _, r := range p {
				forEachSegment(r, func(a, b orb.Point) { km += segmentKm(a, b) })
			}
		}
		return km
	}
	for s, st := range m.stations {
		var grids []*geo.Grid
		for u, g := range m.units {
			if m.current[u] == int32(s) {
				grids = append(grids, g)
			}
		}
		mp := Dissolve(grids)
		if len(mp) != 1 {
			t.Errorf("station %s dissolves into %d polygons", st.ID, len(mp))
		}
		if got, want := length(mp), ms.Stations[s].PerimeterKm; !near(got, want, 1e-9) {
			t.Errorf("station %s: outline %.4f km, measured perimeter %.4f km", st.ID, got, want)
		}
		if got, want := geoAreaKm2(mp), ms.Stations[s].AreaKm2; !near(got, want, 1e-6) {
			t.Errorf("station %s: outline area %.4f km², grids %.4f km²", st.ID, got, want)
		}
	}
	all := Dissolve(m.units)
	county := m.ix.Dataset().County
	if len(all) != len(county) || !near(length(all), length(county), 1e-9) {
		t.Errorf("all grids dissolve into %d polygons of %.3f km, county has %d of %.3f km", len(all), length(all), len(county), length(county))
	}
}

// Random subsets of a jittered lattice: the outline keeps the area, its
// rings are simple, and its length is that of the segments found once.
func TestDissolveRandomSubsets(t *testing.T) {
	for _, seed := range testSeeds(t, 1, 2, 3, 4, 5, 6, 7, 8) {
		ix, _ := region(t, 12, 2, seed)
		rng := rand.New(rand.NewPCG(seed, 5))
		var grids []*geo.Grid
		for _, g := range ix.Grids(geo.GridFilter{}) {
			if rng.IntN(2) == 0 {
				grids = append(grids, g)
			}
		}
		mp := Dissolve(grids)
		sum := 0.0
		for _, g := range grids {
			sum += planar.Area(g.Geometry)
		}
		if got := planar.Area(mp); !near(got, sum, 1e-9) {
			t.Errorf("seed %d: area %v, grids add to %v", seed, got, sum)
		}
		for _, p := range mp {
			for _, r := range p {
				seen := map[orb.Point]bool{}
				for _, q := range r[:len(r)-1] {
					if seen[q] {
						t.Fatalf("seed %d: ring passes %v twice", seed, q)
					}
					seen[q] = true
				}
			}
		}
		once := map[segKey]int{}
		for _, g := range grids {
			forEachSegment(g.Geometry[0][0], func(a, b orb.Point) { once[keyOf(a, b)]++ })
		}
		want, got := 0.0, 0.0
		for k, n := range once {
			if n == 1 {
				want += segmentKm(orb.Point{k[0], k[1]}, orb.Point{k[2], k[3]})
			}
		}
		for _, p := range mp {
			for _, r := range p {
				forEachSegment(r, func(a, b orb.Point) { got += segmentKm(a, b) })
			}
		}
		if !near(got, want, 1e-9) {
			t.Errorf("seed %d: outline %.6f km, unshared segments %.6f km", seed, got, want)
		}
	}
}

func TestStationOutlinesFollowThePlan(t *testing.T) {
	m := twoStations(t, nil)
	d := m.Current()
	d.Grids["g0"] = "b"
	out, err := m.StationOutlines(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out["a"]; ok || len(out["b"]) != 1 || len(out["b"][0][0]) != 7 {
		t.Errorf("outlines %v, want b alone as one 2×1 rectangle (6 vertices)", out)
	}
	d.Grids["g0"] = "nowhere"
	if _, err := m.StationOutlines(d); err == nil {
		t.Error("an unknown station was accepted")
	}
}
