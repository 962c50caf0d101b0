package api

import (
	"context"
	"encoding/json"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"jingge/api/apitest"
	"jingge/api/patrolling"
	"jingge/data"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/crs"
)

// testNow is the clock of the patrol tests.
var testNow = time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)

// newPatrolServer serves apitest.Small with a memory patrol store and a
// clock stopped at testNow (unless opts sets one).
func newPatrolServer(tb testing.TB, opts PatrolOptions) (*Server, *memory.Patrols) {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	store := memory.NewPatrols(memory.PatrolOptions{Now: opts.Now, Retention: 365 * 24 * time.Hour})
	return newTestServer(tb, nil, Config{Patrols: store, PatrolOptions: opts}), store
}

// pingJSON writes one ping of officer at testNow+sec.
func pingJSON(officer string, sec int, pt orb.Point, extra string) string {
	return fmt.Sprintf(`{"officer":%q,"at":%q,"lon":%v,"lat":%v%s}`, officer, testNow.Add(time.Duration(sec)*time.Second).Format(time.RFC3339), pt[0], pt[1], extra)
}

func pingBody(pings ...string) string { return `{"pings":[` + strings.Join(pings, ",") + `]}` }

// postPings sends a batch and decodes the answer, failing unless it is want.
func postPings(tb testing.TB, s *Server, body string, want int, headers ...string) (*httptest.ResponseRecorder, patrolling.PingResponse) {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/patrols/pings", strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != want {
		tb.Fatalf("POST pings: status %d, want %d: %s", rec.Code, want, rec.Body.String())
	}
	var resp patrolling.PingResponse
	if want == http.StatusOK {
		decodeJSON(tb, rec, &resp)
	}
	return rec, resp
}

func eventKinds(evs []patrolling.Event) string {
	parts := make([]string, len(evs))
	for i, e := range evs {
		parts[i] = string(e.Kind) + ":" + e.Officer + ":" + e.Grid
	}
	return strings.Join(parts, " ")
}

func TestPostPings(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	_, resp := postPings(t, s, pingBody(
		pingJSON("m1", 0, apitest.InCommunity, `,"speed_mps":1.5,"heading_deg":90`),
		pingJSON("m1", 5, apitest.InCommunityB, `,"speed_mps":1.5,"heading_deg":360`),
		pingJSON("m5", 0, apitest.Outside, ""),
	), http.StatusOK)
	want := "grid_enter:m1:" + apitest.CommunityA + " grid_leave:m1:" + apitest.CommunityA + " grid_enter:m1:" + apitest.CommunityB + " area_leave:m5:"
	if resp.Accepted != 3 || resp.Outside != 1 || resp.Replayed || eventKinds(resp.Events) != want {
		t.Fatalf("response %+v; want 3 accepted, 1 outside, events %s", resp, want)
	}
	if e := resp.Events[0]; e.Name != "王警官" || e.GridName != "东街社区网格" || e.PoliceGrid != apitest.PoliceA || e.Station != apitest.StationA || e.StationName != "文姬路派出所" || e.ID == 0 {
		t.Errorf("event not named: %+v", e)
	}

	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols", "")
	var fc struct {
		Features []struct {
			ID         string
			Geometry   struct{ Coordinates []float64 }
			Properties patrolling.PatrolProperties
		}
	}
	decodeJSON(t, rec, &fc)
	if rec.Header().Get("Content-Type") != httpx.ContentTypeGeoJSON || len(fc.Features) != 2 {
		t.Fatalf("GET /api/v1/patrols: %s", rec.Body.String())
	}
	m1 := fc.Features[0]
	if m1.ID != "m1" || m1.Properties.Grid != apitest.CommunityB || m1.Properties.Status != "moving" || !m1.Properties.InArea ||
		m1.Properties.HeadingDeg == nil || *m1.Properties.HeadingDeg != 0 || m1.Properties.AgeSeconds != 0 || m1.Properties.StationName != "文姬路派出所" {
		t.Errorf("m1 on the map: %+v", m1)
	}
	if m5 := fc.Features[1].Properties; m5.Grid != "" || m5.InArea || m5.SpeedMPS != nil || m5.Status != "stopped" {
		t.Errorf("m5 on the map: %+v", m5)
	}
	rec = serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols?station="+apitest.StationB, "")
	decodeJSON(t, rec, &fc)
	if len(fc.Features) != 1 || fc.Features[0].ID != "m5" {
		t.Errorf("station filter: %s", rec.Body.String())
	}
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols?station=nope", ""), http.StatusBadRequest)
}

