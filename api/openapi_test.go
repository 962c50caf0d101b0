package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"jingge/api/httpx"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"jingge/api/apitest"
)

// openAPIDoc is the embedded document, decoded generically.
type openAPIDoc map[string]any

func loadOpenAPI(tb testing.TB) openAPIDoc {
	tb.Helper()
	var doc openAPIDoc
	dec := json.NewDecoder(bytes.NewReader(openAPIDocument))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		tb.Fatalf("openapi.json: %v", err)
	}
	return doc
}

func (d openAPIDoc) paths() map[string]map[string]any {
	out := map[string]map[string]any{}
	for p, item := range d["paths"].(map[string]any) {
		out[p] = item.(map[string]any)
	}
	return out
}

// resolve follows a local $ref ("#/components/...").
func (d openAPIDoc) resolve(tb testing.TB, v any) map[string]any {
	tb.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		tb.Fatalf("not an object: %v", v)
	}
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	var cur any = map[string]any(d)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		obj, ok := cur.(map[string]any)
		if !ok || obj[part] == nil {
			tb.Fatalf("unresolvable $ref %q", ref)
		}
		cur = obj[part]
	}
	return d.resolve(tb, cur)
}

// operation finds the documented operation for a path template and method.
func (d openAPIDoc) operation(path, method string) (map[string]any, bool) {
	item, ok := d.paths()[path]
	if !ok {
		return nil, false
	}
	op, ok := item[strings.ToLower(method)].(map[string]any)
	return op, ok
}

