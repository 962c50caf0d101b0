package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"jingge/api/auth"
	"jingge/api/authhttp"
	"jingge/api/httpx"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
)

// authFixture is an access-controlled mux of stub routes, one per kind of
// declaration, with a user and a token per role.
type authFixture struct {
	ac      *accessControl
	store   *memory.Auth
	handler http.Handler
	tokens  map[data.Role]string
	ran     atomic.Int64 // how many stub handlers ran
	// slowStarted hears when /slow runs; /slow then waits for slowRelease.
	slowStarted, slowRelease chan struct{}
}

const fixturePassword = "correct horse battery"

func newAuthFixture(t testing.TB, cfg Access) *authFixture {
	t.Helper()
	st := memory.NewAuth(0)
	if cfg.Store == nil {
		cfg.Store = st
	}
	logger := slog.New(slog.NewTextHandler(tbWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f := &authFixture{store: st, tokens: map[data.Role]string{}, slowStarted: make(chan struct{}, 16), slowRelease: make(chan struct{})}
	f.ac = newAccessControl(&cfg, logger)
	hash, err := data.HashPassword(fixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, role := range data.Roles {
		u := data.User{Name: string(role) + "1", Role: role, PasswordHash: hash}
		if role == data.RoleOfficer {
			u.OfficerID = "m1"
		}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		secret, h, id := data.NewSecret(data.KindToken)
		if err := st.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: u.Name, Hash: h}); err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = secret
	}
	stub := func(w http.ResponseWriter, r *http.Request, _ query) error {
		f.ran.Add(1)
		w.Header().Set("X-Phone", phoneFor(r.Context(), "13812341234"))
		w.WriteHeader(http.StatusOK)
		return nil
	}
	mux := http.NewServeMux()
	add := func(pattern, name string, acc access, h func(http.ResponseWriter, *http.Request, query) error) {
		mux.Handle(pattern, httpx.WithRequestID(f.ac.guard(name, acc, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r, query{values: r.URL.Query(), route: name}); err != nil {
				httpx.WriteError(w, r, logger, err)
			}
		}))))
	}
	add("GET /public", "public", public(), stub)
	add("GET /viewer", "viewer", allow(data.RoleViewer), stub)
	add("GET /officer", "officer", allow(data.RoleOfficer), stub)
	add("GET /planner", "planner", allow(data.RolePlanner), stub)
	add("GET /admin", "admin", allow(data.RoleAdmin), stub)
	add("POST /pings", "pings", allow(data.RoleOfficer, data.RoleAdmin), stub)
	add("GET /person", "person", signedIn().personalData(), stub)
	add("POST /write", "write", allow(data.RoleViewer), stub)
	add("GET /slow", "slow", signedIn().expensive(), func(w http.ResponseWriter, r *http.Request, q query) error {
		f.slowStarted <- struct{}{}
		<-f.slowRelease
		return stub(w, r, q)
	})
	add("GET /undeclared", "undeclared", access{}, stub)
	add("POST /api/v1/login", "login", public().auditedByHandler(), f.ac.handleLogin)
	add("POST /api/v1/logout", "logout", signedIn(), f.ac.handleLogout)
	add("GET /api/v1/me", "me", signedIn(), f.ac.handleMe)
	add("GET /api/v1/login/link", "loginLink", public().auditedByHandler(), f.ac.handleLoginLink)
	add("GET /login", "loginPage", public(), f.ac.handleLoginPage)
	zone := shanghaiZone(t)
	add("GET /api/v1/audit", "listAudit", allow(data.RoleAdmin), func(w http.ResponseWriter, r *http.Request, q query) error {
		return f.ac.handler().ListAudit(w, r, authQuery(q), zone)
	})
	f.handler = mux
	return f
}

