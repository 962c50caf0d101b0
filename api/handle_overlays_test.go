package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/api/locate"
	"jingge/api/overlayroutes"
	"jingge/data"
	"jingge/geo"
)

// withOverlays adds to ds (apitest.Small) a water-protection zone over
// the south-west of CommunityA, a works site in PoliceB that ended in
// 2020, a school inside the zone and a market in PoliceB.
func withOverlays(ds *geo.Dataset) *geo.Dataset {
	rect := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	ds.Areas = []geo.Area{
		{ID: "lijiahe", Name: "李家河饮用水源保护区", Kind: geo.AreaWaterProtection, StationID: apitest.StationA,
			Liaison: geo.Liaison{Name: "王水", Phone: "13812345678"}, Opening: "全年", Geometry: rect(109.300, 34.140, 109.305, 34.145)},
		{ID: "xishi-works", Name: "西十高铁施工段", Kind: geo.AreaWorks, StationID: apitest.StationB,
			Validity: geo.Validity{ValidTo: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, Geometry: rect(109.33, 34.14, 109.34, 34.15)},
	}
	ds.Places = []geo.Place{
		{ID: "school-1", Name: "东街小学", Kind: geo.PlaceSchool, StationID: apitest.StationA,
			Liaison: geo.Liaison{Name: "陈校长", Phone: "13900000001"}, Location: orb.Point{109.302, 34.1425}},
		{ID: "market-1", Name: "汤峪集市", Kind: geo.PlaceMarket, StationID: apitest.StationB, Location: orb.Point{109.335, 34.155}},
	}
	ds.Checkpoints = []geo.Checkpoint{
		{ID: "cp-west", Name: "西口查控点", StationID: apitest.StationA, Road: "G40", Location: orb.Point{109.301, 34.15}},
	}
	return ds
}

type overlayFeature struct {
	ID         string                          `json:"id"`
	Geometry   json.RawMessage                 `json:"geometry"`
	Properties overlayroutes.OverlayProperties `json:"properties"`
}

func decodeOverlays(t *testing.T, body string) []string {
	t.Helper()
	var fc struct{ Features []overlayFeature }
	if err := json.Unmarshal([]byte(body), &fc); err != nil {
		t.Fatalf("not a feature collection: %v: %s", err, body)
	}
	var ids []string
	for _, f := range fc.Features {
		if f.Properties.Liaison != nil {
			t.Errorf("a list carries the liaison of %s; only single items do", f.ID)
		}
		ids = append(ids, f.ID)
	}
	return ids
}

// TestOverlayLists: the lists filter by kind, station and bbox, say which
// features are in force, and refuse a bad filter naming it.
func TestOverlayLists(t *testing.T) {
	s := newTestServer(t, withOverlays(apitest.Small()), Config{})
	cases := []struct {
		target string
		want   []string
	}{
		{"/api/v1/areas", []string{"lijiahe", "xishi-works"}},
		{"/api/v1/areas?kind=饮用水源保护区", []string{"lijiahe"}},
		{"/api/v1/areas?station=tangyu", []string{"xishi-works"}},
		{"/api/v1/areas?bbox=109.31,34.14,109.32,34.16", nil},
		{"/api/v1/areas?bbox=109.304,34.144,109.31,34.15", []string{"lijiahe"}},
		{"/api/v1/places", []string{"school-1", "market-1"}},
		{"/api/v1/places?kind=market", []string{"market-1"}},
		{"/api/v1/places?bbox=109.30,34.14,109.31,34.15", []string{"school-1"}},
	}
	for _, c := range cases {
		rec := serve(t, s.Handler(), http.MethodGet, c.target, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", c.target, rec.Code, rec.Body.String())
		}
		if got := decodeOverlays(t, rec.Body.String()); !slices.Equal(got, c.want) {
			t.Errorf("GET %s = %v, want %v", c.target, got, c.want)
		}
	}
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/areas?station=tangyu", "")
	if !strings.Contains(rec.Body.String(), `"in_force":false`) || !strings.Contains(rec.Body.String(), `"valid_to":"2020-01-01T08:00:00+08:00"`) {
		t.Errorf("the ended works site is not marked out of force in local time: %s", rec.Body.String())
	}
	for target, param := range map[string]string{
		"/api/v1/areas?kind=castle":      "kind",
		"/api/v1/places?kind=park":       "kind",
		"/api/v1/areas?bbox=1,2,3":       "bbox",
		"/api/v1/places?station=nowhere": "station",
	} {
		rec := serve(t, s.Handler(), http.MethodGet, target, "")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"name":"`+param+`"`) {
			t.Errorf("GET %s: %d %s; want a 400 naming %s", target, rec.Code, rec.Body.String(), param)
		}
	}
}

// TestOverlayItemMasksLiaison: a single item carries its liaison, the
// phone masked for a viewer and in full for an officer, as members' are.
func TestOverlayItemMasksLiaison(t *testing.T) {
	f := newRoleFixtureOn(t, withOverlays(apitest.Small()), Config{})
	for _, c := range []struct {
		role  data.Role
		phone string
	}{{data.RoleViewer, "138****5678"}, {data.RolePlanner, "138****5678"}, {data.RoleOfficer, "13812345678"}, {data.RoleAdmin, "13812345678"}} {
		rec := f.send(t, http.MethodGet, "/api/v1/areas/lijiahe", c.role)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", c.role, rec.Code, rec.Body.String())
		}
		var got overlayFeature
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if l := got.Properties.Liaison; l == nil || l.Name != "王水" || l.Phone != c.phone {
			t.Errorf("%s reads the liaison %+v, want 王水 %s", c.role, l, c.phone)
		}
	}
	rec := f.send(t, http.MethodGet, "/api/v1/places/nope", data.RoleViewer)
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "GET /api/v1/places lists them") {
		t.Errorf("an unknown place: %d %s", rec.Code, rec.Body.String())
	}
}

// TestLookupIncludesOverlays: include=areas,places adds the areas in force
// holding the point and the places within the radius; without include the
// answer is byte for byte the answer of a dataset without overlays.
func TestLookupIncludesOverlays(t *testing.T) {
	s := newTestServer(t, withOverlays(apitest.Small()), Config{})
	plain := newTestServer(t, apitest.Small(), Config{})
	const at = "/api/v1/lookup?lon=109.302&lat=34.142"
	a, b := serve(t, s.Handler(), http.MethodGet, at, ""), serve(t, plain.Handler(), http.MethodGet, at, "")
	if a.Code != http.StatusOK || a.Body.String() != b.Body.String() {
		t.Fatalf("without include the answer changed:\n%s\nwant\n%s", a.Body.String(), b.Body.String())
	}
	rec := serve(t, s.Handler(), http.MethodGet, at+"&include=areas,places", "")
	var resp locate.Response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	if resp.AlsoInside == nil || len(*resp.AlsoInside) != 1 || (*resp.AlsoInside)[0].ID != "lijiahe" || (*resp.AlsoInside)[0].KindZH != "饮用水源保护区" {
		t.Errorf("also_inside = %+v, want the water-protection zone", resp.AlsoInside)
	}
	if resp.PlacesNearby == nil || len(*resp.PlacesNearby) != 1 || (*resp.PlacesNearby)[0].ID != "school-1" {
		t.Fatalf("places_nearby = %+v, want the school", resp.PlacesNearby)
	}
	if d := (*resp.PlacesNearby)[0].DistanceMeters; d < 50 || d > 60 { // 0.0005° of latitude
		t.Errorf("the school is %v m away, want about 56", d)
	}
	// The works site ended: a point in it is in no area; the market is
	// 1.9 km from the school's point, beyond 500 m but within 2,500 m.
	rec = serve(t, s.Handler(), http.MethodGet, "/api/v1/lookup?lon=109.335&lat=34.145&include=areas,places&places_radius=2500&fields=ids", "")
	if !strings.Contains(rec.Body.String(), `"also_inside":[]`) || !strings.Contains(rec.Body.String(), `"id":"market-1"`) {
		t.Errorf("a point in the ended works site with a wide radius: %s", rec.Body.String())
	}
	for target, param := range map[string]string{
		at + "&include=roads":                       "include",
		at + "&places_radius=800":                   "places_radius",
		at + "&include=places&places_radius=99999":  "places_radius",
		at + "&include=places&places_radius=0x1p3":  "places_radius",
		at + "&include=places&places_radius=-5":     "places_radius",
		at + "&include=areas&places_radius=100&x=1": "x",
	} {
		rec := serve(t, s.Handler(), http.MethodGet, target, "")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"name":"`+param+`"`) {
			t.Errorf("GET %s: %d %s; want a 400 naming %s", target, rec.Code, rec.Body.String(), param)
		}
	}
}