// params returns an operation's parameters by location, then name.
func (d openAPIDoc) params(tb testing.TB, op map[string]any) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	list, _ := op["parameters"].([]any)
	for _, p := range list {
		pm := d.resolve(tb, p)
		out[pm["in"].(string)] = append(out[pm["in"].(string)], pm["name"].(string))
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// TestOpenAPIMatchesRoutes walks the router: every route and method must be
// documented with the route's name as operationId, its query parameters
// and its path parameters; every documented operation must be routed.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi version %q, want 3.1.x", v)
	}
	s := newTestServer(t, nil, Config{})
	table := map[string]route{}
	for _, rt := range s.routes() {
		table[rt.name] = rt
	}
	routed := map[string]bool{}
	err := s.router.Walk(func(r *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		path, err := r.GetPathTemplate()
		if err != nil {
			return err
		}
		methods, err := r.GetMethods()
		if err != nil {
			return fmt.Errorf("%s: every route must name its methods: %w", path, err)
		}
		rt, ok := table[r.GetName()]
		if !ok {
			return fmt.Errorf("%s: route %q is not in the route table", path, r.GetName())
		}
		for _, m := range methods {
			routed[m+" "+path] = true
			if m == http.MethodHead && slices.Contains(methods, http.MethodGet) {
				continue // HEAD of a GET route is implied (RFC 9110), not documented apart
			}
			op, ok := doc.operation(path, m)
			if !ok {
				t.Errorf("%s %s is routed but not documented", m, path)
				continue
			}
			if id := op["operationId"]; id != rt.name {
				t.Errorf("%s %s: operationId %v, want the route name %q", m, path, id, rt.name)
			}
			params := doc.params(t, op)
			want := slices.Sorted(slices.Values(rt.query))
			if !slices.Equal(params["query"], want) && len(params["query"])+len(want) > 0 {
				t.Errorf("%s %s: documented query parameters %v, the handler reads %v", m, path, params["query"], want)
			}
			var pathVars []string
			for _, v := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1) {
				pathVars = append(pathVars, v[1])
			}
			sort.Strings(pathVars)
			if !slices.Equal(params["path"], pathVars) {
				t.Errorf("%s %s: documented path parameters %v, the template has %v", m, path, params["path"], pathVars)
			}
			responses, _ := op["responses"].(map[string]any)
			for _, status := range []string{"200", "400", "500"} {
				if responses[status] == nil {
					t.Errorf("%s %s: response %s is not documented", m, path, status)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.paths() {
		for _, m := range httpMethods {
			if item[m] != nil && !routed[strings.ToUpper(m)+" "+path] {
				t.Errorf("%s %s is documented but not routed", strings.ToUpper(m), path)
			}
		}
	}
}

// paramExamples holds, per route with query parameters, a request that
// gives every one of them, so TestDocumentedParamsAreRead can see each read.
var paramExamples = map[string]struct{ target, body string }{
	"lookupPoint": {"/api/v1/lookup?lon=109.305&lat=34.15&crs=wgs84&include=areas,places&places_radius=800", ""},
	"listAreas":   {"/api/v1/areas?bbox=109.3,34.14,109.34,34.16&kind=water_protection&station=wenjilu", ""},
	"listPlaces":  {"/api/v1/places?bbox=109.3,34.14,109.34,34.16&kind=school&station=wenjilu", ""},
	"deleteArea":  {"/api/v1/areas/lijiahe?base_version=1", ""},
	"deletePlace": {"/api/v1/places/school-1?base_version=1", ""},
	"lookupBatch": {"/api/v1/lookup?crs=wgs84", `{"points":[[109.305,34.15]]}`},
	"listGrids":   {"/api/v1/grids?bbox=109.3,34.14,109.34,34.16&level=police&station=wenjilu", ""},
	"searchGrids": {"/api/v1/search?q=610122&limit=5", ""},
	"getPack":     {"/api/v1/pack?station=wenjilu", ""},
	// Patrols.
	"postPings":       {"/api/v1/patrols/pings?crs=wgs84", pingExample},
	"listPatrols":     {"/api/v1/patrols?station=wenjilu", ""},
	"getTrack":        {"/api/v1/patrols/m1/track?from=2025-05-01T08:00:00Z&to=2025-05-01T16:00:00Z", ""},
	"getEvents":       {"/api/v1/events?after=0&limit=10", ""},
	"nearestOfficers": {"/api/v1/dispatch/nearest-officers?lon=109.305&lat=34.15&crs=wgs84&n=3", ""},
	"nearestStation":  {"/api/v1/dispatch/nearest-station?lon=109.305&lat=34.15&crs=wgs84", ""},
	// Prevention.
	"getPresence":       {"/api/v1/presence?station=wenjilu&from=2025-05-01&to=2025-05-08", ""},
	"getGridPresence":   {"/api/v1/grids/610122001000001/presence?from=2025-05-01&to=2025-05-08", ""},
	"getGridLastVisits": {"/api/v1/presence/grids", ""},
	"listVisits":        {"/api/v1/visits?grid=610122001000001&station=wenjilu&officer=m1&from=2025-01-01&to=2030-01-01&limit=5&cursor=", ""},
	"listDisputes":      {"/api/v1/disputes?station=wenjilu&grid=610122001000001&month=2026-05&status=open&limit=5&cursor=", ""},
	"summarizeDisputes": {"/api/v1/disputes/summary?month=2026-05&group_by=grid&station=" + apitest.StationA, ""},
	"listTasks":         {"/api/v1/tasks?station=wenjilu&grid=610122001000001&officer=m1&month=2026-05&status=overdue&limit=5&cursor=", ""},
	"summarizeTasks":    {"/api/v1/tasks/summary?month=2026-05&group_by=station&station=" + apitest.StationA, ""},
	"listIncidents": {"/api/v1/incidents?from=2020-01-01&to=2030-01-01&category=traffic&status=reported&station=wenjilu&grid=61012200100101" +
		"&bbox=109.3,34.14,109.34,34.16&polygon=109.3,34.14,109.34,34.14,109.32,34.16&near=109.31,34.15&radius_m=3000&crs=wgs84&limit=5&cursor=", ""},
	"getIncidentTile": {"/tiles/incidents/12/3339/1623.mvt?from=2026-01-01&to=2026-06-30&category=traffic,fire", ""},
	"aggregateIncidents": {"/api/v1/incidents/aggregate?from=2020-01-01&to=2030-01-01&category=traffic&status=reported&station=wenjilu&grid=61012200100101" +
		"&bbox=109.3,34.14,109.34,34.16&polygon=109.3,34.14,109.34,34.14,109.32,34.16&near=109.31,34.15&radius_m=3000&crs=wgs84&group_by=station&bucket=week", ""},
	// OGC API – Features.
	"ogcLanding":            {"/ogc?f=json", ""},
	"ogcConformance":        {"/ogc/conformance?f=json", ""},
	"ogcCollections":        {"/ogc/collections?f=json", ""},
	"ogcIncidentCollection": {"/ogc/collections/incidents?f=json", ""},
	"ogcCollection":         {"/ogc/collections/stations?f=json", ""},
	"ogcItems":              {"/ogc/collections/police_grids/items?bbox=109.3,34.14,109.34,34.16&datetime=2030-01-01&limit=5&offset=1&station=wenjilu&f=geojson", ""},
	"ogcItem":               {"/ogc/collections/stations/items/wenjilu?f=geojson", ""},
	"ogcIncidentItems":      {"/ogc/collections/incidents/items?bbox=109.3,34.14,109.34,34.16&datetime=2020-01-01/..&limit=5&cursor=&station=wenjilu&category=traffic&status=reported&severity=3,4&f=json", ""},
	"loginLink":             {"/api/v1/login/link?token=x", ""},
	"loginPage":             {"/login?next=/m&failed=1", ""},
	"listAudit":             {"/api/v1/audit?actor=a&action=b&since=2026-01-01T00:00:00Z&until=2027-01-01T00:00:00Z&before=5&limit=5", ""},
}

// TestDocumentedParamsAreRead proves every query parameter a route accepts
// (and so, by TestOpenAPIMatchesRoutes, every documented one) is read by
// its handler on a valid request.
func TestDocumentedParamsAreRead(t *testing.T) {
	s := newTestServer(t, withOverlays(apitest.Small()), Config{})
	read := map[string]map[string]bool{}
	s.onParamRead = func(route, param string) {
		if read[route] == nil {
			read[route] = map[string]bool{}
		}
		read[route][param] = true
	}
	for _, rt := range s.routes() {
		if len(rt.query) == 0 {
			continue
		}
		ex, ok := paramExamples[rt.name]
		if !ok {
			t.Errorf("route %s takes query parameters but paramExamples has no request for it", rt.name)
			continue
		}
		rec := serve(t, s.Handler(), rt.method, ex.target, ex.body)
		if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
			t.Errorf("%s %s: status %d: %s", rt.method, ex.target, rec.Code, rec.Body.String())
		}
		for _, p := range rt.query {
			if !read[rt.name][p] {
				t.Errorf("route %s accepts and documents %q but its handler never read it", rt.name, p)
			}
		}
	}
}

// TestUndocumentedParamsRejected checks every route refuses a query
// parameter it does not take, which is what makes the documented list the
// whole truth.
func TestUndocumentedParamsRejected(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	for _, rt := range s.routes() {
		target := strings.NewReplacer("{id}", apitest.StationA).Replace(rt.path) + "?bogus=1"
		rec := serve(t, s.Handler(), rt.method, target, `{"points":[]}`)
		p := expectProblem(t, rec, http.StatusBadRequest)
		if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "bogus" {
			t.Errorf("%s %s: invalid_params %+v, want bogus", rt.method, target, p.InvalidParams)
		}
	}
}

// TestOpenAPIServed checks the document is served as it is embedded.
func TestOpenAPIServed(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/openapi.json", "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != httpx.ContentTypeJSON {
		t.Fatalf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !bytes.Equal(rec.Body.Bytes(), OpenAPI()) {
		t.Error("served document differs from the embedded one")
	}
}

// responseCases exercise every documented operation with good and bad
// requests; TestResponsesMatchOpenAPI checks each answer against the document.
var responseCases = []struct{ method, target, body string }{
	{"GET", "/api/v1/lookup?lon=109.302&lat=34.142&include=areas,places", ""},
	{"GET", "/api/v1/lookup?lon=109.302&lat=34.142&include=areas&fields=ids", ""},
	{"GET", "/api/v1/areas", ""},
	{"GET", "/api/v1/areas/lijiahe", ""},
	{"GET", "/api/v1/areas/nope", ""},
	{"GET", "/api/v1/places?kind=school", ""},
	{"GET", "/api/v1/places/school-1", ""},
	{"POST", "/api/v1/areas", `{"type":"Feature","properties":{"kind":"castle"}}`},
	{"PUT", "/api/v1/places/school-1", `{"type":"Feature","geometry":{"type":"Point","coordinates":[109.303,34.143]},"properties":{"name":"东街小学","kind":"school","station":"wenjilu","liaison":{"name":"陈校长","phone":"13900000001"}}}`},
	{"GET", "/api/v1/lookup?lon=109.305&lat=34.15", ""},
	{"GET", "/api/v1/lookup?lon=109.33&lat=34.15&crs=gcj02", ""},
	{"GET", "/api/v1/lookup?lon=109&lat=34", ""},
	{"GET", "/api/v1/lookup?lon=abc&lat=91", ""},
	{"POST", "/api/v1/lookup", `{"crs":"gcj02","points":[[109.31,34.15],[0,0]]}`},
	{"POST", "/api/v1/lookup", `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[109.305,34.15]},"properties":null},{"type":"Feature","id":2,"geometry":{"type":"Point","coordinates":[109.33,34.15]},"properties":{}}]}`},
	{"POST", "/api/v1/lookup", `{"type":"Point","coordinates":[109.305,34.15]}`},
	{"POST", "/api/v1/lookup", `{"type":"Polygon","coordinates":[]}`},
	{"POST", "/api/v1/lookup", `{"points":[` + strings.Repeat(`[109.3,34.1],`, 20) + `[109.3,34.1]]}`},
	{"GET", "/api/v1/stations", ""},
	{"GET", "/api/v1/stations/wenjilu", ""},
	{"GET", "/api/v1/stations/nope", ""},
	{"GET", "/api/v1/grids", ""},
	{"GET", "/api/v1/grids?bbox=1,2,3", ""},
	{"GET", "/api/v1/grids/" + apitest.PoliceA, ""},
	{"GET", "/api/v1/grids/" + apitest.CommunityA, ""},
	{"GET", "/api/v1/grids/nope", ""},
	{"GET", "/api/v1/regions", ""},
	{"GET", "/api/v1/dataset", ""},
	{"GET", "/api/v1/openapi.json", ""},
	{"GET", "/healthz", ""},
	{"GET", "/readyz", ""},
	{"POST", "/api/v1/patrols/pings", pingExample},
	{"POST", "/api/v1/patrols/pings", `{"pings":[{"officer":"m3","at":"2025-05-01T08:00:00Z","lon":109.305,"lat":34.15}]}`},
	{"GET", "/api/v1/patrols", ""},
	{"GET", "/api/v1/patrols/m1/track", ""},
	{"GET", "/api/v1/patrols/nope/track", ""},
	{"GET", "/api/v1/presence?station=wenjilu&from=2025-05-01&to=2025-05-08", ""},
	{"GET", "/api/v1/presence?station=nowhere", ""},
	{"GET", "/api/v1/presence?from=later", ""},
	{"GET", "/api/v1/grids/610122001000001/presence", ""},
	{"GET", "/api/v1/grids/nope/presence", ""},
	{"POST", "/api/v1/visits", `{"officer":"m1","lon":109.305,"lat":34.15,"kind":"visit","whom":"东街3号","key_place":null}`},
	{"POST", "/api/v1/visits", `{"officer":"m1","lon":109.305,"lat":34.15,"kind":"party"}`},
	{"GET", "/api/v1/visits?grid=610122001000001", ""},
	{"GET", "/api/v1/visits?limit=0", ""},
	{"GET", "/api/v1/events", ""},
	{"GET", "/api/v1/dispatch/nearest-officers?lon=109.305&lat=34.15", ""},
	{"GET", "/api/v1/dispatch/nearest-station?lon=109.305&lat=34.15", ""},
	{"GET", "/api/v1/dispatch/nearest-station?lon=109&lat=34", ""},
	{"GET", "/ogc", ""},
	{"GET", "/ogc/conformance", ""},
	{"GET", "/ogc/collections", ""},
	{"GET", "/ogc/collections/incidents", ""},
	{"GET", "/ogc/collections/community_grids", ""},
	{"GET", "/ogc/collections/nope", ""},
	{"GET", "/ogc/collections/community_grids/items?limit=1", ""},
	{"GET", "/ogc/collections/police_grids/items?f=json", ""},
	{"GET", "/ogc/collections/stations/items", ""},
	{"GET", "/ogc/collections/regions/items", ""},
	{"GET", "/ogc/collections/townships/items", ""},
	{"GET", "/ogc/collections/townships/items?limit=0", ""},
	{"GET", "/ogc/collections/townships/items/610122001", ""},
	{"GET", "/ogc/collections/police_grids/items/" + apitest.PoliceA, ""},
	{"GET", "/ogc/collections/stations/items/nope", ""},
	{"GET", "/ogc/collections/incidents/items", ""},
	{"GET", "/ogc/collections/incidents/items?filter=x", ""},
	{"GET", "/ogc/collections/incidents/items/nope", ""},
}

// pingExample is a valid ping batch of officer m1 of apitest.Small, now.
var pingExample = `{"pings":[{"officer":"m1","at":"` + time.Now().UTC().Format(time.RFC3339) + `","lon":109.305,"lat":34.15,"speed_mps":1.2,"heading_deg":90}]}`

// TestResponsesMatchOpenAPI sends responseCases (and 503s from a server
// with no index) and checks each status is documented for its operation,
// with the content type and a body the documented schema accepts.
func TestResponsesMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	ready := newTestServer(t, withOverlays(apitest.Small()), Config{MaxBatchPoints: 20})
	notReady := New(Config{})
	seen := map[string]bool{}
	for _, c := range responseCases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			seen[fmt.Sprint(checkAgainstOpenAPI(t, doc, ready, c.method, c.target, c.body))] = true
		})
	}
	for _, c := range responseCases {
		if c.target == "/healthz" || c.target == "/api/v1/openapi.json" || c.target == "/ogc" || c.target == "/ogc/conformance" || strings.Contains(c.target, "bbox=1,2,3") || strings.Contains(c.target, "lon=abc") {
			continue
		}
		t.Run("not ready "+c.method+" "+c.target, func(t *testing.T) {
			if code := checkAgainstOpenAPI(t, doc, notReady, c.method, c.target, c.body); code != http.StatusServiceUnavailable && code != http.StatusBadRequest {
				t.Errorf("status %d before any index is loaded, want 503", code)
			}
		})
	}
	for _, status := range []string{"200", "400", "404", "413"} {
		if !seen[status] {
			t.Errorf("no case produced a %s", status)
		}
	}
}

