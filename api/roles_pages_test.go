package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jingge/api/apitest"
	"jingge/data"
	"jingge/web"
)

// The pages are in the role matrix too: each page is a shell that every
// caller, signed in or not, gets alike, holding no data of its own; what a
// page shows comes only through the guarded routes that TestRouteRoles
// walks. A page that embedded a member's name or number, or answered
// differently by role, would fail here.
func TestPagesForEveryRole(t *testing.T) {
	f := newRoleFixtureWith(t, Config{Web: web.Files()})
	ds := apitest.Small() // the fixture's dataset
	var personal []string
	for _, m := range ds.Members {
		personal = append(personal, m.Name, m.Phone)
	}
	callers := append([]data.Role{""}, data.Roles...)
	for _, page := range []string{"/", "/m", "/plan", "/login"} {
		var first string
		for _, role := range callers {
			req := httptest.NewRequest(http.MethodGet, page, nil)
			if role != "" {
				req.Header.Set("Authorization", "Bearer "+f.tokens[role])
			}
			rec := httptest.NewRecorder()
			f.s.Handler().ServeHTTP(rec, req)
			who := string(role)
			if who == "" {
				who = "anonymous"
			}
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Errorf("%s as %s: %d %s, want 200 text/html", page, who, rec.Code, rec.Header().Get("Content-Type"))
				continue
			}
			if rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s as %s: no CSP or nosniff", page, who)
			}
			body := rec.Body.String()
			for _, p := range personal {
				if strings.Contains(body, p) {
					t.Errorf("%s as %s holds personal data %q", page, who, p)
				}
			}
			if page == "/login" {
				continue // it names the caller's state (a CSRF-safe form); it holds no data
			}
			if first == "" {
				first = body
			} else if body != first {
				t.Errorf("%s differs for %s: a page must not depend on who asks", page, who)
			}
		}
	}
}
