package plan

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/data/lantian"
	"jingge/geo"
)

// TestMeasureAfterApplyingIsTheProposal applies a proposal the way the
// stores do (moved grids keep their terrain: their own, else the one they
// had under their old station) and measures the resulting dataset afresh:
// every figure but the change against today equals the proposal's. Without
// the terrain kept, grids that cross into a station of another region
// would measure differently, which the test also shows, so it cannot pass
// for want of such moves.
func TestMeasureAfterApplyingIsTheProposal(t *testing.T) {
	cases := []struct {
		name string
		data func(t *testing.T) (*geo.Index, []geo.Incident, time.Time)
	}{
		{"Lantian", func(t *testing.T) (*geo.Index, []geo.Incident, time.Time) {
			ix, inc := lantianData(t)
			return ix, inc, lantian.DefaultIncidentsEnd
		}},
		{"no terrain per grid", func(t *testing.T) (*geo.Index, []geo.Incident, time.Time) {
			// region records terrain only per station; with seed 2 six of
			// the proposal's eight grid moves cross into another region.
			ix, inc := region(t, 12, 3, 2)
			return ix, inc, timeOfEnd
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ix, inc, at := c.data(t)
			cfg := DefaultConfig()
			m, err := NewModel(ix, inc, at, cfg)
			if err != nil {
				t.Fatal(err)
			}
			p, err := m.Propose(m.Current(), ProposeOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			crossing := 0
			for _, mv := range p.GridMoves {
				from, _ := ix.Station(mv.From)
				to, _ := ix.Station(mv.To)
				g, _ := ix.Grid(mv.GridID)
				if from.Region != to.Region && ix.GridTerrain(g) == from.Region {
					crossing++
				}
			}
			t.Logf("%d grid moves, %d into a station of another region; CV %.4f -> %.4f", len(p.GridMoves), crossing, p.Before.Balance.CV, p.After.Balance.CV)
			if crossing == 0 {
				t.Fatal("no grid of the proposal crosses into another region; the test proves nothing")
			}

			measure := func(ds *geo.Dataset) Measures {
				t.Helper()
				ix2, err := geo.NewIndex(ds)
				if err != nil {
					t.Fatal(err)
				}
				m2, err := NewModel(ix2, inc, at, cfg)
				if err != nil {
					t.Fatal(err)
				}
				got, err := m2.Measure(m2.Current())
				if err != nil {
					t.Fatal(err)
				}
				// Change and the objective are taken against the deployment
				// in force, which is now the proposal itself.
				got.Change, got.Objective = p.After.Change, p.After.Objective
				return got
			}
			got := measure(applyForTest(t, ix, p.Deployment, cfg.Workload.OfficerRoles, true))
			if !reflect.DeepEqual(got, p.After) {
				t.Errorf("measured after applying: CV %.6f, mean response %.4f min; proposed: CV %.6f, mean response %.4f min",
					got.Balance.CV, got.Response.MeanMinutes, p.After.Balance.CV, p.After.Response.MeanMinutes)
				for i := range got.Stations {
					if g, w := got.Stations[i], p.After.Stations[i]; g != w {
						t.Errorf("station %s after applying %+v, proposed %+v", g.StationID, g, w)
					}
				}
			}
			lost := measure(applyForTest(t, ix, p.Deployment, cfg.Workload.OfficerRoles, false))
			t.Logf("with each grid taking its new station's region instead: CV %.4f, mean response %.2f min (proposed %.4f, %.2f min)",
				lost.Balance.CV, lost.Response.MeanMinutes, p.After.Balance.CV, p.After.Response.MeanMinutes)
			if lost.Balance.CV == p.After.Balance.CV || lost.Response.MeanMinutes == p.After.Response.MeanMinutes {
				t.Error("taking the new station's region changed neither the CV nor the mean response; the moves prove nothing")
			}
		})
	}
}

// applyForTest returns a copy of ix's dataset with deployment d in force:
// every police grid under d's station with its community grids, and
// officers (members holding one of roles) moved from stations above d's
// counts to those below, in dataset order. With keepTerrain a moved grid
// keeps the terrain it had (geo.Index.GridTerrain), as the stores'
// ApplyPlan does; without it, it has no terrain of its own and so takes
// its new station's region, as before grids had terrains.
func applyForTest(tb testing.TB, ix *geo.Index, d Deployment, roles []geo.Role, keepTerrain bool) *geo.Dataset {
	tb.Helper()
	ds := *ix.Dataset()
	ds.Grids = slices.Clone(ds.Grids)
	ds.Members = slices.Clone(ds.Members)
	station := map[string]string{}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		station[g.ID] = g.StationID
		top := g.ID
		if g.ParentID != "" {
			top = g.ParentID
		}
		to, ok := d.Grids[top]
		if !ok || to == g.StationID {
			continue
		}
		if keepTerrain {
			g.Terrain = ix.GridTerrain(g)
		} else {
			g.Terrain = ""
		}
		g.StationID = to
	}
	have := map[string]int{}
	for i := range ds.Members {
		mem := &ds.Members[i]
		if !slices.Contains(roles, mem.Role) {
			continue
		}
		if mem.StationID == "" && len(mem.GridIDs) > 0 {
			mem.StationID = station[mem.GridIDs[0]]
		}
		have[mem.StationID]++
	}
	for i := range ds.Members {
		mem := &ds.Members[i]
		if !slices.Contains(roles, mem.Role) || have[mem.StationID] <= d.Officers[mem.StationID] {
			continue
		}
		for _, s := range ds.Stations {
			if have[s.ID] < d.Officers[s.ID] {
				have[mem.StationID]--
				have[s.ID]++
				mem.StationID = s.ID
				break
			}
		}
	}
	for _, s := range ds.Stations {
		if have[s.ID] != d.Officers[s.ID] {
			tb.Fatalf("station %s has %d officers after applying, the deployment %d", s.ID, have[s.ID], d.Officers[s.ID])
		}
	}
	return &ds
}

