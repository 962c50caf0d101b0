package plan

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/data/lantian"
	"jingge/geo"
	"jingge/geo/geotest"
)

// -seed reruns the random property tests with one seed; they print the
// seeds they use, so a failure can be replayed.
var seedFlag = flag.Uint64("seed", 0, "seed for the random property tests (0: a fixed list)")

func testSeeds(t *testing.T, fixed ...uint64) []uint64 {
	t.Helper()
	if *seedFlag != 0 {
		return []uint64{*seedFlag}
	}
	return fixed
}

var lantianOnce struct {
	sync.Once
	ix        *geo.Index
	incidents []geo.Incident
	err       error
}

// lantianData loads the bundled dataset and its year of synthetic
// incidents once per test binary.
func lantianData(tb testing.TB) (*geo.Index, []geo.Incident) {
	tb.Helper()
	lantianOnce.Do(func() {
		ds, err := lantian.Load()
		if err != nil {
			lantianOnce.err = err
			return
		}
		lantianOnce.incidents, err = lantian.Incidents(ds, lantian.DefaultSeed)
		if err != nil {
			lantianOnce.err = err
			return
		}
		lantianOnce.ix, lantianOnce.err = geo.NewIndex(ds)
	})
	if lantianOnce.err != nil {
		tb.Fatal(lantianOnce.err)
	}
	return lantianOnce.ix, lantianOnce.incidents
}

// lantianModel is the model of the bundled dataset under cfg, with ages
// measured from the end of the incident year.
func lantianModel(tb testing.TB, cfg Config) *Model {
	tb.Helper()
	ix, inc := lantianData(tb)
	m, err := NewModel(ix, inc, lantian.DefaultIncidentsEnd, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// mustModel builds a model or fails the test.
func mustModel(tb testing.TB, ds *geo.Dataset, inc []geo.Incident, at time.Time, cfg Config) *Model {
	tb.Helper()
	ix, err := geo.NewIndex(ds)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := NewModel(ix, inc, at, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// timeOfEnd ends the incident year of region.
var timeOfEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// region is a synthetic territory of n×n police grids (a jittered lattice
// whose neighbours share identical edges) split into k×k stations of
// contiguous square blocks, with random terrain per station, population
// per grid, 4–24 officers per station and about one incident per 100
// residents a year, some grids much busier than others. The same
// arguments give the same region.
func region(tb testing.TB, n, k int, seed uint64) (*geo.Index, []geo.Incident) {
	tb.Helper()
	lat := geotest.Lattice(n, 1, 0.01, seed)
	rng := rand.New(rand.NewPCG(seed, 99))
	ds := &geo.Dataset{Meta: geo.Meta{Name: fmt.Sprintf("region %dx%d, %d stations", n, n, k*k), Datum: "wgs84"}}
	block := (n + k - 1) / k
	stationOf := func(i, j int) int { return (j/block)*k + i/block }
	centre := map[int]orb.Point{}
	for _, g := range lat.Grids {
		if g.Level != geo.CommunityLevel {
			continue
		}
		var i, j int
		if _, err := fmt.Sscanf(g.ID, "C%05d%05d", &i, &j); err != nil {
			tb.Fatal(err)
		}
		s := stationOf(i, j)
		if i%block == block/2 && j%block == block/2 {
			c, _ := planar.CentroidArea(g.Geometry)
			centre[s] = c
		}
		g.Level, g.ParentID, g.StationID = geo.PoliceLevel, "", fmt.Sprintf("s%03d", s)
		g.Population = 200 + rng.IntN(3000)
		ds.Grids = append(ds.Grids, g)
	}
	for s := range k * k {
		loc, ok := centre[s]
		if !ok { // a partial block at the edge: its first grid's centroid
			for _, g := range ds.Grids {
				if g.StationID == fmt.Sprintf("s%03d", s) {
					loc, _ = planar.CentroidArea(g.Geometry)
					break
				}
			}
		}
		ds.Stations = append(ds.Stations, geo.Station{ID: fmt.Sprintf("s%03d", s), Name: fmt.Sprintf("Station %d", s),
			Region: geo.Terrains[rng.IntN(len(geo.Terrains))], Location: loc})
		for o := range 4 + rng.IntN(21) {
			ds.Members = append(ds.Members, geo.Member{ID: fmt.Sprintf("m%03d-%02d", s, o), Role: geo.CommunityOfficer,
				StationID: fmt.Sprintf("s%03d", s)})
		}
	}
	end := timeOfEnd
	var inc []geo.Incident
	for _, g := range ds.Grids {
		busy := 1.0
		if rng.IntN(10) == 0 {
			busy = 5
		}
		c, _ := planar.CentroidArea(g.Geometry)
		for range int(float64(g.Population) / 100 * busy * rng.Float64() * 2) {
			inc = append(inc, geo.Incident{
				ID:           fmt.Sprintf("i%d", len(inc)),
				OccurredAt:   end.Add(-time.Duration(rng.IntN(365*24)) * time.Hour),
				Category:     geo.Categories[rng.IntN(len(geo.Categories))],
				Severity:     1 + rng.IntN(5),
				Location:     orb.Point{c[0] + (rng.Float64()-0.5)*0.004, c[1] + (rng.Float64()-0.5)*0.004},
				PoliceGridID: g.ID, StationID: g.StationID,
			})
		}
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		tb.Fatal(err)
	}
	return ix, inc
}

// cellRing is the closed counter-clockwise ring of lattice cell (i, j) of
// 0.01° cells from (109°E, 34°N). Corners are computed from their integer
// position, so neighbouring cells share bit-identical vertices.
func cellRing(i, j int) orb.Ring {
	at := func(i, j int) orb.Point { return orb.Point{109 + float64(i)*0.01, 34 + float64(j)*0.01} }
	return orb.Ring{at(i, j), at(i+1, j), at(i+1, j+1), at(i, j+1), at(i, j)}
}

// gridsDataset is a police-only dataset of unit squares (0.01°) at the
// given integer cells, each assigned to the station named in stations,
// all stations on the plain at the origin of their first cell.
func gridsDataset(cells [][2]int, stations []string, officers map[string]int) *geo.Dataset {
	ds := &geo.Dataset{Meta: geo.Meta{Name: "squares", Datum: "wgs84"}}
	seen := map[string]bool{}
	for i, c := range cells {
		ring := cellRing(c[0], c[1])
		ds.Grids = append(ds.Grids, geo.Grid{ID: fmt.Sprintf("g%d", i), Level: geo.PoliceLevel, StationID: stations[i],
			Population: 1000, Geometry: orb.MultiPolygon{{ring}}})
		if !seen[stations[i]] {
			seen[stations[i]] = true
			ds.Stations = append(ds.Stations, geo.Station{ID: stations[i], Region: geo.Plain, Location: orb.Point{ring[0][0] + 0.005, ring[0][1] + 0.005}})
		}
	}
	for _, s := range ds.Stations {
		for o := range officers[s.ID] {
			ds.Members = append(ds.Members, geo.Member{ID: fmt.Sprintf("%s-%d", s.ID, o), Role: geo.CommunityOfficer, StationID: s.ID})
		}
	}
	return ds
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }
