package api

import (
	"context"
	"fmt"
	"io"
	"jingge/api/httpx"
	"jingge/api/incidents"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/data"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/crs"
	"jingge/tiles"
)

// withIncidentStore gives cfg an embedded store holding ds for incidents,
// grid history and grid edits, and returns it.
func withIncidentStore(tb testing.TB, ds *geo.Dataset, cfg *Config) *memory.Store {
	tb.Helper()
	st, err := memory.New(memory.Clone(ds))
	if err != nil {
		tb.Fatalf("memory.New: %v", err)
	}
	cfg.Incidents, cfg.GridHistory, cfg.GridEditor, cfg.Overlays, cfg.Checkpoints = st, st, st, st, st
	cfg.IncidentTiles = tiles.NewIncidentLayer(cfg.Index, incidents.TileSource(st), tiles.IncidentLayerOptions{})
	return st
}

// incidentJSONAt writes one incident of category traffic at p, an hour ago.
func incidentJSONAt(p orb.Point, extra string) string {
	at := time.Now().Add(-time.Hour).Format(time.RFC3339)
	return fmt.Sprintf(`{"occurred_at":%q,"category":"traffic","location":%s%s}`, at, pos(p), extra)
}

func newRequest(tb testing.TB, method, target, body string) *http.Request {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return httptest.NewRequest(method, target, r)
}

