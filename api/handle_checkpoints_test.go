package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"jingge/api/apitest"
	"jingge/api/planning"
	"jingge/api/prevention"
)

// The checkpoint routes with query parameters, each with a request that
// gives all of them and answers 200 (or 204) on the test server of
// openapi_test.go; and the answers checked against the document.
func init() {
	paramExamples["listCheckpoints"] = struct{ target, body string }{"/api/v1/checkpoints?bbox=109.3,34.14,109.34,34.16&station=wenjilu", ""}
	paramExamples["deleteCheckpoint"] = struct{ target, body string }{"/api/v1/checkpoints/cp-west?base_version=1", ""}
	paramExamples["getCheckpointCoverage"] = struct{ target, body string }{"/api/v1/checkpoints/coverage?minutes=5&spacing_km=1", ""}
	responseCases = append(responseCases, []struct{ method, target, body string }{
		{"GET", "/api/v1/checkpoints", ""},
		{"GET", "/api/v1/checkpoints/cp-west", ""},
		{"GET", "/api/v1/checkpoints/nowhere", ""},
		{"GET", "/api/v1/checkpoints/coverage?minutes=2&spacing_km=1", ""},
		{"GET", "/api/v1/checkpoints/coverage?minutes=-1", ""},
		{"POST", "/api/v1/checkpoints/propose", `{"count": 2, "minutes": 2, "spacing_km": 1}`},
		{"POST", "/api/v1/checkpoints/propose", `{"count": 0, "minutes": 2}`},
		{"GET", "/api/v1/plan/coverage?origins=checkpoints", ""},
	}...)
}

const newCheckpointBody = `{"type":"Feature","id":"cp-east","geometry":{"type":"Point","coordinates":[109.339,34.15]},"properties":{"name":"东口查控点","station":"tangyu","road":"S107","notes":"24小时"}}`

func TestCheckpointEdits(t *testing.T) {
	s, st := followedServer(t, withOverlays(apitest.Small()), true)
	h := s.Handler()
	rec := serve(t, h, http.MethodPost, "/api/v1/checkpoints", newCheckpointBody)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"version":1`) || !strings.Contains(rec.Body.String(), `"road":"S107"`) {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(t, h, http.MethodGet, "/api/v1/checkpoints?station=tangyu", ""); !strings.Contains(rec.Body.String(), `"id":"cp-east"`) || strings.Contains(rec.Body.String(), "cp-west") {
		t.Errorf("the list of tangyu's checkpoints right after the POST: %s", rec.Body.String())
	}
	if rec := serve(t, h, http.MethodPost, "/api/v1/checkpoints", newCheckpointBody); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "PUT /api/v1/checkpoints/cp-east") {
		t.Errorf("POST again: %d %s, want 409 pointing to PUT", rec.Code, rec.Body.String())
	}
	changed := strings.Replace(newCheckpointBody, `"S107"`, `"S107环山路"`, 1)
	changed = strings.Replace(changed, `"type":"Feature",`, `"type":"Feature","base_version":1,`, 1)
	if rec := serve(t, h, http.MethodPut, "/api/v1/checkpoints/cp-east", changed); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"version":2`) {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(t, h, http.MethodPut, "/api/v1/checkpoints/cp-east", changed); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "since version 1") {
		t.Errorf("PUT against version 1 again: %d %s, want 409", rec.Code, rec.Body.String())
	}
	bad := `{"type":"Feature","id":"x","geometry":{"type":"Polygon","coordinates":[]},"properties":{"name":"","station":"nowhere","kind":"school"}}`
	rec = serve(t, h, http.MethodPost, "/api/v1/checkpoints", bad)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"name":"kind"`) || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("a body with a place's kind: %d %s; want a 400 naming kind", rec.Code, rec.Body.String())
	}
	bad = `{"type":"Feature","id":"x","geometry":{"type":"Polygon","coordinates":[]},"properties":{"name":"","station":"nowhere"}}`
	rec = serve(t, h, http.MethodPost, "/api/v1/checkpoints", bad)
	for _, name := range []string{"properties.name", "properties.station", "geometry"} {
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"name":"`+name+`"`) {
			t.Errorf("a bad checkpoint: %d %s; want a 400 naming %s", rec.Code, rec.Body.String(), name)
		}
	}
	if rec := serve(t, h, http.MethodDelete, "/api/v1/checkpoints/cp-west?base_version=1", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(t, h, http.MethodGet, "/api/v1/checkpoints/cp-west", ""); rec.Code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d, want 404", rec.Code)
	}
	snap, _ := st.Snapshot(t.Context())
	if len(snap.Checkpoints) != 1 || snap.Checkpoints[0].ID != "cp-east" || snap.Checkpoints[0].Road != "S107环山路" || snap.Checkpoints[0].Version != 2 {
		t.Errorf("the store holds %+v, want cp-east at version 2", snap.Checkpoints)
	}
}