func TestPostPingsCRS(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	gcj := crs.Convert(apitest.InCommunityB, crs.WGS84, crs.GCJ02)
	body := `{"crs":"gcj02","pings":[` + pingJSON("m1", 0, gcj, "") + `]}`
	_, resp := postPings(t, s, body, http.StatusOK)
	if len(resp.Events) != 1 || resp.Events[0].Grid != apitest.CommunityB {
		t.Fatalf("a GCJ-02 ping was not converted: %+v", resp.Events)
	}
	if e := resp.Events[0]; (orb.Point{e.Lon, e.Lat}).Equal(gcj) {
		t.Errorf("event position %v,%v is in GCJ-02, want WGS-84", e.Lon, e.Lat)
	}
	rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/patrols/pings?crs=bd09", body)
	if p := expectProblem(t, rec, http.StatusBadRequest); p.InvalidParams[0].Name != "crs" {
		t.Errorf("crs disagreement: %+v", p)
	}
}

func TestPostPingsInvalid(t *testing.T) {
	ok := pingJSON("m1", 0, apitest.InCommunity, "")
	cases := []struct {
		name, body string
		status     int
		params     []string // the invalid_params names, in order
		says       string   // the detail contains it
	}{
		{"unknown officer", pingBody(ok, pingJSON("m99", 0, apitest.InCommunity, "")), 400, []string{"pings[1].officer"}, `no member of the dataset has id "m99"`},
		{"a grid worker does not patrol", pingBody(pingJSON("m3", 0, apitest.InCommunity, "")), 400, []string{"pings[0].officer"}, "Grid worker"},
		{"time far in the future", pingBody(ok, pingJSON("m1", 3600, apitest.InCommunity, "")), 400, []string{"pings[1].at"}, "ahead of the server's clock"},
		{"time too old", pingBody(pingJSON("m1", -8*24*3600, apitest.InCommunity, "")), 400, []string{"pings[0].at"}, "older than"},
		{"time without a zone", pingBody(`{"officer":"m1","at":"2025-05-01T08:00:00","lon":109.3,"lat":34.15}`), 400, []string{"pings[0].at"}, "RFC 3339"},
		{"missing fields", pingBody(`{}`), 400, []string{"pings[0].officer", "pings[0].at", "pings[0].lon", "pings[0].lat"}, "is required"},
		{"swapped coordinates", pingBody(pingJSON("m1", 0, orb.Point{34.15, 109.3}, "")), 400, []string{"pings[0].lat"}, "swapped"},
		{"null island", pingBody(pingJSON("m1", 0, orb.Point{0, 0}, "")), 400, []string{"pings[0]"}, "without a fix"},
		{"negative speed", pingBody(pingJSON("m1", 0, apitest.InCommunity, `,"speed_mps":-1`)), 400, []string{"pings[0].speed_mps"}, "between 0 and 100"},
		{"heading out of range", pingBody(pingJSON("m1", 0, apitest.InCommunity, `,"heading_deg":400`)), 400, []string{"pings[0].heading_deg"}, "clockwise"},
		{"wrong kind of value", pingBody(`{"officer":"m1","at":"2025-05-01T08:00:00Z","lon":"109.3","lat":34.15}`), 400, []string{"pings[0].lon"}, "must be a number"},
		{"unknown member", pingBody(pingJSON("m1", 0, apitest.InCommunity, `,"speed":3`)), 400, []string{"pings[0]"}, `unknown field "speed"`},
		{"not an object", pingBody(`[109.3, 34.15]`), 400, []string{"pings[0]"}, "must be an object"},
		{"no pings", `{"crs":"wgs84"}`, 400, []string{"pings"}, "no pings array"},
		{"pings not an array", `{"pings":{}}`, 400, []string{"pings"}, "must be an array"},
		{"not JSON", `{"pings":[`, 400, nil, "not valid JSON"},
		{"empty body", ``, 400, nil, "empty"},
		{"too many", pingBody(ok, ok, ok), 413, nil, "limit of 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, store := newPatrolServer(t, PatrolOptions{})
			s.maxBatchPoints = 2
			rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/patrols/pings", c.body)
			p := expectProblem(t, rec, c.status)
			var names []string
			for _, ip := range p.InvalidParams {
				names = append(names, ip.Name)
			}
			if strings.Join(names, ",") != strings.Join(c.params, ",") || !strings.Contains(p.Detail, c.says) {
				t.Errorf("invalid_params %v, detail %q; want %v and %q", names, p.Detail, c.params, c.says)
			}
			if track, _, _ := store.Track(context.Background(), "m1", testNow.Add(-time.Hour), testNow.Add(time.Hour), 10); len(track) != 0 {
				t.Errorf("a rejected batch stored %d pings", len(track))
			}
		})
	}
}