// checkAgainstOpenAPI sends one request and checks the answer's status is
// documented for its operation, with the documented content type, headers
// and a body the documented schema accepts. It returns the status.
func checkAgainstOpenAPI(t *testing.T, doc openAPIDoc, s *Server, method, target, body string) int {
	t.Helper()
	rec := serve(t, s.Handler(), method, target, body)
	req := httptest.NewRequest(method, target, nil)
	var match mux.RouteMatch
	if !s.router.Match(req, &match) || match.Route == nil {
		t.Fatalf("%s %s matches no route", method, target)
	}
	path, _ := match.Route.GetPathTemplate()
	op, ok := doc.operation(path, method)
	if !ok {
		t.Fatalf("%s %s: no documented operation", method, path)
	}
	responses := op["responses"].(map[string]any)
	resp, ok := responses[fmt.Sprint(rec.Code)]
	if !ok {
		t.Fatalf("%s %s answered %d, which is not documented; body %s", method, target, rec.Code, rec.Body.String())
	}
	r := doc.resolve(t, resp)
	ctype := rec.Header().Get("Content-Type")
	content, _ := r["content"].(map[string]any)
	media, ok := content[ctype].(map[string]any)
	if !ok {
		t.Fatalf("%s %s %d: Content-Type %q is not documented (have %v)", method, target, rec.Code, ctype, slices.Collect(maps.Keys(content)))
	}
	if headers, ok := r["headers"].(map[string]any); ok {
		for h := range headers {
			if rec.Header().Get(h) == "" {
				t.Errorf("%s %s %d: documented header %s is missing", method, target, rec.Code, h)
			}
		}
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v", method, target, err)
	}
	if errs := validate(doc, media["schema"], v, "$"); len(errs) > 0 {
		t.Errorf("%s %s %d: body does not match the schema:\n  %s\nbody: %s", method, target, rec.Code, strings.Join(errs, "\n  "), rec.Body.String())
	}
	return rec.Code
}