func serveRequest(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCreateIncidentShapes(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	gcj := crs.Convert(apitest.InCommunityB, crs.WGS84, crs.GCJ02)
	at := time.Now().Add(-time.Hour).Format(time.RFC3339)
	feature := func(p orb.Point) string {
		return fmt.Sprintf(`{"type":"Feature","id":"x","geometry":{"type":"Point","coordinates":%s},"properties":{"occurred_at":%q,"category":"纠纷","severity":2}}`, pos(p), at)
	}
	tests := []struct {
		name  string
		body  string
		grids []string // community grid of each, "" for a police grid without community grids
	}{
		{"one incident", incidentJSONAt(apitest.InCommunity, `,"summary":"两车剐蹭","source":"110"`), []string{apitest.CommunityA}},
		{"one incident in gcj02", incidentJSONAt(gcj, `,"crs":"gcj02"`), []string{apitest.CommunityB}},
		{"a batch", `{"incidents":[` + incidentJSONAt(apitest.InCommunity, "") + `,` + incidentJSONAt(apitest.InPoliceOnly, "") + `]}`, []string{apitest.CommunityA, ""}},
		{"a batch in gcj02", `{"crs":"gcj02","incidents":[` + incidentJSONAt(gcj, "") + `]}`, []string{apitest.CommunityB}},
		{"a feature", feature(apitest.InCommunityB), []string{apitest.CommunityB}},
		{"a feature collection", `{"type":"FeatureCollection","features":[` + feature(apitest.InCommunity) + `,` + feature(apitest.InCommunityB) + `]}`, []string{apitest.CommunityA, apitest.CommunityB}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/incidents", tc.body)
			if rec.Code != http.StatusCreated {
				t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			var out CreatedIncidents
			decodeJSON(t, rec, &out)
			if out.Count != len(tc.grids) || len(out.Incidents) != len(tc.grids) || out.Replayed {
				t.Fatalf("answer %+v, want %d incidents", out, len(tc.grids))
			}
			for i, want := range tc.grids {
				got := out.Incidents[i]
				if got.CommunityGrid != want || got.Station == "" || got.PoliceGrid == "" {
					t.Errorf("incident %d attributed to %+v, want community grid %q", i, got, want)
				}
				g := serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents/"+got.ID, "")
				if g.Code != http.StatusOK {
					t.Fatalf("GET incident %s: %d %s", got.ID, g.Code, g.Body.String())
				}
			}
			if loc := rec.Header().Get("Location"); (len(tc.grids) == 1) != (loc != "") || loc != "" && loc != "/api/v1/incidents/"+out.Incidents[0].ID {
				t.Errorf("Location %q", loc)
			}
		})
	}
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents?category=纠纷", "")
	var fc IncidentCollection
	decodeJSON(t, rec, &fc)
	if fc.NumberReturned != 3 {
		t.Fatalf("%d disputes, want the 3 features", fc.NumberReturned)
	}
	p := fc.Features[0].Properties
	if p.Category != geo.Dispute || p.CategoryZH != "纠纷" || p.Severity != 2 || p.Status != geo.Reported || !strings.HasSuffix(p.OccurredAt, "+08:00") {
		t.Errorf("properties %+v", p)
	}
}

func TestCreateIncidentsRejects(t *testing.T) {
	s := newTestServer(t, nil, Config{MaxBatchIncidents: 3})
	good := incidentJSONAt(apitest.InCommunity, "")
	future := time.Now().Add(time.Hour).Format(time.RFC3339)
	tests := []struct {
		name   string
		body   string
		header string // Idempotency-Key
		status int
		param  string // a name invalid_params must hold
		detail string // a phrase the detail must hold
	}{
		{"empty body", "", "", 400, "", "empty"},
		{"not JSON", "{", "", 400, "", "not valid JSON"},
		{"an array", "[]", "", 400, "", "JSON object"},
		{"misspelt member", strings.Replace(good, "occurred_at", "occured_at", 1), "", 400, "occured_at", `did you mean "occurred_at"`},
		{"no occurrence time", `{"category":"traffic","location":[109.305,34.15]}`, "", 400, "occurred_at", "required"},
		{"a time that is not one", strings.Replace(good, `"occurred_at":"`, `"occurred_at":"yesterday`, 1), "", 400, "occurred_at", "must be a time"},
		{"in the future", fmt.Sprintf(`{"occurred_at":%q,"category":"traffic","location":[109.305,34.15]}`, future), "", 400, "occurred_at", "future"},
		{"unknown category", strings.Replace(good, `"traffic"`, `"ufo"`, 1), "", 400, "category", "must be one of"},
		{"severity out of range", strings.Replace(good, `"category"`, `"severity":9,"category"`, 1), "", 400, "severity", "1 (minor) to 5"},
		{"severity not a number", strings.Replace(good, `"category"`, `"severity":"high","category"`, 1), "", 400, "severity", "wrong kind"},
		{"unknown status", strings.Replace(good, `"category"`, `"status":"solved","category"`, 1), "", 400, "status", "reported, dispatched"},
		{"cleared but not criminal", strings.Replace(good, `"category"`, `"cleared":true,"category"`, 1), "", 400, "cleared", "criminal"},
		{"no location", `{"occurred_at":"2026-01-01T10:00:00+08:00","category":"traffic"}`, "", 400, "location", "required"},
		{"swapped coordinates", incidentJSONAt(orb.Point{34.15, 109.305}, ""), "", 400, "location", "swapped"},
		{"outside every grid", `{"incidents":[` + good + `,` + incidentJSONAt(apitest.Outside, "") + `]}`, "", 400, "incidents[1].location", "outside every grid"},
		{"empty batch", `{"incidents":[]}`, "", 400, "incidents", "empty"},
		{"unknown batch member", `{"incidents":[` + good + `],"crss":"gcj02"}`, "", 400, "crss", "unknown member"},
		{"crs inside a batch item", `{"incidents":[` + incidentJSONAt(apitest.InCommunity, `,"crs":"gcj02"`) + `]}`, "", 400, "incidents[0].crs", "unknown member"},
		{"unknown crs", incidentJSONAt(apitest.InCommunity, `,"crs":"mercator"`), "", 400, "crs", "mercator"},
		{"a feature with a location property", `{"type":"Feature","geometry":{"type":"Point","coordinates":[109.305,34.15]},"properties":{"occurred_at":"2026-01-01T10:00:00+08:00","category":"traffic","location":[1,2]}}`, "", 400, "properties.location", "geometry"},
		{"a feature without a point", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{}}`, "", 400, "geometry.type", "Point"},
		{"a polygon body", `{"type":"Polygon","coordinates":[]}`, "", 400, "", "does not hold incidents"},
		{"a key with spaces", good, "my key", 400, "Idempotency-Key", "printable ASCII"},
		{"too many incidents", `{"incidents":[` + strings.Repeat(good+",", 3) + good + `]}`, "", 413, "", "limit of 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(t, http.MethodPost, "/api/v1/incidents", tc.body)
			if tc.header != "" {
				req.Header.Set(headerIdempotencyKey, tc.header)
			}
			rec := serveRequest(s.Handler(), req)
			p := expectProblem(t, rec, tc.status)
			if !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("detail %q does not say %q", p.Detail, tc.detail)
			}
			if tc.param != "" && !hasParam(p, tc.param) {
				t.Errorf("invalid_params %+v do not name %s", p.InvalidParams, tc.param)
			}
		})
	}
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents", "")
	var fc IncidentCollection
	decodeJSON(t, rec, &fc)
	if fc.NumberReturned != 0 {
		t.Fatalf("%d incidents stored by rejected requests", fc.NumberReturned)
	}
	small := newTestServer(t, nil, Config{MaxBodyBytes: 64})
	expectProblem(t, serve(t, small.Handler(), http.MethodPost, "/api/v1/incidents", `{"incidents":[`+good+`]}`), http.StatusRequestEntityTooLarge)
}

func hasParam(p problemJSON, name string) bool {
	for _, ip := range p.InvalidParams {
		if ip.Name == name {
			return true
		}
	}
	return false
}

func TestCreateIncidentsIdempotent(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	body := `{"incidents":[` + incidentJSONAt(apitest.InCommunity, "") + `,` + incidentJSONAt(apitest.InCommunityB, "") + `]}`
	post := func(body string) *httptest.ResponseRecorder {
		req := newRequest(t, http.MethodPost, "/api/v1/incidents", body)
		req.Header.Set(headerIdempotencyKey, "console-7:batch-0001")
		return serveRequest(s.Handler(), req)
	}
	first := post(body)
	if first.Code != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Code, first.Body.String())
	}
	again := post(body)
	if again.Code != http.StatusOK {
		t.Fatalf("again: %d %s", again.Code, again.Body.String())
	}
	var a, b CreatedIncidents
	decodeJSON(t, first, &a)
	decodeJSON(t, again, &b)
	if !b.Replayed || b.Incidents[0].ID != a.Incidents[0].ID || b.Incidents[1].ID != a.Incidents[1].ID {
		t.Fatalf("replay %+v, first %+v", b, a)
	}
	p := expectProblem(t, post(`{"incidents":[`+incidentJSONAt(apitest.InCommunity, "")+`]}`), http.StatusConflict)
	if !strings.Contains(p.Detail, "console-7:batch-0001") || !strings.Contains(p.Detail, "different body") {
		t.Errorf("detail %q", p.Detail)
	}
}

func TestIncidentLifecycleOverHTTP(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/incidents", strings.Replace(incidentJSONAt(apitest.InCommunity, ""), "traffic", "criminal", 1))
	var out CreatedIncidents
	decodeJSON(t, rec, &out)
	path := "/api/v1/incidents/" + out.Incidents[0].ID
	steps := []struct {
		name   string
		body   string
		status int
		detail string
	}{
		{"dispatch", `{"status":"dispatched"}`, 200, ""},
		{"dispatch again", `{"status":"dispatched"}`, 200, ""},
		{"back", `{"status":"reported"}`, 409, "cannot go back to reported"},
		{"close and clear", `{"status":"closed","cleared":true}`, 200, ""},
		{"unknown status", `{"status":"solved"}`, 400, "reported, dispatched"},
		{"misspelt member", `{"stauts":"closed"}`, 400, "unknown member"},
		{"nothing", `{}`, 400, "changes nothing"},
		{"not JSON", `{`, 400, "JSON"},
	}
	for _, st := range steps {
		rec := serve(t, s.Handler(), http.MethodPatch, path, st.body)
		if st.status == 200 {
			if rec.Code != 200 {
				t.Fatalf("%s: %d %s", st.name, rec.Code, rec.Body.String())
			}
			continue
		}
		if p := expectProblem(t, rec, st.status); !strings.Contains(p.Detail, st.detail) {
			t.Errorf("%s: detail %q does not say %q", st.name, p.Detail, st.detail)
		}
	}
	rec = serve(t, s.Handler(), http.MethodGet, path, "")
	var f httpx.Feature[*IncidentProperties]
	decodeJSON(t, rec, &f)
	if f.Properties.Status != geo.Closed || !f.Properties.Cleared {
		t.Errorf("after the steps: %+v", f.Properties)
	}
	for _, missing := range []string{"/api/v1/incidents/99999", "/api/v1/incidents/abc"} {
		expectProblem(t, serve(t, s.Handler(), http.MethodGet, missing, ""), http.StatusNotFound)
		expectProblem(t, serve(t, s.Handler(), http.MethodPatch, missing, `{"status":"closed"}`), http.StatusNotFound)
	}
}

// seedIncidents stores n incidents spread over the Small dataset and the
// last n hours.
func seedIncidents(t *testing.T, s *Server, n int) {
	t.Helper()
	pts := []orb.Point{apitest.InCommunity, apitest.InCommunityB, apitest.InPoliceOnly}
	cats := []string{"traffic", "dispute", "fire"}
	var items []string
	for i := range n {
		at := time.Now().Add(-time.Duration(i+1) * time.Hour).Format(time.RFC3339)
		items = append(items, fmt.Sprintf(`{"occurred_at":%q,"category":%q,"location":%s}`, at, cats[i%3], pos(pts[i%3])))
	}
	rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/incidents", `{"incidents":[`+strings.Join(items, ",")+`]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("seeding: %d %s", rec.Code, rec.Body.String())
	}
}

func TestListIncidents(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	seedIncidents(t, s, 30)
	count := func(target string) int {
		t.Helper()
		rec := serve(t, s.Handler(), http.MethodGet, target, "")
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", target, rec.Code, rec.Body.String())
		}
		var fc IncidentCollection
		decodeJSON(t, rec, &fc)
		return fc.NumberReturned
	}
	gcjB := crs.Convert(apitest.InCommunityB, crs.WGS84, crs.GCJ02)
	cases := []struct {
		target string
		want   int
	}{
		{"/api/v1/incidents", 30},
		{"/api/v1/incidents?category=traffic,fire", 20},
		{"/api/v1/incidents?station=" + apitest.StationB, 10},
		{"/api/v1/incidents?grid=" + apitest.PoliceA, 20},
		{"/api/v1/incidents?grid=" + apitest.CommunityB, 10},
		{"/api/v1/incidents?bbox=109.30,34.14,109.31,34.16", 10},
		{"/api/v1/incidents?polygon=109.30,34.14,109.32,34.14,109.32,34.16,109.30,34.16", 20},
		{fmt.Sprintf("/api/v1/incidents?near=%v,%v&radius_m=300&crs=gcj02", gcjB[0], gcjB[1]), 10},
		{"/api/v1/incidents?from=" + url.QueryEscape(time.Now().Add(-10*time.Hour-30*time.Minute).Format(time.RFC3339)), 10},
		{"/api/v1/incidents?status=closed", 0},
		{"/api/v1/incidents?limit=7", 7},
	}
	for _, c := range cases {
		if got := count(c.target); got != c.want {
			t.Errorf("%s: %d incidents, want %d", c.target, got, c.want)
		}
	}
	// Follow the next links to the end.
	seen := map[string]bool{}
	next := "/api/v1/incidents?limit=8&category=traffic,dispute,fire"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("too many pages")
		}
		rec := serve(t, s.Handler(), http.MethodGet, next, "")
		var fc IncidentCollection
		decodeJSON(t, rec, &fc)
		next = ""
		for _, l := range fc.Links {
			if l.Rel == "next" {
				next = l.Href
			}
		}
		for _, f := range fc.Features {
			if seen[f.ID] {
				t.Fatalf("incident %s on two pages", f.ID)
			}
			seen[f.ID] = true
		}
	}
	if len(seen) != 30 {
		t.Fatalf("the pages held %d incidents, want 30", len(seen))
	}
	bad := []struct{ query, param string }{
		{"from=yesterday", "from"},
		{"from=2026-05-02&to=2026-05-01", "to"},
		{"category=ufo", "category"},
		{"status=solved", "status"},
		{"station=nowhere", "station"},
		{"grid=nowhere", "grid"},
		{"bbox=1,2,3", "bbox"},
		{"polygon=1,2,3", "polygon"},
		{"polygon=109.30,34.14,109.32,34.16,109.32,34.14,109.30,34.16", "polygon"},
		{"polygon=109.30,34.14,109.32,34.16", "polygon"},
		{"near=109.3,34.15", "near"},
		{"near=109.3,34.15&radius_m=0", "radius_m"},
		{"near=109.3&radius_m=10", "near"},
		{"limit=0", "limit"},
		{"limit=5000", "limit"},
		{"crs=mercator", "crs"},
		{"cursor=garbage", "cursor"},
		{"lng=1", "lng"},
	}
	for _, b := range bad {
		p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents?"+b.query, ""), http.StatusBadRequest)
		if !hasParam(p, b.param) {
			t.Errorf("%s: invalid_params %+v do not name %s", b.query, p.InvalidParams, b.param)
		}
	}
}

