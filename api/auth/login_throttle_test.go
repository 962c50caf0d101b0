package auth

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
)

const testPassword = "correct horse battery"

// newSignInService is access control over a store holding a user of each
// role, named after it with a 1 ("planner1"), whose password is
// testPassword.
func newSignInService(t testing.TB, cfg Config) *Service {
	t.Helper()
	st := memory.NewAuth(0)
	hash, err := data.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range data.Roles {
		if err := st.CreateUser(context.Background(), data.User{Name: string(role) + "1", Role: role, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Store = st
	return New(cfg, nil)
}

// signInFrom signs in as user from the client address addr and answers
// with the status the API gives it: 200 signed in, 401 wrong password, 429
// throttled.
func signInFrom(t testing.TB, svc *Service, addr, user, password string) int {
	t.Helper()
	_, err := svc.SignIn(context.Background(), Principal{}, LoginRequest{User: user, Password: password}, Request{Method: "POST", Target: "/api/v1/login", Remote: addr})
	var rf *Refusal
	switch {
	case err == nil:
		return 200
	case errors.Is(err, ErrWrongPassword):
		return 401
	case errors.As(err, &rf) && rf.Reason == TooManyRequests:
		return 429
	}
	t.Fatalf("sign-in of %s from %s: %v", user, addr, err)
	return 0
}

// A guess spread over many addresses is bounded by the account's own
// bucket, which does not apply where the user signed in before.
func TestSignInThrottleDistributed(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	svc := newSignInService(t, Config{Now: func() time.Time { return now }})
	const home = "203.0.113.9"
	if code := signInFrom(t, svc, home, "planner1", testPassword); code != 200 {
		t.Fatalf("first sign-in: %d", code)
	}
	failed := 0
	for i := range 60 {
		switch code := signInFrom(t, svc, fmt.Sprintf("198.51.100.%d", i+1), "planner1", "guess"); code {
		case 401:
			failed++
		case 429:
		default:
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	if failed != int(loginAccountRate.burst) {
		t.Errorf("%d guesses from 60 addresses were checked, want the account's burst %v", failed, loginAccountRate.burst)
	}
	if code := signInFrom(t, svc, "192.0.2.200", "planner1", testPassword); code != 429 {
		t.Errorf("a new address while the account is under attack: %d", code)
	}
	if code := signInFrom(t, svc, home, "planner1", testPassword); code != 200 {
		t.Errorf("the user's own address while the account is under attack: %d", code)
	}
}
