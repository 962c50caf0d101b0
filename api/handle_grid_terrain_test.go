package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/geo"
)

// TestGridTerrain: a grid's terrain is shown where the grid is (its own,
// else its station's region), set and cleared by an edit, and a terrain
// that is not one of the four is refused.
func TestGridTerrain(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	terrainOf := func() (detail, lookup geo.Terrain) {
		t.Helper()
		// What serve does on the store's notification: load the dataset
		// in force into a new index.
		snap, err := s.inc.timeline.SnapshotAt(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		s.live.Store(mustIndex(t, snap))
		var d Feature[GridDetail]
		decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/grids/"+apitest.CommunityA, ""), &d)
		var l LookupResponse
		decodeJSON(t, serve(t, s.Handler(), http.MethodGet, fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", apitest.InCommunity[0], apitest.InCommunity[1]), ""), &l)
		return d.Properties.Terrain, l.CommunityGrid.Terrain
	}
	ix := s.live.Load()
	g, _ := ix.Grid(apitest.CommunityA)
	st, _ := ix.Station(g.StationID)
	if d, l := terrainOf(); d != st.Region || l != st.Region {
		t.Fatalf("without a terrain of its own: %q and %q, want the station's %q", d, l, st.Region)
	}
	other := geo.Mountain
	if st.Region == geo.Mountain {
		other = geo.Plain
	}
	put := func(body string) *Feature[GridVersionProperties] {
		t.Helper()
		rec := serve(t, s.Handler(), http.MethodPut, "/api/v1/grids/"+apitest.CommunityA, body)
		if rec.Code != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", body, rec.Code, rec.Body.String())
		}
		var f Feature[GridVersionProperties]
		decodeJSON(t, rec, &f)
		return &f
	}
	if f := put(fmt.Sprintf(`{"type":"Feature","properties":{"terrain":%q}}`, other)); f.Properties.Terrain != other {
		t.Errorf("PUT answered terrain %q, want %q", f.Properties.Terrain, other)
	}
	if d, l := terrainOf(); d != other || l != other {
		t.Errorf("after setting %q: %q and %q", other, d, l)
	}
	p := expectProblem(t, serve(t, s.Handler(), http.MethodPut, "/api/v1/grids/"+apitest.CommunityA, `{"type":"Feature","properties":{"terrain":"desert"}}`), http.StatusBadRequest)
	if len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != "properties.terrain" || !strings.Contains(p.InvalidParams[0].Reason, "mountain") {
		t.Errorf("an unknown terrain: %+v", p)
	}
	if f := put(`{"type":"Feature","properties":{"terrain":""}}`); f.Properties.Terrain != "" {
		t.Errorf("clearing answered terrain %q", f.Properties.Terrain)
	}
	if d, _ := terrainOf(); d != st.Region {
		t.Errorf("after clearing: %q, want the station's %q", d, st.Region)
	}
}