// TestTerrainOfCommunityGrids checks which terrain each figure takes: a
// police grid's workload its own terrain factor (hill), an incident's
// response and a village's coverage the road speed of the village they are
// in — the village's own terrain (mountain) where it has one, else its
// police grid's (hill), never the station's region (plain).
func TestTerrainOfCommunityGrids(t *testing.T) {
	west, east := cellRing(0, 0), cellRing(1, 0)
	police := orb.Ring{west[0], east[1], east[2], west[3], west[0]}
	station := orb.Point{west[0][0] + 0.005, west[0][1] + 0.005} // the centre of the west village
	ds := &geo.Dataset{Meta: geo.Meta{Name: "villages", Datum: "wgs84"},
		Stations: []geo.Station{{ID: "a", Region: geo.Plain, Location: station}},
		Grids: []geo.Grid{
			{ID: "P", Level: geo.PoliceLevel, StationID: "a", Terrain: geo.Hill, Geometry: orb.MultiPolygon{{police}}},
			{ID: "W", Level: geo.CommunityLevel, StationID: "a", ParentID: "P", Population: 1000, Geometry: orb.MultiPolygon{{west}}},
			{ID: "E", Level: geo.CommunityLevel, StationID: "a", ParentID: "P", Population: 1000, Terrain: geo.Mountain, Geometry: orb.MultiPolygon{{east}}},
		},
		Members: []geo.Member{{ID: "o", Role: geo.CommunityOfficer, StationID: "a"}},
	}
	inWest := orb.Point{station[0], station[1] + 0.003}
	inEast := orb.Point{station[0] + 0.01, station[1]}
	incidents := []geo.Incident{
		{OccurredAt: refTime, CommunityGridID: "W", Location: inWest},
		{OccurredAt: refTime, PoliceGridID: "P", CommunityGridID: "E", Location: inEast},
		{OccurredAt: refTime, Location: inEast}, // found by lookup
	}
	cfg := DefaultConfig()
	m := mustModel(t, ds, incidents, refTime, cfg)

	gw := m.GridWorkloads()
	if len(gw) != 1 || gw[0].Terrain != geo.Hill || gw[0].TerrainFactor != cfg.Workload.TerrainFactors[geo.Hill] {
		t.Errorf("workload of P: %+v, want the hill's terrain factor", gw)
	}
	minutes := func(p orb.Point, tr geo.Terrain) float64 {
		km := distanceKm(rad(station[0]), rad(station[1]), rad(p[0]), rad(p[1]))
		return km * cfg.Travel.DetourFactor * 60 / cfg.Travel.SpeedsKmh[tr]
	}
	ms, err := m.Measure(m.Current())
	if err != nil {
		t.Fatal(err)
	}
	want := (minutes(inWest, geo.Hill) + 2*minutes(inEast, geo.Mountain)) / 3
	if !near(ms.Response.MeanMinutes, want, 1e-9) {
		t.Errorf("mean response %v min, want %v (west at hill speed, east at mountain speed)", ms.Response.MeanMinutes, want)
	}
	cov, err := m.Coverage(m.StationOrigins())
	if err != nil {
		t.Fatal(err)
	}
	speed := map[string]geo.Terrain{"W": geo.Hill, "E": geo.Mountain}
	for _, g := range cov.Grids {
		grid, _ := m.Index().Grid(g.GridID)
		c, _ := planar.CentroidArea(grid.Geometry)
		if w := minutes(c, speed[g.GridID]); !near(g.Minutes, w, 1e-9) {
			t.Errorf("coverage of %s: %v min, want %v at %s speed", g.GridID, g.Minutes, w, speed[g.GridID])
		}
	}
	if len(cov.Grids) != 2 {
		t.Errorf("coverage has %d grids, want the 2 villages", len(cov.Grids))
	}
}
