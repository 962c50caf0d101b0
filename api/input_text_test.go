package api

import (
	"context"
	"io"
	"jingge/api/httpx"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/data"
	"jingge/data/memory"
)

// textFixture is a server with access control whose audit log refuses
// text PostgreSQL cannot store, as PostgreSQL does, and an admin token.
type textFixture struct {
	s     *Server
	audit *apitest.StrictAudit
	auth  *memory.Auth
	admin string
}

func newTextFixture(t *testing.T) *textFixture {
	t.Helper()
	auth := memory.NewAuth(0)
	u := data.User{Name: "admin1", Role: data.RoleAdmin}
	if err := auth.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	secret, hash, id := data.NewSecret(data.KindToken)
	if err := auth.CreateCredential(context.Background(), data.Credential{ID: id, Kind: data.KindToken, UserName: u.Name, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	f := &textFixture{audit: &apitest.StrictAudit{}, auth: auth, admin: secret}
	f.s = newTestServer(t, nil, Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Access: &Access{Store: auth, Audit: f.audit, Limits: Limits{PerCredential: 1e6, PerCredentialBurst: 1e6, Anonymous: 1e6, AnonymousBurst: 1e6}},
	})
	return f
}

// do sends one request as the admin (or anonymously with anon set).
func (f *textFixture) do(t *testing.T, method, target, contentType, body string, anon bool) *httptest.ResponseRecorder {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequestWithContext(ctx, method, target, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if !anon {
		req.Header.Set("Authorization", "Bearer "+f.admin)
	}
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	return rec
}

// wantInvalid checks rec is a 400 problem whose first invalid parameter
// is name.
func wantInvalid(t *testing.T, what string, rec *httptest.ResponseRecorder, name string) {
	t.Helper()
	if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Type") != httpx.ContentTypeProblem {
		t.Errorf("%s: %d %s %s, want a 400 problem", what, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		return
	}
	var p problemJSON
	decodeJSON(t, rec, &p)
	if len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != name {
		t.Errorf("%s: invalid params %+v, want %q named", what, p.InvalidParams, name)
	}
}

// TestBadTextWalk sends a NUL (%00) and a byte that is not UTF-8 (%ff) in
// every path variable and every query parameter of every route in the
// table: each is a 400 problem naming the field, never a 500, and
// nothing reaches the audit log.
func TestBadTextWalk(t *testing.T) {
	f := newTextFixture(t)
	for _, rt := range f.s.routes() {
		if rt.name == "getEvents" {
			continue // a stream; its parameters are walked below without one
		}
		for _, bad := range []string{"%00", "%ff"} {
			for _, v := range pathVar.FindAllString(rt.path, -1) {
				path := pathVar.ReplaceAllStringFunc(rt.path, func(w string) string {
					if w == v {
						return fill(w) + bad
					}
					return fill(w)
				})
				name := strings.Trim(v, "{}")
				wantInvalid(t, rt.name+" "+path, f.do(t, rt.method, path, "application/json", "{}", false), name)
			}
			for _, p := range rt.query {
				tg := target(rt) + "?" + p + "=a" + bad
				wantInvalid(t, rt.name+" "+tg, f.do(t, rt.method, tg, "application/json", "{}", false), p)
			}
		}
	}
	for _, bad := range []string{"%00", "%ff"} {
		wantInvalid(t, "getEvents", f.do(t, http.MethodGet, "/api/v1/events?after=1"+bad, "", "", false), "after")
	}
	if n := len(f.audit.Stored()); n != 0 {
		t.Errorf("%d refused requests were audited", n)
	}
}

// fill is the value target puts for a path variable.
func fill(v string) string {
	return target(route{path: v})
}

// TestNULAuditedRead is the reported fault: GET /api/v1/grids/x%00 by a
// signed-in user is a 400, and the audited reads after it are served.
func TestNULAuditedRead(t *testing.T) {
	f := newTextFixture(t)
	wantInvalid(t, "grid x%00", f.do(t, http.MethodGet, "/api/v1/grids/x%00", "", "", false), "id")
	if rec := f.do(t, http.MethodGet, "/api/v1/grids/"+apitest.CommunityA, "", "", false); rec.Code != http.StatusOK {
		t.Errorf("the next audited read: %d %s", rec.Code, rec.Body)
	}
	if len(f.audit.Stored()) != 1 {
		t.Errorf("audit holds %d entries, want the one good read", len(f.audit.Stored()))
	}
}

// TestNULInFields covers the reported 500s: a NUL in a query value, in a
// JSON string (the \u0000 escape), in a form value and in an incident.
func TestNULInFields(t *testing.T) {
	f := newTextFixture(t)
	wantInvalid(t, "audit actor", f.do(t, http.MethodGet, "/api/v1/audit?actor=%00", "", "", false), "actor")
	wantInvalid(t, "grid name", f.do(t, http.MethodPut, "/api/v1/grids/"+apitest.CommunityA, "application/json",
		`{"type":"Feature","properties":{"name":"a\u0000b"}}`, false), "properties.name")
	inc := incidentJSONAt(apitest.InCommunity, `,"summary":"x\u0000"`)
	wantInvalid(t, "incident summary", f.do(t, http.MethodPost, "/api/v1/incidents", "application/json", inc, false), "summary")
	inc = incidentJSONAt(apitest.InCommunity, `,"source":"\u0000"`)
	wantInvalid(t, "incident source", f.do(t, http.MethodPost, "/api/v1/incidents", "application/json", `{"incidents":[`+inc+`]}`, false), "incidents[0].source")
	wantInvalid(t, "login form", f.do(t, http.MethodPost, "/api/v1/login", "application/x-www-form-urlencoded", "user=a%00b&password=x", true), "user")
	wantInvalid(t, "login JSON", f.do(t, http.MethodPost, "/api/v1/login", "application/json", `{"user":"a\u0000b","password":"x"}`, true), "user")
	wantInvalid(t, "not UTF-8", f.do(t, http.MethodPost, "/api/v1/plan/plans", "application/json", "{\"seed\": 1, \"x\": \"\xff\"}", false), "body")
	wantInvalid(t, "CSV cell", f.do(t, http.MethodPost, "/api/v1/assessment/import", "text/csv", "station,month\nwenjilu\x00,2026-01\n", false), "line 2")
	if len(f.audit.Stored()) == 0 {
		t.Fatal("the audited writes left no entries")
	}
	for _, e := range f.audit.Stored() {
		if !data.ValidText(e.Target) || !data.ValidText(e.Actor) {
			t.Errorf("audit entry %+v holds text no store keeps", e)
		}
	}
}

// TestPingBodyStrict checks the ping body, whose fast scanner gives up on
// escapes and repeated members, still refuses a NUL and a member given
// twice when encoding/json reads it instead.
func TestPingBodyStrict(t *testing.T) {
	f := newTextFixture(t)
	at := time.Now().Add(-time.Minute).Format(time.RFC3339)
	ping := func(officer, extra string) string {
		return `{"pings":[{"officer":"` + officer + `","at":"` + at + `","lon":109.3,"lat":34.15` + extra + `}]}`
	}
	wantInvalid(t, "NUL officer", f.do(t, http.MethodPost, "/api/v1/patrols/pings", "application/json", ping(`M\u0000`, ""), false), "pings[0].officer")
	wantInvalid(t, "lon twice", f.do(t, http.MethodPost, "/api/v1/patrols/pings", "application/json", ping("M00001", `,"lon":0`), false), "pings[0].lon")
	if rec := f.do(t, http.MethodPost, "/api/v1/patrols/pings", "text/plain", ping("M00001", ""), false); rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, http.MethodPost, "/api/v1/incidents", "text/plain", "{}", false); rec.Code != http.StatusUnsupportedMediaType || rec.Header().Get("Content-Type") != httpx.ContentTypeProblem {
		t.Errorf("incidents as text/plain: %d %s", rec.Code, rec.Body)
	}
}