func TestAggregateIncidents(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	seedIncidents(t, s, 30)
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents/aggregate?group_by=station&bucket=month", "")
	var a incidents.AggregateResponse
	decodeJSON(t, rec, &a)
	total := map[string]int{}
	for _, r := range a.Rows {
		total[r.Key] += r.Total
		if r.Name == "" || len(r.Start) != len("2026-05-01") {
			t.Errorf("row %+v", r)
		}
	}
	if total[apitest.StationA] != 20 || total[apitest.StationB] != 10 || a.TimeZone != "+08:00" {
		t.Errorf("per station %v (%+v)", total, a)
	}
	rec = serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents/aggregate?bucket=day&category=fire", "")
	a = incidents.AggregateResponse{}
	decodeJSON(t, rec, &a)
	n := 0
	for _, r := range a.Rows {
		n += r.Counts["fire"]
		if r.Key != "" || r.Counts["traffic"] != 0 {
			t.Errorf("fires per community grid: row %+v; every fire lies in the police grid without community grids", r)
		}
	}
	if n != 10 || a.GroupBy != data.ByGrid {
		t.Errorf("%d fires, group_by %s", n, a.GroupBy)
	}
	for _, q := range []string{"group_by=township", "bucket=year"} {
		expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents/aggregate?"+q, ""), http.StatusBadRequest)
	}
}