// do sends one request; hdr holds extra headers as name, value pairs.
func (f *authFixture) do(t testing.TB, method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.RemoteAddr = "192.0.2.7:4321"
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

func bearer(secret string) []string { return []string{"Authorization", "Bearer " + secret} }

func TestGuardRoles(t *testing.T) {
	f := newAuthFixture(t, Access{})
	// want[i] is the status for anonymous, viewer, officer, planner, admin,
	// metrics.
	tests := []struct {
		method, path string
		want         [6]int
	}{
		{"GET", "/public", [6]int{200, 200, 200, 200, 200, 200}},
		{"GET", "/viewer", [6]int{401, 200, 403, 200, 200, 403}},
		{"GET", "/officer", [6]int{401, 403, 200, 403, 403, 403}},
		{"GET", "/planner", [6]int{401, 403, 403, 200, 200, 403}},
		{"GET", "/admin", [6]int{401, 403, 403, 403, 200, 403}},
		{"POST", "/pings", [6]int{401, 403, 200, 403, 200, 403}},
		{"GET", "/person", [6]int{401, 200, 200, 200, 200, 403}},
		{"GET", "/undeclared", [6]int{500, 500, 500, 500, 500, 500}},
	}
	for _, tc := range tests {
		for i, who := range append([]data.Role{""}, data.Roles...) {
			var hdr []string
			if who != "" {
				hdr = bearer(f.tokens[who])
			}
			rec := f.do(t, tc.method, tc.path, "", hdr...)
			if rec.Code != tc.want[i] {
				t.Errorf("%s %s as %q: %d, want %d: %s", tc.method, tc.path, who, rec.Code, tc.want[i], rec.Body)
			}
			if rec.Code == 401 && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s: 401 without WWW-Authenticate", tc.method, tc.path)
			}
		}
	}
}

func TestBadCredentials(t *testing.T) {
	f := newAuthFixture(t, Access{Limits: Limits{AnonymousBurst: 100}})
	revokedSecret, h, id := data.NewSecret(data.KindToken)
	ctx := context.Background()
	if err := f.store.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "admin1", Hash: h}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.RevokeCredential(ctx, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, hdr := range map[string][]string{
		"garbage":         {"Authorization", "Bearer nonsense"},
		"basic":           {"Authorization", "Basic YWRtaW46YWRtaW4="},
		"empty bearer":    {"Authorization", "Bearer "},
		"unknown token":   bearer("jgt_" + strings.Repeat("A", 43)),
		"revoked":         bearer(revokedSecret),
		"session as jwt":  {"Cookie", cookieSession + "=eyJhbGciOiJub25lIn0.e30."},
		"token in cookie": {"Cookie", cookieSession + "=" + f.tokens[data.RoleAdmin]},
	} {
		if rec := f.do(t, "GET", "/viewer", "", hdr...); rec.Code != 401 {
			t.Errorf("%s: %d", name, rec.Code)
		}
		// A bad credential on a public route is ignored, not an error.
		if rec := f.do(t, "GET", "/public", "", hdr...); rec.Code != 200 {
			t.Errorf("%s on a public route: %d", name, rec.Code)
		}
	}
	if f.ran.Load() != 7 {
		t.Errorf("%d handlers ran, want the 7 public ones", f.ran.Load())
	}
}

func login(t testing.TB, f *authFixture, user, password string) *httptest.ResponseRecorder {
	t.Helper()
	body, _ := json.Marshal(auth.LoginRequest{User: user, Password: password})
	return f.do(t, "POST", "/api/v1/login", string(body), "Content-Type", "application/json", "Sec-Fetch-Site", "same-origin")
}

