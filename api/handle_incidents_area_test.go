package api

import (
	"net/http"
	"testing"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/api/incidents"
	"jingge/data"
	"jingge/geo"
)

// TestAggregateIncidentsByArea: with two overlapping areas, an incident
// counts in each area covering it and in none when outside all, and rows
// carry the area's name.
func TestAggregateIncidentsByArea(t *testing.T) {
	ds := apitest.Small()
	box := func(c orb.Point, d float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}}}
	}
	ds.Areas = []geo.Area{
		{ID: "W1", Name: "李家河饮用水源保护区", Kind: geo.AreaWaterProtection, StationID: apitest.StationA, Geometry: box(apitest.InCommunity, 1e-3)},
		{ID: "S1", Name: "汤峪景区", Kind: geo.AreaScenic, StationID: apitest.StationA, Geometry: box(apitest.InCommunity, 2e-3)},
	}
	s := newTestServer(t, ds, Config{})
	seedIncidents(t, s, 30) // 10 each at InCommunity, InCommunityB, InPoliceOnly
	var a incidents.AggregateResponse
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents/aggregate?group_by=area&bucket=month", ""), &a)
	total := map[string]int{}
	for _, r := range a.Rows {
		total[r.Key] += r.Total
		if want := map[string]string{"W1": "李家河饮用水源保护区", "S1": "汤峪景区"}[r.Key]; r.Name != want {
			t.Errorf("row %+v: name %q, want %q", r, r.Name, want)
		}
	}
	if a.GroupBy != data.ByArea || len(total) != 2 || total["W1"] != 10 || total["S1"] != 10 {
		t.Errorf("per area %v (group_by %s), want 10 in each of W1 and S1", total, a.GroupBy)
	}
}