func TestPostPingsIdempotent(t *testing.T) {
	s, store := newPatrolServer(t, PatrolOptions{})
	body := pingBody(pingJSON("m1", 0, apitest.InCommunity, ""))
	_, first := postPings(t, s, body, http.StatusOK, headerIdempotencyKey, "batch-7")
	_, again := postPings(t, s, body, http.StatusOK, headerIdempotencyKey, "batch-7")
	if first.Replayed || len(first.Events) != 1 || !again.Replayed || len(again.Events) != 0 || again.Accepted != 1 {
		t.Errorf("first %+v, again %+v", first, again)
	}
	if track, _, _ := store.Track(context.Background(), "m1", testNow.Add(-time.Hour), testNow.Add(time.Hour), 10); len(track) != 1 {
		t.Errorf("stored %d pings, want 1", len(track))
	}
	rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/patrols/pings", pingBody(pingJSON("m1", 1, apitest.InCommunity, "")))
	if rec.Code != http.StatusOK {
		t.Fatal(rec.Body.String())
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/patrols/pings", strings.NewReader(pingBody(pingJSON("m1", 2, apitest.InCommunity, ""))))
	req.Header.Set(headerIdempotencyKey, "batch-7")
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	expectProblem(t, rec, http.StatusConflict)
	for _, key := range []string{"has space", strings.Repeat("k", 201), "键"} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/patrols/pings", strings.NewReader(body))
		req.Header.Set(headerIdempotencyKey, key)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if p := expectProblem(t, rec, http.StatusBadRequest); p.InvalidParams[0].Name != headerIdempotencyKey {
			t.Errorf("key %q: %+v", key, p)
		}
	}
}

// downStore is a patrol store whose database is gone.
type downStore struct{ data.PatrolStore }

func (downStore) RecordPings(context.Context, data.PingBatch) (data.PingResult, error) {
	return data.PingResult{}, fmt.Errorf("test: %w", data.ErrUnavailable)
}

func (downStore) Track(context.Context, string, time.Time, time.Time, int) ([]geo.Ping, bool, error) {
	return nil, false, fmt.Errorf("test: %w", data.ErrUnavailable)
}

func TestPostPingsStoreDown(t *testing.T) {
	s := newTestServer(t, nil, Config{Patrols: downStore{memory.NewPatrols(memory.PatrolOptions{})}, PatrolOptions: PatrolOptions{Now: func() time.Time { return testNow }}})
	rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/patrols/pings", pingBody(pingJSON("m1", 0, apitest.InCommunity, "")))
	expectProblem(t, rec, http.StatusServiceUnavailable)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("a 503 without Retry-After")
	}
	if s.patrols.Board().Len() != 0 {
		t.Error("an unacknowledged ping reached the board")
	}
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols/m1/track", ""), http.StatusServiceUnavailable)
}