func sessionCookieOf(t testing.TB, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == cookieSession || c.Name == authhttp.CookieSessionSecure {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", rec.Header())
	return nil
}

func TestLoginSessionLogout(t *testing.T) {
	f := newAuthFixture(t, Access{})
	if rec := login(t, f, "planner1", "wrong password!"); rec.Code != 401 {
		t.Fatalf("wrong password: %d", rec.Code)
	}
	if rec := login(t, f, "nobody", fixturePassword); rec.Code != 401 {
		t.Fatalf("unknown user: %d", rec.Code)
	}
	rec := login(t, f, "planner1", fixturePassword)
	if rec.Code != 200 {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	c := sessionCookieOf(t, rec)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.MaxAge <= 0 {
		t.Errorf("cookie %+v", c)
	}
	var me auth.MeResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil || me.User != "planner1" || me.Role != data.RolePlanner || me.Auth != data.KindSession || me.Phones != "masked" {
		t.Errorf("login answer %+v, %v", me, err)
	}
	cookie := []string{"Cookie", c.Name + "=" + c.Value}
	if rec := f.do(t, "GET", "/api/v1/me", "", cookie...); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"grants":["viewer","planner"]`) {
		t.Errorf("me: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "GET", "/planner", "", cookie...); rec.Code != 200 {
		t.Errorf("planner route with the session: %d", rec.Code)
	}
	// Logging out needs a same-site request; then the cookie is dead.
	if rec := f.do(t, "POST", "/api/v1/logout", "", append(cookie, "Sec-Fetch-Site", "cross-site")...); rec.Code != 403 {
		t.Errorf("cross-site logout: %d", rec.Code)
	}
	rec = f.do(t, "POST", "/api/v1/logout", "", append(cookie, "Sec-Fetch-Site", "same-origin")...)
	if rec.Code != 204 || sessionCookieOf(t, rec).MaxAge >= 0 {
		t.Errorf("logout: %d %v", rec.Code, rec.Header())
	}
	if rec := f.do(t, "GET", "/planner", "", cookie...); rec.Code != 401 {
		t.Errorf("after logout: %d", rec.Code)
	}
}

func TestSecureCookieBehindProxy(t *testing.T) {
	f := newAuthFixture(t, Access{TrustProxy: true})
	body := `{"user":"viewer1","password":"` + fixturePassword + `"}`
	rec := f.do(t, "POST", "/api/v1/login", body, "Content-Type", "application/json", "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9")
	c := sessionCookieOf(t, rec)
	if c.Name != authhttp.CookieSessionSecure || !c.Secure {
		t.Errorf("cookie behind a TLS proxy: %+v", c)
	}
	got, _ := f.store.QueryAudit(context.Background(), data.AuditQuery{Action: "login"})
	if len(got) != 1 || got[0].Remote != "203.0.113.9" {
		t.Errorf("audit of the login: %+v", got)
	}
}

func TestFormLogin(t *testing.T) {
	f := newAuthFixture(t, Access{})
	form := url.Values{"user": {"admin1"}, "password": {fixturePassword}, "next": {"/m?x=1"}}.Encode()
	rec := f.do(t, "POST", "/api/v1/login", form, "Content-Type", "application/x-www-form-urlencoded", "Origin", "http://example.com", "Host", "example.com")
	if rec.Code != 303 || rec.Header().Get("Location") != "/m?x=1" {
		t.Errorf("form login: %d %v", rec.Code, rec.Header())
	}
	// A sign-in form posted from another site is refused.
	rec = f.do(t, "POST", "/api/v1/login", form, "Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "cross-site")
	if rec.Code != 403 {
		t.Errorf("cross-site form login: %d", rec.Code)
	}
	bad := url.Values{"user": {"admin1"}, "password": {"nope"}, "next": {"//evil.example/"}}.Encode()
	rec = f.do(t, "POST", "/api/v1/login", bad, "Content-Type", "application/x-www-form-urlencoded")
	if rec.Code != 303 || rec.Header().Get("Location") != "/login?failed=1&next=%2F" {
		t.Errorf("failed form login: %d %v", rec.Code, rec.Header())
	}
}

func TestCSRF(t *testing.T) {
	f := newAuthFixture(t, Access{})
	c := sessionCookieOf(t, login(t, f, "viewer1", fixturePassword))
	cookie := []string{"Cookie", c.Name + "=" + c.Value}
	for _, tc := range []struct {
		name string
		hdr  []string
		want int
	}{
		{"same-origin fetch", append(cookie, "Sec-Fetch-Site", "same-origin"), 200},
		{"cross-site fetch", append(cookie, "Sec-Fetch-Site", "cross-site"), 403},
		{"same-site subdomain", append(cookie, "Sec-Fetch-Site", "same-site"), 403},
		{"old browser, foreign origin", append(cookie, "Origin", "https://evil.example"), 403},
		{"old browser, own origin", append(cookie, "Origin", "http://example.com"), 200},
		{"token from another site", append(bearer(f.tokens[data.RoleViewer]), "Sec-Fetch-Site", "cross-site"), 200},
	} {
		if rec := f.do(t, "POST", "http://example.com/write", "", tc.hdr...); rec.Code != tc.want {
			t.Errorf("%s: %d, want %d: %s", tc.name, rec.Code, tc.want, rec.Body)
		}
	}
	// Reads need no origin check.
	if rec := f.do(t, "GET", "/viewer", "", append(cookie, "Sec-Fetch-Site", "cross-site")...); rec.Code != 200 {
		t.Errorf("cross-site read: %d", rec.Code)
	}
}

func TestRateLimit(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f := newAuthFixture(t, Access{Now: clock, Limits: Limits{PerCredential: 2, PerCredentialBurst: 3, Anonymous: 1, AnonymousBurst: 2}})
	tok := bearer(f.tokens[data.RoleViewer])
	for i := range 3 {
		if rec := f.do(t, "GET", "/viewer", "", tok...); rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	rec := f.do(t, "GET", "/viewer", "", tok...)
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("over the burst: %d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	// Another credential has its own bucket.
	if rec := f.do(t, "GET", "/viewer", "", bearer(f.tokens[data.RoleAdmin])...); rec.Code != 200 {
		t.Errorf("other token: %d", rec.Code)
	}
	now = now.Add(500 * time.Millisecond) // one token back at 2/s
	if rec := f.do(t, "GET", "/viewer", "", tok...); rec.Code != 200 {
		t.Errorf("after refill: %d", rec.Code)
	}
	// Bad secrets drain the address's anonymous bucket.
	for i := range 2 {
		if rec := f.do(t, "GET", "/viewer", "", bearer("jgt_"+strings.Repeat("B", 43))...); rec.Code != 401 {
			t.Fatalf("bad secret %d: %d", i, rec.Code)
		}
	}
	if rec := f.do(t, "GET", "/viewer", "", bearer("jgt_"+strings.Repeat("B", 43))...); rec.Code != 429 {
		t.Errorf("guessing is not limited: %d", rec.Code)
	}
}

func TestLoginRateLimitPerUser(t *testing.T) {
	f := newAuthFixture(t, Access{Limits: Limits{Anonymous: 1000, AnonymousBurst: 1000}})
	for i := range 5 {
		if rec := login(t, f, "admin1", "wrong password "+fmt.Sprint(i)); rec.Code != 401 {
			t.Fatalf("attempt %d: %d", i, rec.Code)
		}
	}
	rec := login(t, f, "admin1", fixturePassword)
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("sixth attempt: %d", rec.Code)
	}
}

func TestCostlyBound(t *testing.T) {
	f := newAuthFixture(t, Access{Limits: Limits{Costly: 1, CostlyWait: 50 * time.Millisecond}})
	tok := bearer(f.tokens[data.RoleViewer])
	first := make(chan int)
	go func() { first <- f.do(t, "GET", "/slow", "", tok...).Code }()
	<-f.slowStarted
	rec := f.do(t, "GET", "/slow", "", tok...)
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("second concurrent costly request: %d", rec.Code)
	}
	close(f.slowRelease)
	if code := <-first; code != 200 {
		t.Errorf("first: %d", code)
	}
}

func TestAuditEntries(t *testing.T) {
	f := newAuthFixture(t, Access{})
	f.do(t, "GET", "/viewer", "", bearer(f.tokens[data.RoleViewer])...)
	f.do(t, "GET", "/person?lon=1&token=secret", "", append(bearer(f.tokens[data.RoleOfficer]), "X-Request-ID", "req-1")...)
	f.do(t, "POST", "/pings", "", bearer(f.tokens[data.RoleAdmin])...)
	got, err := f.store.QueryAudit(context.Background(), data.AuditQuery{})
	if err != nil || len(got) != 2 {
		t.Fatalf("audit: %+v, %v", got, err)
	}
	w, r := got[0], got[1]
	if w.Actor != "admin1" || w.Action != "pings" || w.Method != "POST" || w.Role != data.RoleAdmin || w.Remote != "192.0.2.7" || w.Credential == "" {
		t.Errorf("write entry %+v", w)
	}
	if r.Actor != "officer1" || r.Action != "person" || r.Target != "/person?lon=1&token=REDACTED" || r.RequestID != "req-1" || r.At.IsZero() {
		t.Errorf("read entry %+v", r)
	}
	// Admins read the log through the API; nobody else does.
	rec := f.do(t, "GET", "/api/v1/audit?actor=officer1&limit=5", "", bearer(f.tokens[data.RoleAdmin])...)
	var resp auth.AuditResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); rec.Code != 200 || err != nil || len(resp.Entries) != 1 || resp.Entries[0].Action != "person" {
		t.Errorf("GET audit: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "GET", "/api/v1/audit?since=yesterday&limit=0", "", bearer(f.tokens[data.RoleAdmin])...); rec.Code != 400 || !strings.Contains(rec.Body.String(), "since") || !strings.Contains(rec.Body.String(), "limit") {
		t.Errorf("bad audit query: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "GET", "/api/v1/audit", "", bearer(f.tokens[data.RolePlanner])...); rec.Code != 403 {
		t.Errorf("planner reads the audit: %d", rec.Code)
	}
}

// failingAudit is an audit log that cannot be written.
type failingAudit struct{ data.AuditLog }

func (failingAudit) AppendAudit(context.Context, []data.AuditEntry) error {
	return fmt.Errorf("test: %w", data.ErrUnavailable)
}

func TestAuditFailureRefusesRequest(t *testing.T) {
	f := newAuthFixture(t, Access{Audit: failingAudit{}})
	tok := bearer(f.tokens[data.RoleAdmin])
	for _, target := range []string{"/person", "/pings"} {
		method := "GET"
		if target == "/pings" {
			method = "POST"
		}
		if rec := f.do(t, method, target, "", tok...); rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s with the audit down: %d", target, rec.Code)
		}
	}
	if rec := f.do(t, "GET", "/viewer", "", tok...); rec.Code != 200 {
		t.Errorf("unaudited read with the audit down: %d", rec.Code)
	}
	if f.ran.Load() != 1 {
		t.Errorf("%d handlers ran; unaudited requests must not run", f.ran.Load())
	}
}

// flakyAuth fails Authenticate with ErrUnavailable while down is set.
type flakyAuth struct {
	data.AuthStore
	down atomic.Bool
}

func (s *flakyAuth) Authenticate(ctx context.Context, kind data.CredentialKind, hash [32]byte, now time.Time) (data.Authenticated, error) {
	if s.down.Load() {
		return data.Authenticated{}, fmt.Errorf("test: %w", data.ErrUnavailable)
	}
	return s.AuthStore.Authenticate(ctx, kind, hash, now)
}

func TestAuthCacheRidesOutStoreOutage(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	flaky := &flakyAuth{AuthStore: memory.NewAuth(0)}
	f := newAuthFixture(t, Access{Store: flaky, Now: func() time.Time { return now }, CacheTTL: time.Second, MaxStale: time.Minute})
	// The fixture's users went into its own memory store; use that one.
	flaky.AuthStore = f.store
	tok := bearer(f.tokens[data.RoleViewer])
	if rec := f.do(t, "GET", "/viewer", "", tok...); rec.Code != 200 {
		t.Fatalf("first: %d", rec.Code)
	}
	flaky.down.Store(true)
	now = now.Add(30 * time.Second)
	if rec := f.do(t, "GET", "/viewer", "", tok...); rec.Code != 200 {
		t.Errorf("known token during an outage: %d", rec.Code)
	}
	if rec := f.do(t, "GET", "/viewer", "", bearer(f.tokens[data.RoleAdmin])...); rec.Code != 503 {
		t.Errorf("unknown token during an outage: %d", rec.Code)
	}
	now = now.Add(time.Minute)
	if rec := f.do(t, "GET", "/viewer", "", tok...); rec.Code != 503 {
		t.Errorf("beyond MaxStale: %d", rec.Code)
	}
}

func TestLoginLink(t *testing.T) {
	f := newAuthFixture(t, Access{})
	path, err := auth.NewLoginLink(context.Background(), f.store, "admin1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if rec := f.do(t, "GET", path, "", "Sec-Fetch-Site", "cross-site"); rec.Code != 403 {
		t.Errorf("link from another site: %d", rec.Code)
	}
	rec := f.do(t, "GET", path, "", "Sec-Fetch-Site", "none")
	if rec.Code != 303 || rec.Header().Get("Location") != "/" {
		t.Fatalf("link: %d %s", rec.Code, rec.Body)
	}
	c := sessionCookieOf(t, rec)
	if rec := f.do(t, "GET", "/admin", "", "Cookie", c.Name+"="+c.Value); rec.Code != 200 {
		t.Errorf("session from the link: %d", rec.Code)
	}
	if rec := f.do(t, "GET", path, ""); rec.Code != 401 {
		t.Errorf("second use of the link: %d", rec.Code)
	}
	got, _ := f.store.QueryAudit(context.Background(), data.AuditQuery{Action: "loginLink"})
	if len(got) != 1 || got[0].Actor != "admin1" || strings.Contains(got[0].Target, path[len(auth.LoginLinkPath)+7:]) {
		t.Errorf("audit of the link: %+v", got)
	}
}

// TestLoginLinkReturnsToDeepLink: a visitor sent to /login from a deep
// link who then signs in with the one-time link (the demo has no
// password) comes back to the deep link.
func TestLoginLinkReturnsToDeepLink(t *testing.T) {
	f := newAuthFixture(t, Access{})
	path, err := auth.NewLoginLink(context.Background(), f.store, "admin1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	deep := "/plan#tab=assessment&month=2026-10"
	page := f.do(t, "GET", "/login?next="+url.QueryEscape(deep), "")
	var remembered *http.Cookie
	for _, c := range page.Result().Cookies() {
		if c.Name == authhttp.CookieNext {
			remembered = c
		}
	}
	if page.Code != 200 || remembered == nil || remembered.Path != auth.LoginLinkPath || !remembered.HttpOnly {
		t.Fatalf("login page: %d, cookie %+v", page.Code, remembered)
	}
	rec := f.do(t, "GET", path, "", "Cookie", remembered.Name+"="+remembered.Value)
	if rec.Code != 303 || rec.Header().Get("Location") != deep {
		t.Fatalf("link: %d to %q, want %q", rec.Code, rec.Header().Get("Location"), deep)
	}
	cleared := false
	for _, c := range rec.Result().Cookies() {
		cleared = cleared || (c.Name == authhttp.CookieNext && c.MaxAge < 0)
	}
	if !cleared {
		t.Error("the remembered page is not forgotten after use")
	}
	// A forged cookie cannot send the visitor off the site.
	path2, _ := auth.NewLoginLink(context.Background(), f.store, "admin1", time.Minute)
	rec = f.do(t, "GET", path2, "", "Cookie", authhttp.CookieNext+"="+url.QueryEscape("//evil.example/x"))
	if rec.Code != 303 || rec.Header().Get("Location") != "/" {
		t.Errorf("forged next: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestPhoneMasking(t *testing.T) {
	for in, want := range map[string]string{
		"13812341234": "138****1234", "138****1234": "138****1234", "029-82700001": "029*****0001",
		"": "", "12345": "***45", "1": "*", "+8613812341234": "+86*******1234",
	} {
		if got := maskPhone(in); got != want {
			t.Errorf("maskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	f := newAuthFixture(t, Access{})
	for role, want := range map[data.Role]string{
		data.RoleViewer: "138****1234", data.RolePlanner: "138****1234", data.RoleOfficer: "13812341234", data.RoleAdmin: "13812341234",
	} {
		if got := f.do(t, "GET", "/person", "", bearer(f.tokens[role])...).Header().Get("X-Phone"); got != want {
			t.Errorf("%s sees %q, want %q", role, got, want)
		}
	}
	if !fullPhones(context.Background()) {
		t.Error("without access control numbers are shown as stored")
	}
}

func TestUndeclaredIsAnError(t *testing.T) {
	if !errors.Is(fmt.Errorf("x: %w", httpx.ErrForbidden), httpx.ErrForbidden) || (access{}).String() != "undeclared" {
		t.Fatal("sanity")
	}
	if got := allow(data.RoleViewer).String(); got != "viewer, planner, admin" {
		t.Errorf("viewer access admits %q", got)
	}
	if got := allow(data.RoleOfficer, data.RoleAdmin).String(); got != "officer, admin" {
		t.Errorf("pings access admits %q", got)
	}
}

func TestAccessLogRedactsSecrets(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	h := httpx.WithAccessLog(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/v1/login/link?token=jgl_secret&x=1", nil))
	if strings.Contains(buf.String(), "jgl_secret") || !strings.Contains(buf.String(), `"query":"token=REDACTED&x=1"`) {
		t.Errorf("access log: %s", buf.String())
	}
}

// TestActorOf checks who a change is recorded as: the signed-in user, or
// "api" when the server runs without access control.
func TestActorOf(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/plan/plans", nil)
	if got := actorOf(r); got != "api" {
		t.Errorf("without access control: %q, want api", got)
	}
	p := &principal{user: data.User{Name: "planner-li", Role: data.RolePlanner}}
	if got := actorOf(r.WithContext(context.WithValue(r.Context(), principalKey{}, p))); got != "planner-li" {
		t.Errorf("signed in: %q, want planner-li", got)
	}
	anon := &principal{}
	if got := actorOf(r.WithContext(context.WithValue(r.Context(), principalKey{}, anon))); got != "api" {
		t.Errorf("anonymous: %q, want api", got)
	}
}
