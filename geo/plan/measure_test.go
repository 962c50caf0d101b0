package plan

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

var refTime = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func TestIncidentWeight(t *testing.T) {
	w := DefaultConfig().Workload
	tests := []struct {
		name string
		inc  geo.Incident
		want float64
	}{
		{"criminal, severity 1, today", geo.Incident{Category: geo.Criminal, Severity: 1, OccurredAt: refTime}, 4},
		{"criminal, severity 3", geo.Incident{Category: geo.Criminal, Severity: 3, OccurredAt: refTime}, 4 * 1.25 * 1.25},
		{"one half-life old", geo.Incident{Category: geo.Assistance, Severity: 1, OccurredAt: refTime.AddDate(0, 0, -180)}, 0.5},
		{"two half-lives old", geo.Incident{Category: geo.Assistance, Severity: 1, OccurredAt: refTime.AddDate(0, 0, -360)}, 0.25},
		{"unknown category", geo.Incident{Category: "drone", Severity: 1, OccurredAt: refTime}, 1},
		{"severity 0 counts as 1", geo.Incident{Category: geo.Dispute, Severity: 0, OccurredAt: refTime}, 1.5},
		{"severity 9 counts as 5", geo.Incident{Category: geo.Assistance, Severity: 9, OccurredAt: refTime}, math.Pow(1.25, 4)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := incidentWeight(w, &tc.inc, refTime); !near(got, tc.want, 1e-12) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	noDecay := w
	noDecay.HalfLifeDays = 0
	old := geo.Incident{Category: geo.Assistance, Severity: 1, OccurredAt: refTime.AddDate(-3, 0, 0)}
	if got := incidentWeight(noDecay, &old, refTime); got != 1 {
		t.Errorf("half_life_days 0: old incident weighs %v, want 1", got)
	}
}

// twoStations is g0 (station a, 2 officers) and g1 (station b, 1
// officer), side by side on the plain, so figures can be worked out by
// hand.
func twoStations(t *testing.T, incidents []geo.Incident) *Model {
	t.Helper()
	ds := gridsDataset([][2]int{{0, 0}, {1, 0}}, []string{"a", "b"}, map[string]int{"a": 2, "b": 1})
	return mustModel(t, ds, incidents, refTime, DefaultConfig())
}

func TestWorkloadByHand(t *testing.T) {
	g0 := cellRing(0, 0)
	inside1 := orb.Point{g0[0][0] + 0.015, g0[0][1] + 0.005} // in g1, found by lookup
	incidents := []geo.Incident{
		{Category: geo.Criminal, Severity: 1, OccurredAt: refTime, PoliceGridID: "g0"},                      // 4
		{Category: geo.Criminal, Severity: 1, OccurredAt: refTime.AddDate(0, 0, -180), PoliceGridID: "g0"},  // 2
		{Category: geo.Assistance, Severity: 1, OccurredAt: refTime, Location: inside1},                     // 1, to g1
		{Category: geo.Criminal, Severity: 5, OccurredAt: refTime.Add(time.Hour), PoliceGridID: "g0"},       // after ref: left out
		{Category: geo.Criminal, Severity: 1, OccurredAt: refTime, Location: orb.Point{120, 10}},            // in no grid: left out
		{Category: geo.Criminal, Severity: 1, OccurredAt: refTime, PoliceGridID: "nope", Location: inside1}, // unknown id: by location
		{Category: geo.Assistance, Severity: 1, OccurredAt: refTime, PoliceGridID: "g1"},                    // no location: workload only
	}
	m := twoStations(t, incidents)
	if m.Incidents() != 5 || m.Skipped() != 2 {
		t.Fatalf("%d incidents counted, %d skipped; want 5 and 2", m.Incidents(), m.Skipped())
	}
	area := geoAreaKm2(orb.MultiPolygon{{g0}})
	want := []float64{4 + 2 + 2*area + 10, 1 + 4 + 1 + 2*geoAreaKm2(orb.MultiPolygon{{cellRing(1, 0)}}) + 10}
	for u, gw := range m.GridWorkloads() {
		if !near(gw.Workload, want[u], 1e-9) {
			t.Errorf("grid %s workload %v, want %v", gw.GridID, gw.Workload, want[u])
		}
		if sum := gw.TerrainFactor * (gw.IncidentLoad + gw.AreaLoad + gw.PopulationLoad); !near(sum, gw.Workload, 1e-12) {
			t.Errorf("grid %s: parts add to %v, workload %v", gw.GridID, sum, gw.Workload)
		}
	}
	ms, err := m.Measure(m.Current())
	if err != nil {
		t.Fatal(err)
	}
	if ms.Response.Incidents != 2 {
		t.Errorf("response counts %d incidents, want the 2 with a location", ms.Response.Incidents)
	}
	la, lb := want[0]/2, want[1]/1
	if !near(ms.Stations[0].LoadPerOfficer, la, 1e-9) || !near(ms.Stations[1].LoadPerOfficer, lb, 1e-9) {
		t.Errorf("load per officer %v, %v; want %v, %v", ms.Stations[0].LoadPerOfficer, ms.Stations[1].LoadPerOfficer, la, lb)
	}
	if want := CV([]float64{la, lb}, []float64{2, 1}); !near(ms.Balance.CV, want, 1e-12) {
		t.Errorf("CV %v, want %v (officer-weighted)", ms.Balance.CV, want)
	}
	if want := math.Max(la, lb) / math.Min(la, lb); !near(ms.Balance.MaxMinRatio, want, 1e-12) {
		t.Errorf("max/min %v, want %v", ms.Balance.MaxMinRatio, want)
	}
}

func TestResponseByHand(t *testing.T) {
	g0 := cellRing(0, 0)
	station := orb.Point{g0[0][0] + 0.005, g0[0][1] + 0.005} // station a stands at g0's centre
	// Points due north of station a, inside g0.
	north := func(km float64) orb.Point { return orb.Point{station[0], station[1] + km/earthRadiusKm*180/math.Pi} }
	incidents := []geo.Incident{
		{OccurredAt: refTime, PoliceGridID: "g0", Location: station},
		{OccurredAt: refTime, PoliceGridID: "g0", Location: north(0.3)},
		{OccurredAt: refTime, PoliceGridID: "g0", Location: north(0.5)},
	}
	m := twoStations(t, incidents)
	perKm := 1.4 * 60 / 45.0
	want := []float64{0, 0.3 * perKm, 0.5 * perKm}
	ms, _ := m.Measure(m.Current())
	r := ms.Response
	if !near(r.MeanMinutes, (want[0]+want[1]+want[2])/3, 1e-6) {
		t.Errorf("mean %v, want %v", r.MeanMinutes, (want[0]+want[1]+want[2])/3)
	}
	if !near(r.P90Minutes, want[2], 1e-6) {
		t.Errorf("p90 %v, want %v", r.P90Minutes, want[2])
	}
	for _, w := range r.Within {
		if w.Incidents != 3 || w.Share != 1 {
			t.Errorf("within %v min: %d (%v), want all", w.Minutes, w.Incidents, w.Share)
		}
	}
	// Give g0 to station b, whose building is 1 km east: times grow.
	d := m.Current()
	d.Grids["g0"] = "b"
	moved, _ := m.Measure(d)
	if moved.Response.MeanMinutes <= r.MeanMinutes {
		t.Errorf("serving g0 from b: mean %v, not above %v", moved.Response.MeanMinutes, r.MeanMinutes)
	}
	if moved.Change.GridsMoved != 1 || moved.Change.GridShare != 0.5 {
		t.Errorf("change %+v, want one grid of two", moved.Change)
	}
	if moved.Stations[0].Grids != 0 || moved.Stations[0].Pieces != 0 {
		t.Errorf("station a: %+v, want empty", moved.Stations[0])
	}
}

func TestMeasureChangeAndUnstaffed(t *testing.T) {
	m := twoStations(t, nil)
	d := m.Current()
	d.Officers = map[string]int{"a": 0, "b": 3}
	ms, err := m.Measure(d)
	if err != nil {
		t.Fatal(err)
	}
	if ms.Change.OfficersMoved != 2 || !near(ms.Change.OfficerShare, 2.0/3, 1e-12) {
		t.Errorf("change %+v, want 2 of 3 officers", ms.Change)
	}
	if len(ms.Balance.Unstaffed) != 1 || ms.Balance.Unstaffed[0] != "a" || ms.Stations[0].LoadPerOfficer != 0 {
		t.Errorf("unstaffed %v, station a load per officer %v", ms.Balance.Unstaffed, ms.Stations[0].LoadPerOfficer)
	}
}

func TestDeploymentErrors(t *testing.T) {
	ix, inc := lantianData(t)
	m, err := NewModel(ix, inc, time.Time{}, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !m.Reference().Equal(inc[len(inc)-1].OccurredAt) {
		t.Errorf("zero time: reference %v, want the latest incident %v", m.Reference(), inc[len(inc)-1].OccurredAt)
	}
	tests := []struct {
		name   string
		change func(d Deployment)
		want   string
	}{
		{"community grid", func(d Deployment) { d.Grids["61012200120101"] = "wenjilu" }, "is a community grid; it moves with its police grid 61012200100001"},
		{"unknown grid", func(d Deployment) { d.Grids["x"] = "wenjilu" }, `no police grid "x"`},
		{"unknown station", func(d Deployment) { d.Grids["61012200100001"] = "atlantis" }, `no station "atlantis"`},
		{"missing grid", func(d Deployment) { delete(d.Grids, "61012200100001") }, "police grid 61012200100001 has no station"},
		{"negative officers", func(d Deployment) { d.Officers["wenjilu"] = -1 }, "has -1 officers"},
		{"missing station officers", func(d Deployment) { delete(d.Officers, "wenjilu") }, "station wenjilu is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := m.Current()
			tc.change(d)
			_, err := m.Measure(d)
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestMeasureLantian(t *testing.T) {
	m := lantianModel(t, DefaultConfig())
	ms, err := m.Measure(m.Current())
	if err != nil {
		t.Fatal(err)
	}
	if !ms.Contiguous {
		t.Error("today's stations are not all in one piece")
	}
	// The outer boundary of all police grids is the county outline.
	outer, county := 0.0, 0.0
	for u := range m.units {
		outer += m.outerKm[u]
	}
	for _, p := range m.ix.Dataset().County {
		for _, r := range p {
			forEachSegment(r, func(a, b orb.Point) { county += segmentKm(a, b) })
		}
	}
	if !near(outer, county, 1e-6) {
		t.Errorf("unshared boundary %.3f km, county outline %.3f km", outer, county)
	}
	total := 0.0
	for _, s := range ms.Stations {
		total += s.Workload
		if s.PolsbyPopper <= 0 || s.PolsbyPopper > 1 {
			t.Errorf("station %s Polsby–Popper %v", s.StationID, s.PolsbyPopper)
		}
	}
	sum := 0.0
	for _, g := range m.GridWorkloads() {
		sum += g.Workload
	}
	if !near(total, sum, 1e-9) {
		t.Errorf("stations hold %.3f of the %.3f workload", total, sum)
	}
	t.Logf("today: CV %.3f, Gini %.3f, max/min %.2f, mean response %.2f min, p90 %.2f min, mean Polsby–Popper %.3f",
		ms.Balance.CV, ms.Balance.Gini, ms.Balance.MaxMinRatio, ms.Response.MeanMinutes, ms.Response.P90Minutes, ms.MeanPolsbyPopper)
}
