package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"jingge/api/apitest"
)

// TestPlanResponsesMatchOpenAPI sends good and bad requests to every
// planner and assessment route and checks each answer against the OpenAPI
// document: status documented, content type, body schema.
func TestPlanResponsesMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	f.decode(t, http.MethodPost, "/api/v1/assessment/import", assessmentCSV, http.StatusOK, nil)
	cases := []struct{ method, target, body string }{
		{"GET", "/api/v1/plan/current", ""},
		{"GET", "/api/v1/plan/config", ""},
		{"GET", "/api/v1/roster/report", ""},
		{"GET", "/api/v1/plan/coverage", ""},
		{"GET", "/api/v1/plan/coverage?origins=patrols", ""},
		{"POST", "/api/v1/plan/plans", `{"seed": 1, "note": "a", "weights": {"change": 0.1}}`},
		{"POST", "/api/v1/plan/plans", `{"seed": -1}`},
		{"POST", "/api/v1/plan/plans", `{"seed": 2, "max_grid_moves": -1}`},
		{"GET", "/api/v1/plan/plans", ""},
		{"GET", "/api/v1/plan/plans?limit=x", ""},
		{"GET", "/api/v1/plan/plans/1", ""},
		{"GET", "/api/v1/plan/plans/current", ""},
		{"GET", "/api/v1/plan/plans/9", ""},
		{"GET", "/api/v1/plan/compare?a=current&b=1", ""},
		{"GET", "/api/v1/plan/compare?b=9", ""},
		{"POST", "/api/v1/plan/plans/9/apply", ""},
		{"POST", "/api/v1/plan/plans/2/apply", ""},
		{"POST", "/api/v1/plan/plans/1/apply", ""}, // stale now: 409
		{"GET", "/api/v1/plan/plans/1", ""},
		{"GET", "/api/v1/plan/compare?a=1&b=2", ""},
		{"GET", "/api/v1/assessment/entries", ""},
		{"GET", "/api/v1/assessment/entries?from=x", ""},
		{"PUT", "/api/v1/assessment/entries", `{"entries": [{"station": "s01", "month": "2026-04"}]}`},
		{"PUT", "/api/v1/assessment/entries", `{"entries": [{"station": "nope", "month": "2026-04"}]}`},
		{"POST", "/api/v1/assessment/import", "station,month\ns02,2026-04\n"},
		{"POST", "/api/v1/assessment/import", "nonsense"},
		{"GET", "/api/v1/assessment/2026-05", ""},
		{"GET", "/api/v1/assessment/2026-5", ""},
		{"GET", "/api/v1/assessment/trend?from=2026-01&to=2026-05", ""},
		{"GET", "/api/v1/assessment/trend", ""},
	}
	seen := map[int]bool{}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%02d %s %s", i, c.method, c.target), func(t *testing.T) {
			seen[checkAgainstOpenAPI(t, doc, f.srv, c.method, c.target, c.body)] = true
		})
	}
	for _, status := range []int{200, 400, 404, 409} {
		if !seen[status] {
			t.Errorf("no case produced a %d", status)
		}
	}
	notReady := New(Config{})
	for _, c := range cases {
		if c.method != "GET" || strings.Contains(c.target, "?") || strings.Contains(c.target, "entries") || strings.Contains(c.target, "plans") && !strings.Contains(c.target, "current") {
			continue
		}
		t.Run("not ready "+c.target, func(t *testing.T) {
			if code := checkAgainstOpenAPI(t, doc, notReady, c.method, c.target, c.body); code != http.StatusServiceUnavailable && code != http.StatusOK && code != http.StatusBadRequest {
				t.Errorf("status %d before any index is loaded", code)
			}
		})
	}
	noStore := newTestServer(t, nil, Config{})
	checkAgainstOpenAPI(t, doc, noStore, "POST", "/api/v1/plan/plans", "{}")
	checkAgainstOpenAPI(t, doc, noStore, "GET", "/api/v1/plan/plans/"+apitest.StationA, "")
}

// TestPlanExportsMatchOpenAPI checks the CSV and HTML routes answer with
// the content types the document gives them.
func TestPlanExportsMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	s := newTestServer(t, nil, Config{})
	for _, c := range []struct{ path, target string }{
		{"/api/v1/plan/plans/{id}/moves.csv", "/api/v1/plan/plans/current/moves.csv"},
		{"/api/v1/plan/plans/{id}/stations.csv", "/api/v1/plan/plans/current/stations.csv"},
		{"/api/v1/plan/plans/{id}/report", "/api/v1/plan/plans/current/report"},
	} {
		rec := serve(t, s.Handler(), http.MethodGet, c.target, "")
		op, _ := doc.operation(c.path, http.MethodGet)
		r := doc.resolve(t, op["responses"].(map[string]any)["200"])
		content := r["content"].(map[string]any)
		if rec.Code != http.StatusOK || content[rec.Header().Get("Content-Type")] == nil {
			t.Errorf("%s: %d %q; documented %v", c.target, rec.Code, rec.Header().Get("Content-Type"), content)
		}
	}
}
