package lantian

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/geo"
	"jingge/geo/topo"
)

// testSeed returns a fixed seed, printed so a failure can be replayed, and
// overridable with JINGGE_TEST_SEED.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(20240501)
	if s := os.Getenv("JINGGE_TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("JINGGE_TEST_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("random seed %d (set JINGGE_TEST_SEED to replay)", seed)
	return seed
}

func mustLoad(t testing.TB) (*geo.Dataset, *geo.Index) {
	t.Helper()
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	return ds, ix
}

func gridsOf(ds *geo.Dataset, level geo.Level) []*geo.Grid {
	var out []*geo.Grid
	for i := range ds.Grids {
		if ds.Grids[i].Level == level {
			out = append(out, &ds.Grids[i])
		}
	}
	return out
}

func TestCounts(t *testing.T) {
	ds, ix := mustLoad(t)
	if got := len(ds.Stations); got != 15 {
		t.Errorf("stations = %d, want 15", got)
	}
	if got := len(ds.Townships); got != 19 {
		t.Errorf("townships = %d, want 19", got)
	}
	if got := len(gridsOf(ds, geo.CommunityLevel)); got != 352 {
		t.Errorf("community grids = %d, want 352 (one per village or community)", got)
	}
	for _, p := range gridsOf(ds, geo.PoliceLevel) {
		if n := len(ix.Children(p.ID)); n < 2 || n > 6 {
			t.Errorf("police grid %s %s has %d community grids, want 2–6", p.ID, p.Name, n)
		}
	}
	for _, g := range ds.Grids {
		if len(g.ID) != 14 {
			t.Errorf("grid %s: code is not 12+2 digits", g.ID)
		}
		if len(ix.Members(g.ID)) == 0 {
			t.Errorf("grid %s %s has no members", g.ID, g.Name)
		}
	}
	regions := map[geo.Terrain]int{}
	for _, s := range ds.Stations {
		regions[s.Region]++
	}
	want := map[geo.Terrain]int{geo.Plain: 5, geo.Plateau: 5, geo.Hill: 2, geo.Mountain: 3}
	for r, n := range want {
		if regions[r] != n {
			t.Errorf("%s stations = %d, want %d", r, regions[r], n)
		}
	}
}

func TestGeometryValid(t *testing.T) {
	ds, _ := mustLoad(t)
	for _, g := range ds.Grids {
		if err := topo.ValidateMultiPolygon(g.Geometry); err != nil {
			t.Errorf("grid %s %s: %v", g.ID, g.Name, err)
		}
	}
	for _, tw := range ds.Townships {
		if err := topo.ValidateMultiPolygon(tw.Geometry); err != nil {
			t.Errorf("township %s: %v", tw.Name, err)
		}
	}
	if err := topo.ValidateMultiPolygon(ds.County); err != nil {
		t.Errorf("county: %v", err)
	}
}

// TestAreasSum: each level's areas add up to the county's. With the other
// tests (no overlaps, every point covered) this is the partition.
func TestAreasSum(t *testing.T) {
	ds, _ := mustLoad(t)
	county := planar.Area(ds.County)
	sum := func(mps []orb.MultiPolygon) float64 {
		s := 0.0
		for _, mp := range mps {
			s += planar.Area(mp)
		}
		return s
	}
	var community, police, townships []orb.MultiPolygon
	for _, g := range ds.Grids {
		if g.Level == geo.CommunityLevel {
			community = append(community, g.Geometry)
		} else {
			police = append(police, g.Geometry)
		}
	}
	for _, tw := range ds.Townships {
		townships = append(townships, tw.Geometry)
	}
	for name, mps := range map[string][]orb.MultiPolygon{"community": community, "police": police, "township": townships} {
		if got := sum(mps); math.Abs(got-county)/county > 1e-9 {
			t.Errorf("%s areas sum to %.9f, county is %.9f", name, got, county)
		}
	}
}

// TestRandomPointsInExactlyOneGrid: many random points each fall in exactly
// one grid of each level when inside the county, and in none outside it;
// the index agrees with a brute-force scan.
func TestRandomPointsInExactlyOneGrid(t *testing.T) {
	ds, ix := mustLoad(t)
	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	county := geo.Prepare(ds.County)
	b := ds.County.Bound()
	levels := map[geo.Level][]*geo.Prepared{}
	for i := range ds.Grids {
		levels[ds.Grids[i].Level] = append(levels[ds.Grids[i].Level], geo.Prepare(ds.Grids[i].Geometry))
	}
	n := 50000
	if testing.Short() {
		n = 5000
	}
	for range n {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		in := county.Contains(p)
		for level, preps := range levels {
			hits := 0
			for _, pp := range preps {
				if pp.Contains(p) {
					hits++
				}
			}
			if (in && hits != 1) || (!in && hits != 0) {
				t.Fatalf("point %v (in county: %v) is in %d %s grids", p, in, hits, level)
			}
		}
		if h := ix.Lookup(p); h.Found() != in {
			t.Fatalf("index lookup of %v found=%v, county says %v", p, h.Found(), in)
		}
	}
}