const newAreaBody = `{"type":"Feature","id":"huaxu-park","geometry":{"type":"Polygon","coordinates":[[[109.31,34.15],[109.32,34.15],[109.32,34.16],[109.31,34.16],[109.31,34.15]]]},
	"properties":{"name":"华胥园区","kind":"park","station":"wenjilu","liaison":{"name":"周主任","phone":"13700000001"},"valid_from":"2026-01-01"}}`

// TestOverlayEdits: create, replace, conflict and delete through the API,
// each read back on the same server at once; bad bodies are refused with
// every field at fault named.
func TestOverlayEdits(t *testing.T) {
	s, st := followedServer(t, withOverlays(apitest.Small()), true)
	h := s.Handler()
	rec := serve(t, h, http.MethodPost, "/api/v1/areas", newAreaBody)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"version":1`) || !strings.Contains(rec.Body.String(), `"valid_from":"2026-01-01T00:00:00+08:00"`) {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body.String())
	}
	rec = serve(t, h, http.MethodGet, "/api/v1/lookup?lon=109.315&lat=34.155&include=areas", "")
	if !strings.Contains(rec.Body.String(), `"id":"huaxu-park"`) {
		t.Errorf("a lookup right after the POST does not see the park: %s", rec.Body.String())
	}
	if rec := serve(t, h, http.MethodPost, "/api/v1/areas", newAreaBody); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "PUT /api/v1/areas/huaxu-park") {
		t.Errorf("POST again: %d %s, want 409 pointing to PUT", rec.Code, rec.Body.String())
	}
	changed := strings.Replace(newAreaBody, `"华胥园区"`, `"华胥产业园区"`, 1)
	changed = strings.Replace(changed, `"type":"Feature",`, `"type":"Feature","base_version":1,`, 1)
	if rec := serve(t, h, http.MethodPut, "/api/v1/areas/huaxu-park", changed); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"version":2`) {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(t, h, http.MethodPut, "/api/v1/areas/huaxu-park", changed); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "since version 1") {
		t.Errorf("PUT against version 1 again: %d %s, want 409", rec.Code, rec.Body.String())
	}
	if rec := serve(t, h, http.MethodGet, "/api/v1/areas/huaxu-park", ""); !strings.Contains(rec.Body.String(), "华胥产业园区") {
		t.Errorf("GET after PUT: %s", rec.Body.String())
	}
	bad := `{"type":"Feature","id":"x","geometry":{"type":"Point","coordinates":[109.31,34.15]},"properties":{"name":"","kind":"castle","station":"nowhere","valid_from":"2027-01-01","valid_to":"2026-01-01"}}`
	rec = serve(t, h, http.MethodPost, "/api/v1/areas", bad)
	for _, name := range []string{"properties.name", "properties.kind", "properties.station", "properties.valid_to", "geometry"} {
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"name":"`+name+`"`) {
			t.Errorf("a bad area: %d %s; want a 400 naming %s", rec.Code, rec.Body.String(), name)
		}
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("a bad area answers %q, want application/problem+json", ct)
	}
	if rec := serve(t, h, http.MethodPut, "/api/v1/places/school-1", `{"type":"Feature","id":"other","geometry":{"type":"Point","coordinates":[109.31,34.15]},"properties":{"name":"n","kind":"school","station":"wenjilu"}}`); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"name":"id"`) {
		t.Errorf("a PUT whose body names another id: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(t, h, http.MethodDelete, "/api/v1/places/school-1?base_version=1", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(t, h, http.MethodGet, "/api/v1/places/school-1", ""); rec.Code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d, want 404", rec.Code)
	}
	if rec := serve(t, h, http.MethodDelete, "/api/v1/places/school-1", ""); rec.Code != http.StatusNotFound {
		t.Errorf("DELETE again: %d, want 404", rec.Code)
	}
	snap, _ := st.Snapshot(t.Context())
	if len(snap.Places) != 1 || len(snap.Areas) != 3 {
		t.Errorf("the store holds %d places and %d areas, want 1 and 3", len(snap.Places), len(snap.Areas))
	}
}

// TestOverlayWritesTakeGridEditRoles: every write of areas and places
// admits exactly whom a grid edit admits, and their reads are personal
// only for single items (which carry a liaison).
func TestOverlayWritesTakeGridEditRoles(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	byName := map[string]route{}
	for _, rt := range s.routes() {
		byName[rt.name] = rt
	}
	edit := byName["editGrid"].roles
	for _, name := range []string{"createArea", "putArea", "deleteArea", "createPlace", "putPlace", "deletePlace", "createCheckpoint", "putCheckpoint", "deleteCheckpoint"} {
		rt, ok := byName[name]
		if !ok {
			t.Fatalf("no route %s", name)
		}
		for _, role := range data.Roles {
			if rt.roles.admits(role) != edit.admits(role) {
				t.Errorf("%s admits %s: %v, a grid edit %v", name, role, rt.roles.admits(role), edit.admits(role))
			}
		}
	}
	for name, personal := range map[string]bool{"listAreas": false, "listPlaces": false, "getArea": true, "getPlace": true, "listCheckpoints": false, "getCheckpoint": false} {
		if got := byName[name].roles.personal; got != personal {
			t.Errorf("%s personal data = %v, want %v", name, got, personal)
		}
	}
}
