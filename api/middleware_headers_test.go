package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"jingge/api/meta"
	"jingge/data"
)

// checkHeaders checks one answer: nosniff always; for a route that is not
// public, private and never public; for personal data, no-store too.
func checkHeaders(t *testing.T, what string, rec *httptest.ResponseRecorder, a *access) {
	t.Helper()
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s (%d): X-Content-Type-Options %q, want nosniff", what, rec.Code, got)
	}
	if a == nil || a.public {
		return
	}
	cc := strings.ToLower(strings.Join(rec.Header().Values("Cache-Control"), ", "))
	if !strings.Contains(cc, "private") || strings.Contains(cc, "public") {
		t.Errorf("%s (%d): Cache-Control %q; a signed-in answer must be private", what, rec.Code, cc)
	}
	if a.personal && !strings.Contains(cc, "no-store") {
		t.Errorf("%s (%d): Cache-Control %q; personal data must be no-store", what, rec.Code, cc)
	}
}

// TestCachePolicyFollowsAccess walks every route, as a role it admits and
// anonymously: every answer carries nosniff, and its Cache-Control follows
// the route's access declaration. Answers outside the route table (404s,
// a wrong method, pages and assets, the server starting) carry nosniff.
func TestCachePolicyFollowsAccess(t *testing.T) {
	f := newRoleFixture(t)
	for _, rt := range f.s.routes() {
		role := data.Role("")
		if !rt.roles.public {
			role = data.RoleAdmin
			if !rt.roles.admits(role) {
				role = data.RoleOfficer
			}
		}
		a := rt.roles
		checkHeaders(t, rt.name, f.send(t, rt.method, target(rt), role), &a)
		if !a.public {
			checkHeaders(t, rt.name+" anonymous", f.send(t, rt.method, target(rt), ""), &a)
		}
	}
	// The tiles of personal layers, drawn at a zoom that has features.
	for _, target := range []string{"/tiles/patrols/14/13380/6493.mvt", "/tiles/incidents/14/13380/6493.mvt", "/api/v1/openapi.json"} {
		checkHeaders(t, target, f.send(t, http.MethodGet, target, data.RoleViewer), accessOf(t, f, target))
	}
	for _, target := range []string{"/nope", "/api/v1/nope", "/", "/m", "/assets/app-ABCD2345.js"} {
		checkHeaders(t, target, f.send(t, http.MethodGet, target, ""), nil)
	}
	checkHeaders(t, "DELETE /api/v1/stations", f.send(t, http.MethodDelete, "/api/v1/stations", data.RoleAdmin), nil)
	rec := httptest.NewRecorder()
	meta.Starting(nil, 0, func() string { return "waiting" }).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/stations", nil))
	checkHeaders(t, "starting", rec, nil)
}

// accessOf is the access of the route target matches.
func accessOf(t *testing.T, f *roleFixture, target string) *access {
	t.Helper()
	var match mux.RouteMatch
	if !f.s.router.Match(httptest.NewRequest(http.MethodGet, target, nil), &match) || match.Route == nil {
		t.Fatalf("%s matches no route", target)
	}
	for _, rt := range f.s.routes() {
		if rt.name == match.Route.GetName() {
			return &rt.roles
		}
	}
	t.Fatalf("%s: route %s is not in the table", target, match.Route.GetName())
	return nil
}

func TestCacheControlOfAccess(t *testing.T) {
	for _, tc := range []struct {
		name    string
		a       access
		handler string
		want    string
	}{
		{"public keeps the handler's", public(), "public, max-age=31536000, immutable", "public, max-age=31536000, immutable"},
		{"signed in, nothing said", signedIn(), "", "private, no-cache"},
		{"signed in drops public", signedIn(), "public, no-cache", "private, no-cache"},
		{"signed in drops shared-cache directives", allow(data.RoleViewer), "public, s-maxage=60, max-age=10", "private, max-age=10"},
		{"signed in keeps no-store", signedIn(), "no-store", "private, no-store"},
		{"personal overrides", allow(data.RoleViewer).personalData(), "public, max-age=600", "private, no-store"},
	} {
		if got := tc.a.cacheControl(tc.handler); got != tc.want {
			t.Errorf("%s: %q gives %q, want %q", tc.name, tc.handler, got, tc.want)
		}
	}
}