// flakyStore is an incident store whose database can be taken away.
type flakyStore struct {
	*memory.Store
	down atomic.Bool
}

var errDown = fmt.Errorf("postgis: add incidents: %w: the database cannot be reached", data.ErrUnavailable)

func (f *flakyStore) AddIncidents(ctx context.Context, b data.IncidentBatch) (data.AddResult, error) {
	if f.down.Load() {
		return data.AddResult{}, errDown
	}
	return f.Store.AddIncidents(ctx, b)
}

func (f *flakyStore) UpdateIncident(ctx context.Context, id string, p data.IncidentPatch) (geo.Incident, error) {
	if f.down.Load() {
		return geo.Incident{}, errDown
	}
	return f.Store.UpdateIncident(ctx, id, p)
}

func (f *flakyStore) QueryIncidents(ctx context.Context, fl data.IncidentFilter, p data.Page) (data.IncidentPage, error) {
	if f.down.Load() {
		return data.IncidentPage{}, errDown
	}
	return f.Store.QueryIncidents(ctx, fl, p)
}

func (f *flakyStore) GridEpochs(ctx context.Context) ([]time.Time, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.Store.GridEpochs(ctx)
}

func TestIncidentsWhenTheStoreIsDown(t *testing.T) {
	ds := apitest.Small()
	var cfg Config
	st := &flakyStore{Store: withIncidentStore(t, ds, &cfg)}
	cfg.Incidents, cfg.GridHistory = st, st
	s := newTestServer(t, ds, cfg)
	seedIncidents(t, s, 1)
	st.down.Store(true)
	for _, c := range []struct{ method, target, body string }{
		{http.MethodPost, "/api/v1/incidents", incidentJSONAt(apitest.InCommunity, "")},
		{http.MethodPatch, "/api/v1/incidents/1", `{"status":"closed"}`},
		{http.MethodGet, "/api/v1/incidents", ""},
	} {
		rec := serve(t, s.Handler(), c.method, c.target, c.body)
		p := expectProblem(t, rec, http.StatusServiceUnavailable)
		if rec.Header().Get("Retry-After") == "" || strings.Contains(p.Detail, "postgis") {
			t.Errorf("%s %s: Retry-After %q, detail %q", c.method, c.target, rec.Header().Get("Retry-After"), p.Detail)
		}
	}
	st.down.Store(false)
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents", "")
	var fc IncidentCollection
	decodeJSON(t, rec, &fc)
	if fc.NumberReturned != 1 || fc.Features[0].Properties.Status != geo.Reported {
		t.Fatalf("after the outage: %d incidents, %+v; want the one acknowledged, unchanged", fc.NumberReturned, fc.Features)
	}
	off := New(Config{Index: s.live})
	expectProblem(t, serve(t, off.Handler(), http.MethodGet, "/api/v1/incidents", ""), http.StatusServiceUnavailable)
}