// TestCheckpointCoverage: the small county's outline (about 11.8 km
// around) gives an exit every km; a checkpoint near the west edge covers
// the western exits only, a second one proposed goes east, and the
// response rings can start from checkpoints.
func TestCheckpointCoverage(t *testing.T) {
	s := newTestServer(t, withOverlays(apitest.Small()), Config{})
	h := s.Handler()
	var c planning.CheckpointCoverage
	rec := serve(t, h, http.MethodGet, "/api/v1/checkpoints/coverage?minutes=2&spacing_km=1", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("coverage: %d %s", rec.Code, rec.Body.String())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if c.Exits < 10 || c.Exits > 13 || len(c.ExitPoints) != len(c.Reach) || c.Checkpoints != 1 {
		t.Fatalf("%d exits, %d reaches, %d checkpoints; want about 12 exits and 1 checkpoint", c.Exits, len(c.Reach), c.Checkpoints)
	}
	if c.Covered == 0 || c.Covered == c.Exits || len(c.Uncovered) != c.Exits-c.Covered {
		t.Fatalf("%d of %d covered, %d uncovered listed", c.Covered, c.Exits, len(c.Uncovered))
	}
	byID := map[string]planning.ExitPoint{}
	for _, e := range c.ExitPoints {
		byID[e.ID] = e
	}
	uncovered := map[string]bool{}
	for _, r := range c.Reach {
		if e := byID[r.Exit]; r.Covered && e.Lon > 109.315 {
			t.Errorf("exit %s at %.4f,%.4f, east of the middle, is covered (%.1f min)", e.ID, e.Lon, e.Lat, r.Minutes)
		}
		if r.Covered != (r.Minutes <= 2) || r.Checkpoint != "cp-west" {
			t.Errorf("exit %s: %+v", r.Exit, r)
		}
		uncovered[r.Exit] = !r.Covered
	}
	var west, east planning.StationExits
	for _, b := range c.ByStation {
		switch b.Station {
		case apitest.StationA:
			west = b
		case apitest.StationB:
			east = b
		}
	}
	if west.Exits == 0 || west.Covered == 0 || east.Exits == 0 || east.Covered != 0 || west.Exits+east.Exits != c.Exits {
		t.Errorf("by station: %+v / %+v", west, east)
	}
	var p planning.CheckpointProposal
	rec = serve(t, h, http.MethodPost, "/api/v1/checkpoints/propose", `{"count": 3, "minutes": 2, "spacing_km": 1}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("propose: %d %s", rec.Code, rec.Body.String())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.CoveredBefore != c.Covered || len(p.Sites) != 3 || p.CoveredAfter != p.Sites[2].CoveredAfter || p.CoveredAfter <= p.CoveredBefore {
		t.Fatalf("proposal: before %d, after %d, sites %+v", p.CoveredBefore, p.CoveredAfter, p.Sites)
	}
	for i, site := range p.Sites {
		if len(site.Exits) == 0 || (i > 0 && len(site.Exits) > len(p.Sites[i-1].Exits)) {
			t.Errorf("site %d newly covers %v: every site adds exits, none more than the one before", i, site.Exits)
		}
		for _, e := range site.Exits {
			if !uncovered[e] {
				t.Errorf("site %d claims exit %s, which the checkpoint in force covers or an earlier site took", i, e)
			}
			uncovered[e] = false
		}
	}
	for name, target := range map[string]string{
		"minutes": "/api/v1/checkpoints/coverage?minutes=0", "spacing_km": "/api/v1/checkpoints/coverage?minutes=5&spacing_km=x",
	} {
		if p := expectProblem(t, serve(t, h, http.MethodGet, target, ""), http.StatusBadRequest); len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != name {
			t.Errorf("%s: invalid_params %+v, want %s", target, p.InvalidParams, name)
		}
	}
	if p := expectProblem(t, serve(t, h, http.MethodGet, "/api/v1/checkpoints/coverage", ""), http.StatusBadRequest); !strings.Contains(p.InvalidParams[0].Reason, "required") {
		t.Errorf("without minutes: %+v", p.InvalidParams)
	}
	if p := expectProblem(t, serve(t, h, http.MethodPost, "/api/v1/checkpoints/propose", `{"count": 99, "minutes": 5}`), http.StatusBadRequest); p.InvalidParams[0].Name != "count" {
		t.Errorf("count 99: %+v", p.InvalidParams)
	}
	var rings planning.PlanCoverage
	rec = serve(t, h, http.MethodGet, "/api/v1/plan/coverage?origins=checkpoints", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &rings); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("origins=checkpoints: %d %s", rec.Code, rec.Body.String())
	}
	if len(rings.Origins) != 1 || rings.Origins[0].ID != "cp-west" || rings.Origins[0].Kind != "checkpoint" {
		t.Errorf("origins=checkpoints: %+v", rings.Origins)
	}
	empty := newTestServer(t, apitest.Small(), Config{})
	if p := expectProblem(t, serve(t, empty.Handler(), http.MethodGet, "/api/v1/plan/coverage?origins=checkpoints", ""), http.StatusBadRequest); !strings.Contains(p.InvalidParams[0].Reason, "no checkpoints") {
		t.Errorf("origins=checkpoints without any: %+v", p.InvalidParams)
	}
}

func init() {
	paramExamples["getIdentification"] = struct{ target, body string }{"/api/v1/plan/identification?station=wenjilu&days=30", ""}
	responseCases = append(responseCases, []struct{ method, target, body string }{
		{"GET", "/api/v1/plan/identification?station=tangyu", ""},
		{"GET", "/api/v1/plan/identification?station=nowhere", ""},
	}...)
}

// TestIdentification: a station's key places and areas with whether a
// liaison is known and when each was last visited, by a visit's key_place
// or its position.
func TestIdentification(t *testing.T) {
	s := newTestServer(t, withOverlays(apitest.Small()), Config{})
	h := s.Handler()
	for _, body := range []string{
		visitJSON(109.3021, 34.1426, `,"officer":"m1","kind":"走访"`),                      // beside school-1, inside lijiahe
		visitJSON(109.318, 34.155, `,"officer":"m1","kind":"走访","key_place":"market-1"`), // far from the market, naming it
	} {
		if rec := serve(t, h, http.MethodPost, "/api/v1/visits", body); rec.Code != http.StatusCreated {
			t.Fatalf("visit: %d %s", rec.Code, rec.Body.String())
		}
	}
	get := func(station string) prevention.Identification {
		t.Helper()
		var out prevention.Identification
		rec := serve(t, h, http.MethodGet, "/api/v1/plan/identification?station="+station, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", station, rec.Code, rec.Body.String())
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := get(apitest.StationA)
	if len(a.Places) != 1 || a.Places[0].ID != "school-1" || !a.Places[0].LiaisonKnown || a.Places[0].LastVisited == nil || a.Places[0].Visits != 1 {
		t.Errorf("wenjilu's places: %+v", a.Places)
	}
	if len(a.Areas) != 1 || a.Areas[0].ID != "lijiahe" || a.Areas[0].LastVisited == nil || a.Counts.NeverVisited != 0 || a.Counts.VisitsConsidered != 2 {
		t.Errorf("wenjilu's areas: %+v, counts %+v", a.Areas, a.Counts)
	}
	b := get(apitest.StationB)
	if len(b.Places) != 1 || b.Places[0].LiaisonKnown || b.Places[0].LastVisited == nil {
		t.Errorf("tangyu's places: %+v (the market, without a liaison, visited by key_place)", b.Places)
	}
	if len(b.Areas) != 1 || b.Areas[0].InForce || b.Areas[0].LastVisited != nil || b.Counts.WithoutLiaison != 2 || b.Counts.NeverVisited != 1 {
		t.Errorf("tangyu's areas: %+v, counts %+v", b.Areas, b.Counts)
	}
	if p := expectProblem(t, serve(t, h, http.MethodGet, "/api/v1/plan/identification", ""), http.StatusBadRequest); p.InvalidParams[0].Name != "station" {
		t.Errorf("without a station: %+v", p.InvalidParams)
	}
}
