package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"jingge/data"
	"jingge/data/memory"
	"jingge/geo"
)

// publicRoutes are the only routes anyone may call without signing in:
// health checks, the web pages and their static files, and the sign-in
// endpoints themselves. A new public route must be added here on purpose.
var publicRoutes = []string{"healthz", "readyz", "login", "loginLink", "loginPage"}

// isPublicStatic reports whether a route serves the public pages or their
// assets (the web front-end's routes).
func isPublicStatic(rt route) bool {
	return rt.method == http.MethodGet && (strings.HasPrefix(rt.name, "web") || strings.HasPrefix(rt.name, "static"))
}

// viewerRoutes must admit viewers (the command-center wall) and refuse
// anonymous callers: tiles and the live stream included.
var viewerRoutes = []string{"getTile", "getLayerTile", "getTileJSON", "getLayerTileJSON", "getStyle", "listStations", "listGrids", "lookupPoint", "getEvents", "listAreas", "listPlaces", "getArea", "getPlace"}

// officerPageRoutes are what the officer page (/m) calls; each must admit
// officers, or the page breaks for the people it is for.
var officerPageRoutes = []string{"lookupPoint", "getPack", "nearestStation", "getMe", "createVisit", "postPings"}

// adminOnly must refuse everyone but admins.
var adminOnly = []string{"listAudit"}

// roleFixture is a server with access control and a token per role.
type roleFixture struct {
	s      *Server
	tokens map[data.Role]string
}

func newRoleFixture(t *testing.T) *roleFixture {
	t.Helper()
	return newRoleFixtureWith(t, Config{})
}

// newRoleFixtureWith is newRoleFixture on a server configured by cfg (its
// Logger and Access are set here; Web defaults to testSite).
func newRoleFixtureWith(t *testing.T, cfg Config) *roleFixture {
	t.Helper()
	return newRoleFixtureOn(t, nil, cfg)
}

// newRoleFixtureOn is newRoleFixtureWith serving ds (apitest.Small when nil).
func newRoleFixtureOn(t *testing.T, ds *geo.Dataset, cfg Config) *roleFixture {
	t.Helper()
	auth := memory.NewAuth(0)
	f := &roleFixture{tokens: map[data.Role]string{}}
	ctx := context.Background()
	for _, role := range data.Roles {
		u := data.User{Name: "u-" + string(role), Role: role}
		if role == data.RoleOfficer {
			u.OfficerID = "m1"
		}
		if err := auth.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		secret, hash, id := data.NewSecret(data.KindToken)
		if err := auth.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: u.Name, Hash: hash}); err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = secret
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Access = &Access{Store: auth, Limits: Limits{PerCredential: 1e6, PerCredentialBurst: 1e6, Anonymous: 1e6, AnonymousBurst: 1e6}}
	if cfg.Web == nil {
		cfg.Web = testSite()
	}
	f.s = newTestServer(t, ds, cfg)
	return f
}

var pathVar = regexp.MustCompile(`\{([^}]+)\}`)

// target fills a route's path template with harmless values.
func target(rt route) string {
	return pathVar.ReplaceAllStringFunc(rt.path, func(v string) string {
		switch v {
		case "{z}", "{x}", "{y}":
			return "0"
		case "{ext}":
			return "mvt"
		case "{month}":
			return "2026-01"
		}
		return "x"
	})
}

// Outcomes of a call: the guard refused it for want of credentials or of
// the role, or it let it through (whatever the handler then answered).
const (
	refusedUnauthenticated = "401 sign in"
	refusedForbidden       = "403 role"
	letThrough             = "let through"
)

// call sends one request to rt as role ("" for anonymous), from the site's
// own pages, and says what the guard did.
func (f *roleFixture) call(t *testing.T, rt route, role data.Role) string {
	t.Helper()
	rec := f.send(t, rt.method, target(rt), role)
	switch {
	case rec.Code == http.StatusUnauthorized && strings.Contains(rec.Body.String(), "sign in first"):
		return refusedUnauthenticated
	case rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), "may not use this endpoint"):
		return refusedForbidden
	}
	return letThrough
}

