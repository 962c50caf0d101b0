package plan

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	ogeo "github.com/paulmach/orb/geo"
)

// geoSquare is a square of side km centred at c, with its sides along the
// meridian and the parallel.
func geoSquare(c orb.Point, km float64) orb.Ring {
	h := km * 1000 / 2
	dLat := h / (orb.EarthRadius * math.Pi / 180)
	dLon := dLat / math.Cos(rad(c[1]))
	return orb.Ring{{c[0] - dLon, c[1] - dLat}, {c[0] + dLon, c[1] - dLat}, {c[0] + dLon, c[1] + dLat}, {c[0] - dLon, c[1] + dLat}, {c[0] - dLon, c[1] - dLat}}
}

func geoCircle(c orb.Point, km float64, n int) orb.Ring {
	var r orb.Ring
	for k := range n {
		r = append(r, ogeo.PointAtBearingAndDistance(c, 360*float64(k)/float64(n), km*1000))
	}
	return append(r, r[0])
}

func TestCompactness(t *testing.T) {
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		want float64
		tol  float64
	}{
		{"square at the equator", orb.MultiPolygon{{geoSquare(orb.Point{0, 0}, 1)}}, math.Pi / 4, 1e-4},
		{"square in Lantian", orb.MultiPolygon{{geoSquare(orb.Point{109.3, 34.1}, 2)}}, math.Pi / 4, 1e-3},
		{"circle of 720 vertices", orb.MultiPolygon{{geoCircle(orb.Point{109.3, 34.1}, 3, 720)}}, 1, 1e-3},
		{"2:1 rectangle", orb.MultiPolygon{{orb.Ring{{0, 0}, {0.02, 0}, {0.02, 0.01}, {0, 0.01}, {0, 0}}}}, 4 * math.Pi * 2 / 36, 1e-3},
		{"empty", nil, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Compactness(tc.mp); math.Abs(got-tc.want) > tc.tol {
				t.Errorf("Compactness = %.6f, want %.6f ± %g", got, tc.want, tc.tol)
			}
		})
	}
}

// Shared borders between a station's own grids do not count towards its
// perimeter, so squares put together score as the shape they make.
func TestStationPerimeterCancelsSharedEdges(t *testing.T) {
	tests := []struct {
		name  string
		cells [][2]int
		want  float64 // Polsby–Popper of the union
	}{
		{"one square", [][2]int{{0, 0}}, math.Pi / 4},
		{"2×2 block", [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}}, math.Pi / 4},
		{"L of three", [][2]int{{0, 0}, {1, 0}, {0, 1}}, 4 * math.Pi * 3 / 64},
		{"row of four", [][2]int{{0, 0}, {1, 0}, {2, 0}, {3, 0}}, 4 * math.Pi * 4 / 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stations := make([]string, len(tc.cells))
			for i := range stations {
				stations[i] = "a"
			}
			m := mustModel(t, gridsDataset(tc.cells, stations, map[string]int{"a": 1}), nil, time.Time{}, DefaultConfig())
			ms, err := m.Measure(m.Current())
			if err != nil {
				t.Fatal(err)
			}
			// The cells are 0.01° squares at 34°N, so not square on the
			// ground; compare with the same shape measured directly.
			got := ms.Stations[0].PolsbyPopper
			lon := math.Cos(rad(34))
			scale := func(w, h float64) float64 { // PP of a w×h block of cells
				a, p := w*lon*h, 2*(w*lon+h)
				return 4 * math.Pi * a / (p * p)
			}
			var want float64
			switch tc.name {
			case "one square", "2×2 block":
				want = scale(1, 1)
			case "L of three":
				a, p := 3*lon, 4*lon+4
				want = 4 * math.Pi * a / (p * p)
			case "row of four":
				want = scale(4, 1)
			}
			if math.Abs(got-want) > 2e-3 {
				t.Errorf("Polsby–Popper %.5f, want %.5f (a true square shape would give %.5f)", got, want, tc.want)
			}
			if ms.Stations[0].Pieces != 1 {
				t.Errorf("pieces = %d, want 1", ms.Stations[0].Pieces)
			}
		})
	}
}

func TestBoundariesAdjacency(t *testing.T) {
	// Laid out as
	//   .  g2 g3
	//   g0 g1 .
	// g0 and g2 touch only at a corner, so they are not neighbours.
	cells := [][2]int{{0, 0}, {1, 0}, {1, 1}, {2, 1}}
	m := mustModel(t, gridsDataset(cells, []string{"a", "a", "b", "b"}, map[string]int{"a": 1, "b": 1}), nil, time.Time{}, DefaultConfig())
	vertical := segmentKm(orb.Point{109, 34}, orb.Point{109, 34.01})
	horizontal := segmentKm(orb.Point{109.01, 34.01}, orb.Point{109.02, 34.01})
	want := map[string]map[string]float64{
		"g0": {"g1": vertical},
		"g1": {"g0": vertical, "g2": horizontal},
		"g2": {"g1": horizontal, "g3": vertical},
		"g3": {"g2": vertical},
	}
	for g, nbs := range want {
		got, err := m.Neighbors(g)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(nbs) {
			t.Errorf("%s neighbours %v, want %v", g, got, nbs)
		}
		for nb, km := range nbs {
			if !near(got[nb], km, 1e-9) {
				t.Errorf("%s–%s shares %.6f km, want %.6f", g, nb, got[nb], km)
			}
		}
	}
	// Every edge is either outer or shared: outer + 2 × shared = all edges.
	all, outer, shared := 0.0, 0.0, 0.0
	for u, g := range m.units {
		forEachSegment(g.Geometry[0][0], func(a, b orb.Point) { all += segmentKm(a, b) })
		outer += m.outerKm[u]
		for _, nb := range m.adj[u] {
			shared += nb.km / 2
		}
	}
	if !near(shared, 2*vertical+horizontal, 1e-9) || !near(outer+2*shared, all, 1e-9) {
		t.Errorf("outer %.4f + 2 × shared %.4f != all %.4f", outer, shared, all)
	}
	if _, err := m.Neighbors("nope"); err == nil {
		t.Error("Neighbors of an unknown grid did not fail")
	}
}