// validate checks v against a JSON Schema (the subset the document uses:
// $ref, type, const, enum, properties, required, additionalProperties:
// false, items, minItems, maxItems, minimum, maximum, oneOf, anyOf, allOf)
// and returns what does not match. An unknown keyword that constrains
// values fails the check, so the subset cannot silently shrink.
func validate(doc openAPIDoc, schema any, v any, at string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		return []string{at + ": schema is not an object"}
	}
	if ref, ok := s["$ref"].(string); ok {
		var cur any = map[string]any(doc)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := cur.(map[string]any)
			cur = m[part]
		}
		if cur == nil {
			return []string{at + ": unresolvable $ref " + ref}
		}
		return validate(doc, cur, v, at)
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for k := range s {
		switch k {
		case "type", "const", "enum", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
			"minimum", "maximum", "oneOf", "anyOf", "allOf", "description", "format", "default", "example", "$ref":
		default:
			fail("schema keyword %q is not supported by the test validator", k)
		}
	}
	if t, ok := s["type"].(string); ok && !jsonTypeIs(v, t) {
		fail("want %s, got %s", t, jsonTypeOf(v))
		return errs
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		fail("want %v, got %v", c, v)
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return fmt.Sprint(x) == fmt.Sprint(v) }) {
		fail("%v is not one of %v", v, e)
	}
	if n, ok := v.(json.Number); ok {
		f, _ := n.Float64()
		if m, ok := s["minimum"].(json.Number); ok {
			if lim, _ := m.Float64(); f < lim {
				fail("%v is below %v", f, lim)
			}
		}
		if m, ok := s["maximum"].(json.Number); ok {
			if lim, _ := m.Float64(); f > lim {
				fail("%v is above %v", f, lim)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asSlice(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				fail("required member %q is missing", r)
			}
		}
		for k, val := range obj {
			if ps, ok := props[k]; ok {
				errs = append(errs, validate(doc, ps, val, at+"."+k)...)
			} else if s["additionalProperties"] == false {
				fail("member %q is not documented", k)
			}
		}
	}
	if list, ok := v.([]any); ok {
		if items, ok := s["items"]; ok {
			for i, x := range list {
				errs = append(errs, validate(doc, items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
		if m, ok := s["minItems"].(json.Number); ok {
			if n, _ := m.Int64(); int64(len(list)) < n {
				fail("%d items, want at least %d", len(list), n)
			}
		}
		if m, ok := s["maxItems"].(json.Number); ok {
			if n, _ := m.Int64(); int64(len(list)) > n {
				fail("%d items, want at most %d", len(list), n)
			}
		}
	}
	for _, sub := range asSlice(s["allOf"]) {
		errs = append(errs, validate(doc, sub, v, at)...)
	}
	if subs := asSlice(s["oneOf"]); len(subs) > 0 {
		matched := 0
		var why []string
		for _, sub := range subs {
			if e := validate(doc, sub, v, at); len(e) == 0 {
				matched++
			} else {
				why = append(why, e...)
			}
		}
		if matched != 1 {
			fail("matches %d of the oneOf schemas, want exactly 1 (%s)", matched, strings.Join(why, "; "))
		}
	}
	if subs := asSlice(s["anyOf"]); len(subs) > 0 {
		if !slices.ContainsFunc(subs, func(sub any) bool { return len(validate(doc, sub, v, at)) == 0 }) {
			fail("matches none of the anyOf schemas")
		}
	}
	return errs
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func jsonTypeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) && !strings.ContainsAny(x.String(), ".eE") {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonTypeIs(v any, t string) bool {
	got := jsonTypeOf(v)
	return got == t || t == "number" && got == "integer"
}