// send sends one request as role ("" for anonymous), from the site's own
// pages, and returns the answer. A stream (the event stream never ends by
// itself) is ended as soon as it has started: at its first flush.
func (f *roleFixture) send(t *testing.T, method, target string, role data.Role) *httptest.ResponseRecorder {
	t.Helper()
	return f.sendBody(t, method, target, role, "{}")
}

// sendBody is send with a body.
func (f *roleFixture) sendBody(t *testing.T, method, target string, role data.Role, body string) *httptest.ResponseRecorder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(endOnFlush{rec, cancel}, req)
	return rec
}

// endOnFlush records an answer and ends its request at the first flush.
type endOnFlush struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (e endOnFlush) Flush() {
	e.ResponseRecorder.Flush()
	e.cancel()
}

// TestRouteRoles walks the whole route table: every route declares who
// may call it; each refuses anonymous callers (401) and the roles it does
// not admit (403), and lets the roles it admits through (any status but
// 401 and 403). It fails for a route without a declaration.
func TestRouteRoles(t *testing.T) {
	f := newRoleFixture(t)
	byName := map[string]route{}
	for _, rt := range f.s.routes() {
		byName[rt.name] = rt
		if !rt.roles.declared {
			t.Errorf("route %s (%s %s) declares no roles: add public(), allow(...) or signedIn() to its line in routes()", rt.name, rt.method, rt.path)
			continue
		}
		if rt.roles.public && !slices.Contains(publicRoutes, rt.name) && !isPublicStatic(rt) {
			t.Errorf("route %s is public; only health checks, sign-in and static pages may be (publicRoutes)", rt.name)
		}
		if !rt.roles.public && len(rt.roles.roles) == 0 {
			t.Errorf("route %s admits no role", rt.name)
		}
		if rt.method != http.MethodGet && rt.roles.admits(data.RoleViewer) && rt.name != "logout" && rt.name != "lookupBatch" && !rt.roles.public {
			t.Errorf("route %s (%s) lets viewers write; the command-center wall only reads", rt.name, rt.method)
		}
		t.Run(rt.name, func(t *testing.T) {
			want := refusedUnauthenticated
			if rt.roles.public {
				want = letThrough
			}
			if got := f.call(t, rt, ""); got != want {
				t.Errorf("anonymous: %s, want %s", got, want)
			}
			for _, role := range data.Roles {
				want := refusedForbidden
				if rt.roles.admits(role) {
					want = letThrough
				}
				if got := f.call(t, rt, role); got != want {
					t.Errorf("%s: %s, want %s (the route admits %s)", role, got, want, rt.roles)
				}
			}
		})
	}
	for _, name := range viewerRoutes {
		if rt, ok := byName[name]; ok && (rt.roles.public || !rt.roles.admits(data.RoleViewer)) {
			t.Errorf("%s must need a viewer: it admits %s", name, rt.roles)
		}
	}
	for _, name := range officerPageRoutes {
		if rt, ok := byName[name]; !ok || rt.roles.public || !rt.roles.admits(data.RoleOfficer) {
			t.Errorf("%s is called by the officer page and must admit officers (and only signed-in callers)", name)
		}
	}
	for _, name := range adminOnly {
		if rt, ok := byName[name]; !ok || rt.roles.String() != "admin" {
			t.Errorf("%s must be for admins only", name)
		}
	}
}

// TestUndeclaredRouteIsRefused checks the fail-closed default: a route
// whose declaration is missing serves no one.
func TestUndeclaredRouteIsRefused(t *testing.T) {
	f := newRoleFixture(t)
	h := f.s.access.guard("future", access{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("an undeclared route ran")
	}))
	for _, role := range data.Roles {
		req := httptest.NewRequest(http.MethodGet, "/future", nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%s: %d", role, rec.Code)
		}
	}
}
