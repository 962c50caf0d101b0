package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis/postgistest"
)

// cli runs a users or tokens command and returns its output.
func cli(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	var err error
	switch args[0] {
	case "users":
		err = usersCommand(context.Background(), args[1:], strings.NewReader(stdin), &out, &errOut)
	case "tokens":
		err = tokensCommand(context.Background(), args[1:], strings.NewReader(stdin), &out, &errOut, time.Now)
	}
	return out.String() + errOut.String(), err
}

func mustCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := cli(t, stdin, args...)
	if err != nil {
		t.Fatalf("jingge %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

var tokenRE = regexp.MustCompile(`(?m)^(jgt_[A-Za-z0-9_-]{43})$`)

// testUsersAndTokens runs the whole life of a user and a token against the
// store selected by where (--db URL or --auth-file FILE), and checks the
// result with the store opened directly.
func testUsersAndTokens(t *testing.T, where []string, open func() data.AuthStore) {
	with := func(args ...string) []string { return append(args, where...) }
	out := mustCLI(t, "", with("users", "add", "ops", "--role", "admin")...)
	if !strings.Contains(out, "added admin user ops") || !regexp.MustCompile(`password: \S{20}`).MatchString(out) {
		t.Errorf("users add: %s", out)
	}
	mustCLI(t, "a long enough password\n", with("users", "add", "wang", "--role", "officer", "--officer", "m17", "--password-stdin")...)
	// A scraper's user, whose role the database must know too.
	if out := mustCLI(t, "", with("users", "add", "prometheus", "--role", "metrics")...); !strings.Contains(out, "added metrics user prometheus") {
		t.Errorf("users add --role metrics: %s", out)
	}
	if _, err := cli(t, "", with("users", "add", "ops", "--role", "viewer")...); !errors.Is(err, data.ErrConflict) {
		t.Errorf("duplicate user: %v", err)
	}
	if _, err := cli(t, "", with("users", "add", "x", "--role", "root")...); !errors.Is(err, errUsage) {
		t.Errorf("bad role: %v", err)
	}
	if _, err := cli(t, "short\n", with("users", "add", "y", "--role", "viewer", "--password-stdin")...); !errors.Is(err, errUsage) {
		t.Errorf("short password: %v", err)
	}
	out = mustCLI(t, "", with("users", "list")...)
	if !regexp.MustCompile(`ops\s+admin\s+-\s+set\s+active`).MatchString(out) || !regexp.MustCompile(`wang\s+officer\s+m17\s+set\s+active`).MatchString(out) {
		t.Errorf("users list:\n%s", out)
	}
	st := open()
	u, err := st.User(context.Background(), "wang")
	if err != nil || !data.CheckPassword(u.PasswordHash, "a long enough password") {
		t.Errorf("the stored password does not check: %v", err)
	}

	out = mustCLI(t, "", with("tokens", "create", "--user", "ops", "--label", "simulator", "--expires", "30d")...)
	m := tokenRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("tokens create printed no token:\n%s", out)
	}
	secret := m[1]
	st = open()
	a, err := st.Authenticate(context.Background(), data.KindToken, data.HashSecret(secret), time.Now())
	if err != nil || a.User.Name != "ops" || a.Credential.Label != "simulator" || time.Until(a.Credential.ExpiresAt) < 29*24*time.Hour {
		t.Fatalf("the new token: %+v, %v", a, err)
	}
	if _, err := cli(t, "", with("tokens", "create", "--user", "nobody")...); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("token for an unknown user: %v", err)
	}
	out = mustCLI(t, "", with("tokens", "list")...)
	if !strings.Contains(out, a.Credential.ID) || !strings.Contains(out, "simulator") || strings.Contains(out, secret) {
		t.Errorf("tokens list:\n%s", out)
	}
	mustCLI(t, "", with("tokens", "revoke", a.Credential.ID)...)
	if _, err := cli(t, "", with("tokens", "revoke", "nope")...); err == nil {
		t.Error("revoking an unknown token succeeded")
	}
	if out := mustCLI(t, "", with("tokens", "list")...); strings.Contains(out, a.Credential.ID) {
		t.Errorf("a revoked token is listed without --all:\n%s", out)
	}
	if out := mustCLI(t, "", with("tokens", "list", "--all")...); !strings.Contains(out, "revoked") {
		t.Errorf("--all:\n%s", out)
	}
	st = open()
	if _, err := st.Authenticate(context.Background(), data.KindToken, data.HashSecret(secret), time.Now()); !errors.Is(err, data.ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
	mustCLI(t, "", with("users", "disable", "wang")...)
	if out := mustCLI(t, "", with("users", "list")...); !regexp.MustCompile(`wang\s+officer\s+m17\s+set\s+disabled`).MatchString(out) {
		t.Errorf("after disable:\n%s", out)
	}
	mustCLI(t, "", with("users", "enable", "wang")...)
	out = mustCLI(t, "", with("users", "passwd", "wang")...)
	if !strings.Contains(out, "password: ") {
		t.Errorf("passwd: %s", out)
	}
	if _, err := cli(t, "", with("users", "passwd", "nobody")...); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("passwd of nobody: %v", err)
	}
}

func TestUsersAndTokensAuthFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "auth.json")
	testUsersAndTokens(t, []string{"--auth-file", file, "--db", ""}, func() data.AuthStore {
		a, err := memory.OpenAuthFile(file, 0)
		if err != nil {
			t.Fatal(err)
		}
		return a
	})
}

func TestUsersAndTokensPostGIS(t *testing.T) {
	url := postgistest.NewSchema(t)
	testUsersAndTokens(t, []string{"--db", url}, func() data.AuthStore { return postgistest.MustOpenURL(t, url) })
}

func TestParseLifetime(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "12h": 12 * time.Hour, "never": 0, "90m": 90 * time.Minute} {
		if got, err := parseLifetime(in); err != nil || got != want {
			t.Errorf("%s: %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0d", "-1h", "forever", "99999d", "1y"} {
		if _, err := parseLifetime(in); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// On a fresh machine the README's first command makes a token for the demo
// admin, perhaps before serve has ever written the auth file.
func TestTokenForDemoAdminBeforeServe(t *testing.T) {
	file := filepath.Join(t.TempDir(), "jingge", "auth.json")
	out := mustCLI(t, "", "tokens", "create", "--user", demoAdmin, "--auth-file", file)
	secret := tokenRE.FindStringSubmatch(out)
	if secret == nil {
		t.Fatalf("tokens create printed no token:\n%s", out)
	}
	st, err := memory.OpenAuthFile(file, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.Authenticate(context.Background(), data.KindToken, data.HashSecret(secret[1]), time.Now())
	if err != nil || a.User.Name != demoAdmin || a.User.Role != data.RoleAdmin || a.User.PasswordHash != "" {
		t.Fatalf("the token acts as %+v, %v; want the demo admin, without a password", a.User, err)
	}
}