// TestBoundaryPointsInExactlyOneGrid: the hard cases, vertices and edge
// midpoints of every grid, land in exactly one community grid by the
// half-open rule unless they are on the county outline (where the east/north
// rule may put them outside), and the index gives every one of them a grid:
// the scan's grid, or one of the grids whose edge an outline point is on.
func TestBoundaryPointsInExactlyOneGrid(t *testing.T) {
	ds, ix := mustLoad(t)
	community := gridsOf(ds, geo.CommunityLevel)
	preps := make([]*geo.Prepared, len(community))
	for i, g := range community {
		preps[i] = geo.Prepare(g.Geometry)
	}
	onOutline := map[orb.Point]bool{}
	for _, poly := range ds.County {
		for _, ring := range poly {
			for k := 0; k+1 < len(ring); k++ {
				onOutline[ring[k]] = true
				onOutline[mid(ring[k], ring[k+1])] = true
			}
		}
	}
	checked := 0
	for gi, g := range community {
		for _, poly := range g.Geometry {
			for _, ring := range poly {
				for k := 0; k+1 < len(ring); k += 3 {
					for _, p := range []orb.Point{ring[k], mid(ring[k], ring[k+1])} {
						hits := 0
						for _, pp := range preps {
							if pp.Contains(p) {
								hits++
							}
						}
						if hits > 1 || (hits == 0 && !onOutline[p]) {
							t.Fatalf("boundary point %v of grid %s is in %d grids", p, community[gi].ID, hits)
						}
						h := ix.Lookup(p)
						switch {
						case h.Community == nil:
							t.Fatalf("boundary point %v of grid %s has no grid", p, community[gi].ID)
						case hits == 1 && !preps[slices.Index(community, h.Community)].Contains(p):
							t.Fatalf("index and scan disagree at %v", p)
						case hits == 0 && !preps[slices.Index(community, h.Community)].OnBoundary(p):
							t.Fatalf("outline point %v is given to grid %s, whose edge it is not on", p, h.Community.ID)
						}
						checked++
					}
				}
			}
		}
	}
	t.Logf("%d boundary points checked", checked)
}

func mid(a, b orb.Point) orb.Point { return orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2} }

// TestStationsContiguous: each station's grids form one piece (grids are
// neighbours when they share a border segment).
func TestStationsContiguous(t *testing.T) {
	ds, _ := mustLoad(t)
	police := gridsOf(ds, geo.PoliceLevel)
	owner := map[[2]orb.Point][]int{}
	for i, g := range police {
		for _, poly := range g.Geometry {
			for _, ring := range poly {
				for k := 0; k+1 < len(ring); k++ {
					a, b := ring[k], ring[k+1]
					if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
						a, b = b, a
					}
					owner[[2]orb.Point{a, b}] = append(owner[[2]orb.Point{a, b}], i)
				}
			}
		}
	}
	adj := make([]map[int]bool, len(police))
	for i := range adj {
		adj[i] = map[int]bool{}
	}
	for _, o := range owner {
		if len(o) == 2 {
			adj[o[0]][o[1]] = true
			adj[o[1]][o[0]] = true
		}
	}
	for _, s := range ds.Stations {
		var members []int
		for i, g := range police {
			if g.StationID == s.ID {
				members = append(members, i)
			}
		}
		if len(members) == 0 {
			t.Errorf("station %s has no grids", s.ID)
			continue
		}
		seen := map[int]bool{members[0]: true}
		stack := []int{members[0]}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for y := range adj[x] {
				if !seen[y] && police[y].StationID == s.ID {
					seen[y] = true
					stack = append(stack, y)
				}
			}
		}
		if len(seen) != len(members) {
			t.Errorf("station %s: %d of its %d police grids are reachable from the first; its area is not one piece", s.ID, len(seen), len(members))
		}
	}
}

func TestStationsStandInTheirArea(t *testing.T) {
	ds, ix := mustLoad(t)
	for _, s := range ds.Stations {
		h := ix.Lookup(s.Location)
		if h.Station == nil || h.Station.ID != s.ID {
			t.Errorf("station %s at %v is not inside its own area (lookup: %+v)", s.ID, s.Location, h.Station)
		}
	}
}

func TestCountySeatLookup(t *testing.T) {
	_, ix := mustLoad(t)
	h := ix.Lookup(orb.Point{109.317, 34.152})
	if h.Community == nil || h.Community.Township != "610122001" {
		t.Fatalf("county seat lookup = %+v, want a grid of 蓝关街道", h.Community)
	}
	t.Logf("county seat: %s %s, police grid %s, station %s", h.Community.ID, h.Community.Name, h.Police.Name, h.Station.Name)
	if h.Station.ID != "wenjilu" && h.Station.ID != "chengguan" {
		t.Errorf("county seat station = %s, want wenjilu or chengguan", h.Station.ID)
	}
}
