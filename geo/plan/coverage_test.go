package plan

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

func TestCoverageByHand(t *testing.T) {
	// A row of five plain cells, one station in the first. Cell centres are
	// 0.01° of longitude apart (0.922 km at 34°N): at 45 km/h with a 1.4
	// detour, 1.72 minutes per cell.
	cells := [][2]int{{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}}
	ds := gridsDataset(cells, []string{"a", "a", "a", "a", "a"}, map[string]int{"a": 1})
	cfg := DefaultConfig()
	cfg.Travel.BandsMinutes = []float64{1, 4, 6}
	var incidents []geo.Incident
	for _, g := range ds.Grids {
		incidents = append(incidents, geo.Incident{OccurredAt: refTime, PoliceGridID: g.ID, Location: centreOf(g)})
	}
	m := mustModel(t, ds, incidents, refTime, cfg)
	c, err := m.Coverage(m.StationOrigins())
	if err != nil {
		t.Fatal(err)
	}
	perCell := segmentKm(orb.Point{109, 34.005}, orb.Point{109.01, 34.005}) * 1.4 * 60 / 45
	wantBand := []float64{1, 4, 4, 6, 0} // 0, 1.72, 3.45, 5.17, 6.9 minutes
	for i, g := range c.Grids {
		if math.Abs(g.Minutes-float64(i)*perCell) > 0.01 {
			t.Errorf("grid %s: %.3f min, want %.3f", g.GridID, g.Minutes, float64(i)*perCell)
		}
		if g.BandMinutes != wantBand[i] {
			t.Errorf("grid %s: band %v, want %v", g.GridID, g.BandMinutes, wantBand[i])
		}
	}
	wantGrids := []int{1, 3, 4}
	for k, r := range c.Rings {
		if r.Grids != wantGrids[k] || r.Incidents != wantGrids[k] || r.Population != 1000*wantGrids[k] {
			t.Errorf("ring %v min: %+v, want %d grids, incidents and thousands of residents", r.Minutes, r, wantGrids[k])
		}
		if !near(r.IncidentShare, float64(wantGrids[k])/5, 1e-12) || !near(r.PopulationShare, float64(wantGrids[k])/5, 1e-12) {
			t.Errorf("ring %v min: shares %v / %v", r.Minutes, r.IncidentShare, r.PopulationShare)
		}
	}
	rings := c.ByOrigin[0].Rings
	if len(rings) != 4 || len(rings[0].GridIDs) != 1 || len(rings[1].GridIDs) != 2 || len(rings[2].GridIDs) != 1 || len(rings[3].GridIDs) != 1 || rings[3].Minutes != 0 {
		t.Errorf("rings of a: %+v", rings)
	}

	// A patrol near the far end takes the grids nearer to it.
	far := centreOf(ds.Grids[4])
	far[0] += 0.004
	pings := []geo.Ping{
		{OfficerID: "p1", At: refTime.Add(-time.Minute), Location: far},
		{OfficerID: "p1", At: refTime.Add(-time.Hour), Location: centreOf(ds.Grids[0])},     // older
		{OfficerID: "p2", At: refTime.Add(-3 * time.Hour), Location: centreOf(ds.Grids[2])}, // too old
		{OfficerID: "p3", At: refTime.Add(time.Minute), Location: centreOf(ds.Grids[2])},    // in the future
	}
	patrols := PatrolOrigins(pings, refTime, 2*time.Hour)
	if len(patrols) != 1 || patrols[0].ID != "p1" || patrols[0].Location != far {
		t.Fatalf("patrol origins %+v, want p1 at the last cell", patrols)
	}
	c2, err := m.Coverage(append(m.StationOrigins(), patrols...))
	if err != nil {
		t.Fatal(err)
	}
	wantOrigin := []string{"a", "a", "a", "p1", "p1"}
	for i, g := range c2.Grids {
		if g.Origin != wantOrigin[i] {
			t.Errorf("grid %s reached first from %s, want %s", g.GridID, g.Origin, wantOrigin[i])
		}
	}
	if c2.Rings[len(c2.Rings)-1].IncidentShare != 1 {
		t.Errorf("with the patrol every incident is within 6 min; got %v", c2.Rings[len(c2.Rings)-1].IncidentShare)
	}
}

func centreOf(g geo.Grid) orb.Point {
	r := g.Geometry[0][0]
	return orb.Point{(r[0][0] + r[2][0]) / 2, (r[0][1] + r[2][1]) / 2}
}

func TestCoverageErrors(t *testing.T) {
	m := twoStations(t, nil)
	tests := []struct {
		name    string
		origins []Origin
	}{
		{"none", nil},
		{"empty id", []Origin{{ID: ""}}},
		{"repeated id", []Origin{{ID: "x"}, {ID: "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := m.Coverage(tc.origins); !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v, want ErrInvalid", err)
			}
		})
	}
}

func TestCoverageLantian(t *testing.T) {
	m := lantianModel(t, DefaultConfig())
	c, err := m.Coverage(m.StationOrigins())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Grids) != 352 {
		t.Errorf("%d grids, want the 352 community grids", len(c.Grids))
	}
	n := 0
	for _, o := range c.ByOrigin {
		for _, r := range o.Rings {
			n += len(r.GridIDs)
		}
	}
	if n != len(c.Grids) {
		t.Errorf("rings hold %d grids, want each of %d exactly once", n, len(c.Grids))
	}
	for k := 1; k < len(c.Rings); k++ {
		if c.Rings[k].Incidents < c.Rings[k-1].Incidents || c.Rings[k].Population < c.Rings[k-1].Population {
			t.Errorf("rings are not cumulative: %+v then %+v", c.Rings[k-1], c.Rings[k])
		}
	}
	for _, r := range c.Rings {
		t.Logf("within %2.0f min of a station: %5.1f%% of incidents, %5.1f%% of residents, %3d grids",
			r.Minutes, 100*r.IncidentShare, 100*r.PopulationShare, r.Grids)
	}
}
