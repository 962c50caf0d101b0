package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// TestTileRouterAgrees checks that the tile router picks, for every tile
// path (and a few that only look like one), the route the full router
// picks, so sending /tiles/… there first changes no answer.
func TestTileRouterAgrees(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	n := 0
	_ = s.router.Walk(func(r *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if tpl, _ := r.GetPathTemplate(); strings.HasPrefix(tpl, tileRoutePrefix) {
			n++
		}
		return nil
	})
	tileRoutes := 0
	_ = s.tileRouter.Walk(func(*mux.Route, *mux.Router, []*mux.Route) error { tileRoutes++; return nil })
	if n == 0 || tileRoutes != n {
		t.Fatalf("the full router has %d routes under %s, the tile router %d", n, tileRoutePrefix, tileRoutes)
	}
	paths := []string{
		"/tiles/12/3/4.mvt", "/tiles/12/3/4.pbf", "/tiles/12/3/4.mvt.gz",
		"/tiles/community_grids/12/3/4.mvt", "/tiles/incidents/12/3/4.mvt", "/tiles/patrols/12/3/4.mvt",
		"/tiles/regions.json", "/tiles/incidents.json", "/tiles/patrols.json",
		"/tiles/a/b/c/d/e.mvt", "/tiles/", "/tiles/x", "/tiles//1/2.mvt", "/tiles/1/2/3",
	}
	name := func(r *mux.Router, method, path string) string {
		var m mux.RouteMatch
		if !r.Match(httptest.NewRequest(method, path, nil), &m) || m.Route == nil {
			return "(none)"
		}
		return m.Route.GetName()
	}
	for _, p := range paths {
		for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
			if full, tiles := name(s.router, method, p), name(s.tileRouter, method, p); full != tiles {
				t.Errorf("%s %s: full router %s, tile router %s", method, p, full, tiles)
			}
		}
	}
	// What the tile router does not take is answered by the full one.
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/tiles/12/3/4.mvt", http.StatusMethodNotAllowed},
		{http.MethodGet, "/tiles/a/b/c/d/e.mvt", http.StatusNotFound},
		{http.MethodGet, "/tiles//12/3/4.mvt", http.StatusMovedPermanently},
	} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.status)
		}
	}
}
