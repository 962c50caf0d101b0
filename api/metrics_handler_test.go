package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jingge/data"
)

// TestMetricsHandler serves /metrics with no credential on the handler of
// a separate listener, while the main handler still asks for one; other
// paths and methods are problems.
func TestMetricsHandler(t *testing.T) {
	f := newRoleFixture(t)
	h := f.s.MetricsHandler()
	for _, c := range []struct {
		method, path string
		code         int
		contentType  string
	}{
		{http.MethodGet, "/metrics", http.StatusOK, "text/plain"},
		{http.MethodHead, "/metrics", http.StatusOK, "text/plain"},
		{http.MethodGet, "/api/v1/stations", http.StatusNotFound, "application/problem+json"},
		{http.MethodPost, "/metrics", http.StatusMethodNotAllowed, "application/problem+json"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.code || !strings.HasPrefix(rec.Header().Get("Content-Type"), c.contentType) {
			t.Errorf("%s %s: %d %q, want %d %s", c.method, c.path, rec.Code, rec.Header().Get("Content-Type"), c.code, c.contentType)
		}
		if c.method == http.MethodGet && c.code == http.StatusOK && !strings.Contains(rec.Body.String(), "jingge_index_grids") {
			t.Errorf("GET /metrics lacks the index:\n%s", rec.Body.String())
		}
	}
	if rec := f.send(t, http.MethodGet, "/metrics", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("the main listener serves /metrics without a credential: %d", rec.Code)
	}
	if rec := f.send(t, http.MethodGet, "/metrics", data.RoleMetrics); rec.Code != http.StatusOK {
		t.Errorf("the main listener refuses the metrics role: %d", rec.Code)
	}
}