func TestNoPatrolStore(t *testing.T) {
	live := new(geo.Live)
	live.Store(mustIndex(t, apitest.Small()))
	s := New(Config{Index: live})
	for _, target := range []string{"/api/v1/patrols", "/api/v1/events", "/api/v1/patrols/m1/track", "/api/v1/dispatch/nearest-officers?lon=109.3&lat=34.15"} {
		expectProblem(t, serve(t, s.Handler(), http.MethodGet, target, ""), http.StatusServiceUnavailable)
	}
	// Stations need no patrol data.
	if rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/dispatch/nearest-station?lon=109.305&lat=34.15", ""); rec.Code != http.StatusOK {
		t.Errorf("nearest-station without a patrol store: %d", rec.Code)
	}
}

func TestTrack(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	postPings(t, s, pingBody(
		pingJSON("m1", 20, apitest.InCommunityB, `,"speed_mps":2`),
		pingJSON("m1", 0, apitest.InCommunity, ""),
		pingJSON("m1", 10, orb.Point{109.31, 34.15}, ""),
		pingJSON("m2", 5, apitest.InCommunity, ""),
	), http.StatusOK)
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols/m1/track", "")
	var fc struct {
		Features []struct {
			ID       string
			Geometry struct {
				Type        string
				Coordinates json.RawMessage
			}
			Properties map[string]any
		}
	}
	decodeJSON(t, rec, &fc)
	if len(fc.Features) != 4 || fc.Features[0].Geometry.Type != "LineString" || fc.Features[0].Properties["points"] != 3.0 {
		t.Fatalf("track: %s", rec.Body.String())
	}
	if d := fc.Features[0].Properties["distance_m"].(float64); d < 900 || d > 940 {
		t.Errorf("track length %v m, want about 920 m (0.01° of longitude at 34.15°N)", d)
	}
	for i, want := range []string{testNow.Format(time.RFC3339), testNow.Add(10 * time.Second).Format(time.RFC3339), testNow.Add(20 * time.Second).Format(time.RFC3339)} {
		if f := fc.Features[i+1]; f.Geometry.Type != "Point" || f.Properties["at"] != want {
			t.Errorf("point %d: %v at %v, want a Point at %s", i, f.Geometry.Type, f.Properties["at"], want)
		}
	}
	if sp := fc.Features[3].Properties["speed_mps"]; sp != 2.0 || fc.Features[1].Properties["speed_mps"] != nil {
		t.Errorf("speeds: %v, %v", fc.Features[3].Properties["speed_mps"], fc.Features[1].Properties["speed_mps"])
	}
	rec = serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols/m1/track?from="+testNow.Add(5*time.Second).Format(time.RFC3339)+"&to="+testNow.Add(20*time.Second).Format(time.RFC3339), "")
	fc.Features = nil
	decodeJSON(t, rec, &fc)
	if len(fc.Features) != 2 || fc.Features[0].Geometry.Type != "" || fc.Features[0].Properties["points"] != 1.0 {
		t.Errorf("track of one point (from inclusive, to exclusive): %s", rec.Body.String())
	}
	for _, bad := range []string{"?from=yesterday", "?from=2025-05-01T09:00:00Z&to=2025-05-01T08:00:00Z", "?from=2025-04-01T00:00:00Z&to=2025-05-01T00:00:00Z"} {
		expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols/m1/track"+bad, ""), http.StatusBadRequest)
	}
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols/m3/track", ""), http.StatusNotFound)
}

func TestPatrolStatus(t *testing.T) {
	now := testNow
	s, _ := newPatrolServer(t, PatrolOptions{SilentAfter: time.Minute, Now: func() time.Time { return now }})
	postPings(t, s, pingBody(pingJSON("m1", 0, apitest.InCommunity, `,"speed_mps":0.2`)), http.StatusOK)
	st, _ := s.patrols.Board().Get("m1")
	for _, c := range []struct {
		after time.Duration
		want  string
	}{{0, "stopped"}, {59 * time.Second, "stopped"}, {time.Minute, "silent"}} {
		if got := s.patrols.Status(st, testNow.Add(c.after)); got != c.want {
			t.Errorf("status %v after the ping: %s, want %s", c.after, got, c.want)
		}
	}
	// A silent officer is no dispatch candidate.
	now = testNow.Add(2 * time.Minute)
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/dispatch/nearest-officers?lon=109.305&lat=34.15", "")
	var resp NearestOfficers
	decodeJSON(t, rec, &resp)
	if len(resp.ByDistance) != 0 {
		t.Errorf("a silent officer was proposed: %+v", resp.ByDistance)
	}
}