// gridEditBody writes a PUT body for a rectangle.
func gridEditBody(minLon, minLat, maxLon, maxLat float64, extra string) string {
	return fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%v,%v],[%v,%v],[%v,%v],[%v,%v],[%v,%v]]]}%s}`,
		minLon, minLat, maxLon, minLat, maxLon, maxLat, minLon, maxLat, minLon, minLat, extra)
}

// TestGridEditMovesAttribution moves the boundary between the two
// community grids by editing both over HTTP, and checks incidents on the
// strip go to the grid of their own time, whatever the served index says.
func TestGridEditMovesAttribution(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	before := time.Now().Add(-time.Minute)
	time.Sleep(2 * time.Millisecond)
	steps := []struct {
		id, body string
	}{
		{apitest.CommunityB, gridEditBody(109.312, 34.14, 109.32, 34.16, `,"properties":{"name":"西街社区网格（调整）"},"base_version":1,"reason":"boundary survey"`)},
		{apitest.CommunityA, gridEditBody(109.30, 34.14, 109.312, 34.16, `,"base_version":1`)},
	}
	for _, st := range steps {
		rec := serve(t, s.Handler(), http.MethodPut, "/api/v1/grids/"+st.id, st.body)
		if rec.Code != 200 {
			t.Fatalf("PUT %s: %d %s", st.id, rec.Code, rec.Body.String())
		}
		var f httpx.Feature[GridVersionProperties]
		decodeJSON(t, rec, &f)
		if f.Properties.Version != 2 || f.Properties.Level != geo.CommunityLevel {
			t.Fatalf("PUT %s answered %+v", st.id, f.Properties)
		}
	}
	strip := orb.Point{109.311, 34.15}
	post := func(at time.Time) incidents.CreatedIncident {
		body := fmt.Sprintf(`{"occurred_at":%q,"category":"traffic","location":%s}`, at.Format(time.RFC3339Nano), pos(strip))
		rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/incidents", body)
		if rec.Code != http.StatusCreated {
			t.Fatalf("POST at %s: %d %s", at, rec.Code, rec.Body.String())
		}
		var out CreatedIncidents
		decodeJSON(t, rec, &out)
		return out.Incidents[0]
	}
	if got := post(before); got.CommunityGrid != apitest.CommunityB {
		t.Errorf("before the edit: %s, want %s", got.CommunityGrid, apitest.CommunityB)
	}
	if got := post(time.Now()); got.CommunityGrid != apitest.CommunityA {
		t.Errorf("after the edit: %s, want %s", got.CommunityGrid, apitest.CommunityA)
	}

	stale := serve(t, s.Handler(), http.MethodPut, "/api/v1/grids/"+apitest.CommunityA, `{"type":"Feature","properties":{"population":5},"base_version":1}`)
	p := expectProblem(t, stale, http.StatusConflict)
	if !strings.Contains(p.Detail, "version 2") {
		t.Errorf("stale edit: %q", p.Detail)
	}
	bad := []struct {
		id, body string
		status   int
		detail   string
	}{
		{"nowhere", `{"type":"Feature","properties":{"population":5}}`, 404, "no grid"},
		{apitest.CommunityA, `{"type":"Feature","properties":{"populaton":5}}`, 400, "unknown member"},
		{apitest.CommunityA, `{"type":"Feature","properties":{"population":-5}}`, 400, "negative"},
		{apitest.CommunityA, `{"type":"Feature","properties":{"station":"nowhere"}}`, 400, "nowhere"},
		{apitest.CommunityA, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[109.30,34.14],[109.31,34.16],[109.31,34.14],[109.30,34.16],[109.30,34.14]]]}}`, 400, "intersects itself"},
		{apitest.CommunityA, `{"type":"Feature","geometry":{"type":"Point","coordinates":[109.3,34.1]}}`, 400, "Polygon or MultiPolygon"},
		{apitest.CommunityA, `{"type":"Feature","id":"other"}`, 400, "differs"},
		{apitest.CommunityA, `{"type":"Polygon"}`, 400, "Feature"},
		{apitest.CommunityA, `{"type":"Feature","base_version":0}`, 400, "base_version"},
		{apitest.CommunityA, ``, 400, "empty"},
	}
	for _, b := range bad {
		p := expectProblem(t, serve(t, s.Handler(), http.MethodPut, "/api/v1/grids/"+b.id, b.body), b.status)
		if !strings.Contains(p.Detail, b.detail) {
			t.Errorf("PUT %s %s: detail %q does not say %q", b.id, b.body, p.Detail, b.detail)
		}
	}
	var cfg Config
	withIncidentStore(t, apitest.Small(), &cfg)
	cfg.GridEditor = nil
	ro := newTestServer(t, nil, cfg)
	expectProblem(t, serve(t, ro.Handler(), http.MethodPut, "/api/v1/grids/"+apitest.CommunityA, `{"type":"Feature"}`), http.StatusConflict)
}

