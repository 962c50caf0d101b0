package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/api/patrolling"
	"jingge/data/memory"
	"jingge/geo"
)

// TestOverlayEventsThroughTheAPI: an officer walking into a
// drinking-water protection zone and out again gets overlay_enter and
// overlay_leave naming the zone, in the ping answer and in the event
// list; a park (not fenced unless configured) raises nothing.
func TestOverlayEventsThroughTheAPI(t *testing.T) {
	ds := apitest.Small()
	box := func(c orb.Point) orb.MultiPolygon {
		const d = 1e-3
		return orb.MultiPolygon{{{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}}}
	}
	ds.Areas = []geo.Area{
		{ID: "W1", Name: "李家河饮用水源保护区", Kind: geo.AreaWaterProtection, StationID: apitest.StationA, Geometry: box(apitest.InCommunity)},
		{ID: "P1", Name: "洩湖园区", Kind: geo.AreaPark, StationID: apitest.StationA, Geometry: box(apitest.InCommunityB)},
	}
	opts := PatrolOptions{Now: func() time.Time { return testNow }}
	store := memory.NewPatrols(memory.PatrolOptions{Now: opts.Now, Retention: 365 * 24 * time.Hour})
	s := newTestServer(t, ds, Config{Patrols: store, PatrolOptions: opts})
	_, resp := postPings(t, s, pingBody(
		pingJSON("m1", 0, apitest.InCommunity, ""),
		pingJSON("m1", 5, apitest.InCommunityB, ""),
	), http.StatusOK)
	var got []patrolling.Event
	for _, e := range resp.Events {
		if e.Kind == "overlay_enter" || e.Kind == "overlay_leave" {
			got = append(got, e)
		}
	}
	if len(got) != 2 || got[0].Kind != "overlay_enter" || got[1].Kind != "overlay_leave" ||
		got[0].Area != "W1" || got[0].AreaName != "李家河饮用水源保护区" || got[1].Area != "W1" || got[1].Grid != apitest.CommunityB {
		t.Fatalf("overlay events %+v, want W1 entered then left (in %s)", got, apitest.CommunityB)
	}
	var list patrolling.EventList
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/events?after=0", ""), &list)
	n := 0
	for _, e := range list.Events {
		if e.Area != "" {
			n++
			if e.AreaName != "李家河饮用水源保护区" || e.Area != "W1" {
				t.Errorf("listed event %+v, want area W1 named", e)
			}
		}
	}
	if n != 2 {
		t.Errorf("GET /api/v1/events lists %d overlay events, want 2: %+v", n, list.Events)
	}
}