// TestNearestOfficers puts m5 in the mountains just east of the plain and
// m1 a little farther west on the plain: m5 is nearer, m1 is faster.
func TestNearestOfficers(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	postPings(t, s, pingBody(
		pingJSON("m5", 0, orb.Point{109.3215, 34.15}, `,"speed_mps":8`),
		pingJSON("m1", 0, orb.Point{109.3135, 34.15}, ""),
		pingJSON("m2", 0, orb.Point{109.301, 34.15}, ""),
	), http.StatusOK)
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/dispatch/nearest-officers?lon=109.318&lat=34.15&n=2", "")
	var resp NearestOfficers
	decodeJSON(t, rec, &resp)
	ids := func(cs []patrolling.OfficerCandidate) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Officer)
		}
		return strings.Join(out, ",")
	}
	if ids(resp.ByDistance) != "m5,m1" || ids(resp.ByTime) != "m1,m5" {
		t.Fatalf("by distance %s, by time %s; want m5,m1 and m1,m5", ids(resp.ByDistance), ids(resp.ByTime))
	}
	if c := resp.ByDistance[0]; c.DistanceM < 300 || c.DistanceM > 340 || c.ETASeconds <= c.DistanceM*1.4/12.5 || c.Status != "moving" || c.Name != "刘警官" {
		t.Errorf("candidate %+v", c)
	}
	for _, bad := range []string{"lon=109.3&lat=34.15&n=0", "lon=109.3&lat=34.15&n=51", "lon=x&lat=34.15", "lat=34.15"} {
		expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/dispatch/nearest-officers?"+bad, ""), http.StatusBadRequest)
	}
}

func TestNearestStation(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/dispatch/nearest-station?lon=109.3195&lat=34.1475", "")
	var resp NearestStation
	decodeJSON(t, rec, &resp)
	if resp.Responsible == nil || resp.Responsible.ID != apitest.StationA || resp.Nearest == nil || resp.Nearest.ID != apitest.StationB || resp.Fastest == nil {
		t.Fatalf("nearest station: %s", rec.Body.String())
	}
	rec = serve(t, s.Handler(), http.MethodGet, "/api/v1/dispatch/nearest-station?lon=109&lat=34", "")
	decodeJSON(t, rec, &resp)
	if resp.Responsible != nil || resp.Nearest == nil {
		t.Errorf("outside every grid: %s", rec.Body.String())
	}
}

// TestRulesFollowIndex swaps the index: pings are judged by the grids in
// force.
func TestRulesFollowIndex(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	r1 := s.patrols.Rules(s.live.Load())
	if s.patrols.Rules(s.live.Load()) != r1 {
		t.Error("rules derived twice for one index")
	}
	s.live.Store(mustIndex(t, apitest.Small()))
	if s.patrols.Rules(s.live.Load()) == r1 {
		t.Error("rules not derived again for a new index")
	}
}

// TestPatrolTiles: the patrols tile layer draws the board the server keeps.
func TestPatrolTiles(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	postPings(t, s, pingBody(pingJSON("m1", 0, apitest.InCommunity, `,"speed_mps":2`)), http.StatusOK)
	tile := maptile.At(apitest.InCommunity, 15)
	rec := get(t, s.Handler(), fmt.Sprintf("/tiles/patrols/%d/%d/%d.mvt", tile.Z, tile.X, tile.Y))
	if rec.Code != http.StatusOK {
		t.Fatalf("patrol tile: %d %s", rec.Code, rec.Body.String())
	}
	if n := decodeMVT(t, rec.Body.Bytes())["patrols"]; n != 1 {
		t.Errorf("patrol tile holds %d features, want the one officer", n)
	}
	if cc := rec.Header().Get("Cache-Control"); strings.Contains(cc, "max-age") && !strings.Contains(cc, "max-age=0") {
		t.Errorf("a live layer served with Cache-Control %q", cc)
	}
}
