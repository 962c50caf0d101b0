package api

import (
	"encoding/json"
	"fmt"
	"jingge/api/auth"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// loginFrom signs in as user from the client address addr.
func loginFrom(t testing.TB, f *authFixture, addr, user, password string) *httptest.ResponseRecorder {
	t.Helper()
	body, _ := json.Marshal(auth.LoginRequest{User: user, Password: password})
	req := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(string(body)))
	req.RemoteAddr = addr + ":40000"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

// A stranger guessing a user's password from one address is throttled
// there, and only there: the user signs in from elsewhere as usual.
func TestFailedSignInsDoNotLockOutTheUser(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	f := newAuthFixture(t, Access{Now: func() time.Time { return now }})
	const attacker, office = "198.51.100.1", "203.0.113.9"
	var last *httptest.ResponseRecorder
	for i := range 32 {
		last = loginFrom(t, f, attacker, "officer1", fmt.Sprintf("guess %d", i))
		if last.Code != 401 && last.Code != 429 {
			t.Fatalf("guess %d: %d %s", i, last.Code, last.Body)
		}
	}
	expectProblem(t, last, 429)
	if last.Header().Get("Retry-After") == "" {
		t.Errorf("throttled guess without Retry-After: %v", last.Header())
	}
	if rec := loginFrom(t, f, office, "officer1", fixturePassword); rec.Code != 200 {
		t.Fatalf("the officer from another address after 32 guesses: %d %s", rec.Code, rec.Body)
	}
	// The attacker stays throttled, even with the right password.
	if rec := loginFrom(t, f, attacker, "officer1", fixturePassword); rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("the guessing address: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// One address guessing one account is as slow as before (5, then one per
// 12 s), and spreading guesses over many accounts is no faster.
func TestSignInThrottlePerAddress(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	f := newAuthFixture(t, Access{Now: func() time.Time { return now }, Limits: Limits{Anonymous: 1000, AnonymousBurst: 1000}})
	const attacker = "198.51.100.1"
	for i := range 5 {
		if rec := loginFrom(t, f, attacker, "admin1", fmt.Sprint("guess ", i)); rec.Code != 401 {
			t.Fatalf("guess %d: %d", i, rec.Code)
		}
	}
	rec := loginFrom(t, f, attacker, "admin1", "guess 5")
	if p := expectProblem(t, rec, 429); rec.Header().Get("Retry-After") != "12" || !strings.Contains(p.Detail, "sign-ins") {
		t.Fatalf("sixth guess at one account: Retry-After %q, %+v", rec.Header().Get("Retry-After"), p)
	}
	now = now.Add(12 * time.Second)
	if rec := loginFrom(t, f, attacker, "admin1", "guess 6"); rec.Code != 401 {
		t.Fatalf("a guess 12 s later: %d", rec.Code)
	}
	if rec := loginFrom(t, f, attacker, "admin1", "guess 7"); rec.Code != 429 {
		t.Fatalf("the next guess at once: %d", rec.Code)
	}
	// Other user names from the same address: 20 failures in all (plus
	// the 2 the 12 s gave back), then throttled whatever the name.
	const checked = 20 - 6 + 2
	refused := 0
	for i := range 30 {
		if loginFrom(t, f, attacker, fmt.Sprintf("nobody%d", i), "guess").Code == 429 {
			refused++
		}
	}
	if refused != 30-checked {
		t.Errorf("%d of 30 guesses at other names refused, want %d", refused, 30-checked)
	}
}

// Successful sign-ins cost nothing: a user opening many sessions is never
// throttled.
func TestSuccessfulSignInsAreNotThrottled(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	f := newAuthFixture(t, Access{Now: func() time.Time { return now }, Limits: Limits{Anonymous: 1000, AnonymousBurst: 1000}})
	for i := range 8 {
		if rec := loginFrom(t, f, "203.0.113.9", "viewer1", fixturePassword); rec.Code != 200 {
			t.Fatalf("sign-in %d: %d", i, rec.Code)
		}
	}
}
