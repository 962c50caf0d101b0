package api

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"jingge/api/httpx"
)

// routeChoice is what a router picked for a request: the route's name and
// its variables, or "" when it picked no route.
type routeChoice struct {
	name string
	vars map[string]string
}

func muxChoice(r *mux.Router, method, path string) routeChoice {
	req := &http.Request{Method: method, URL: &url.URL{Path: path}}
	var m mux.RouteMatch
	if !r.Match(req, &m) || m.MatchErr != nil || m.Route == nil {
		return routeChoice{}
	}
	return routeChoice{m.Route.GetName(), m.Vars}
}

// pathChoice is what the path router picks. Its variables are those
// ServeHTTP keeps in the request's State, read back by httpx.PathVars; a
// difference from the map match makes is reported as variables that
// cannot match mux's.
func pathChoice(pr *pathRouter, method, path string) routeChoice {
	rt, vars := pr.match(method, path)
	if rt == nil {
		return routeChoice{}
	}
	var segs [maxPathSegments]string
	_, n := pr.route(method, path, &segs)
	var kept map[string]string
	httpx.WithRequestID(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if rt.keepVars(httpx.StateOf(r.Context()), segs[:n]) {
			kept = httpx.PathVars(r)
		}
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if !maps.Equal(kept, vars) && len(kept)+len(vars) > 0 {
		return routeChoice{rt.name, map[string]string{"the State's variables": fmt.Sprint(kept), "match's": fmt.Sprint(vars)}}
	}
	return routeChoice{rt.name, vars}
}

// agree checks that the path router picks what mux picks for a clean path,
// and leaves the rest to mux.
func agree(t *testing.T, s *Server, method, p string) {
	t.Helper()
	want := muxChoice(s.router, method, p)
	if cleanPath(p) != p {
		want = routeChoice{} // mux redirects it
	}
	got := pathChoice(s.paths, method, p)
	if got.name != want.name || !maps.Equal(got.vars, want.vars) && len(got.vars)+len(want.vars) > 0 {
		t.Errorf("%s %q: path router %q %v, mux %q %v", method, p, got.name, got.vars, want.name, want.vars)
	}
}

// cleanPath is mux's: the path it redirects to, the same path when clean.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// pathSamples are values put in every variable of every template: dots
// where "{y}.{ext}" splits, encoded and wide characters, and the empty
// and dot segments mux cleans away.
var pathSamples = []string{"12", "0", "community_grids", "a.b", "3.mvt", "3.mvt.gz", "x.", ".x", "..x", "x..", "a b", "网格", "%2F", "\x00", "", ".", "..", "stations.csv", "json"}

// TestPathRouterAgrees checks that the path router picks, for every route
// template filled with odd values and for paths that only look like one,
// the route and variables mux picks, under every method, and that it
// leaves nothing to mux that mux would route: the table uses only forms it
// matches itself.
func TestPathRouterAgrees(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	if s.paths.opaque {
		t.Fatal("a route template has a form the path router leaves to mux; teach parseTemplate its form")
	}
	var templates []string
	_ = s.router.Walk(func(r *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, _ := r.GetPathTemplate()
		templates = append(templates, tpl)
		return nil
	})
	if len(templates) < 50 {
		t.Fatalf("only %d routes", len(templates))
	}
	paths := []string{"/", "/tiles/", "/tiles/x", "/tiles//1/2.mvt", "/tiles/1/2/3", "/tiles/a/b/c/d/e.mvt",
		"/api/v1/lookup/", "/api/v1//lookup", "/api/v1/./lookup", "/api/v1/x/../lookup", "/healthz", "/index.html",
		"/tiles/.json", "/tiles/x.json", "/tiles/1/2/.mvt", "/tiles/1/2/3..", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n"}
	for _, tpl := range templates {
		for _, v := range pathSamples {
			paths = append(paths, fillTemplate(tpl, v), fillTemplate(tpl, v)+"/", fillTemplate(tpl, v)+"x")
		}
	}
	n := 0
	for _, p := range paths {
		for _, method := range methodsToTry {
			agree(t, s, method, p)
			if c := pathChoice(s.paths, method, p); c.name != "" {
				n++
			}
		}
	}
	if n < len(templates) {
		t.Errorf("the path router picked a route for %d requests, fewer than the %d routes", n, len(templates))
	}
	// What the path router leaves is answered by mux.
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/tiles/12/3/4.mvt", http.StatusMethodNotAllowed},
		{http.MethodGet, "/tiles/a/b/c/d/e.mvt", http.StatusNotFound},
		{http.MethodGet, "/tiles//12/3/4.mvt", http.StatusMovedPermanently},
		{http.MethodGet, "/api/v1/./lookup", http.StatusMovedPermanently},
	} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.status)
		}
	}
}

// fillTemplate puts v in every variable of a mux template.
func fillTemplate(tpl, v string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(tpl, '{')
		if open < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		end := strings.IndexByte(tpl[open:], '}')
		b.WriteString(tpl[:open])
		b.WriteString(v)
		tpl = tpl[open+end+1:]
	}
}

// FuzzPathRouterAgrees compares the path router's choice with mux's on
// any method and path.
func FuzzPathRouterAgrees(f *testing.F) {
	s := newTestServer(f, nil, Config{})
	for _, p := range []string{"/tiles/12/3/4.mvt", "/tiles/community_grids/12/3/4.mvt.gz", "/tiles/regions.json",
		"/api/v1/grids/61012200100701/presence", "/api/v1/plan/plans/p1/moves.csv", "/api/v1/lookup", "/tiles/1/2/3.."} {
		f.Add(uint8(0), p)
		f.Add(uint8(2), p)
	}
	f.Fuzz(func(t *testing.T, m uint8, path string) {
		agree(t, s, methodsToTry[int(m)%len(methodsToTry)], path)
	})
}