// TestIncidentResponsesMatchOpenAPI checks every status the incident and
// grid-edit routes give against the document.
func TestIncidentResponsesMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	s := newTestServer(t, nil, Config{MaxBatchIncidents: 2})
	seedIncidents(t, s, 2)
	good := incidentJSONAt(apitest.InCommunity, "")
	cases := []struct{ method, target, body string }{
		{"POST", "/api/v1/incidents", good},
		{"POST", "/api/v1/incidents", `{"incidents":[` + good + `,` + incidentJSONAt(apitest.Outside, "") + `]}`},
		{"POST", "/api/v1/incidents", `{"incidents":[` + good + `,` + good + `,` + good + `]}`},
		{"GET", "/api/v1/incidents?limit=1", ""},
		{"GET", "/api/v1/incidents?bbox=1,2", ""},
		{"GET", "/api/v1/incidents/aggregate?bucket=week", ""},
		{"GET", "/api/v1/incidents/aggregate?bucket=year", ""},
		{"GET", "/api/v1/incidents/1", ""},
		{"GET", "/api/v1/incidents/12345", ""},
		{"PATCH", "/api/v1/incidents/1", `{"status":"closed"}`},
		{"PATCH", "/api/v1/incidents/1", `{"status":"reported"}`},
		{"PATCH", "/api/v1/incidents/12345", `{"status":"closed"}`},
		{"PATCH", "/api/v1/incidents/1", `{"x":1}`},
		{"PUT", "/api/v1/grids/" + apitest.PoliceB, `{"type":"Feature","properties":{"population":600}}`},
		{"PUT", "/api/v1/grids/" + apitest.PoliceB, `{"type":"Feature","properties":{"population":700},"base_version":1}`},
		{"PUT", "/api/v1/grids/nowhere", `{"type":"Feature"}`},
		{"PUT", "/api/v1/grids/" + apitest.PoliceB, `{"type":"Feature","properties":{"population":-1}}`},
	}
	seen := map[int]bool{}
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			seen[checkAgainstOpenAPI(t, doc, s, c.method, c.target, c.body)] = true
		})
	}
	notReady := New(Config{})
	for _, c := range cases[:1] {
		seen[checkAgainstOpenAPI(t, doc, notReady, c.method, c.target, c.body)] = true
	}
	for _, status := range []int{200, 201, 400, 404, 409, 413, 503} {
		if !seen[status] {
			t.Errorf("no case produced a %d", status)
		}
	}
}
