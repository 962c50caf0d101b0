package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"jingge/api/apitest"
)

// TestMain points the default auth file and data directory of every
// serve in these tests at a temporary directory, never the user's own.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jingge-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("JINGGE_AUTH_FILE", filepath.Join(dir, "auth.json"))
	os.Setenv("JINGGE_DATA_DIR", filepath.Join(dir, "data"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testClient is the serve tests' browser: it keeps the session cookie the
// demo's login link gives (signIn), so requests are made as the demo admin.
var testClient = newTestClient()

func newTestClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

var linkRE = regexp.MustCompile(`(http://\S+/api/v1/login/link\?token=jgl_\S+)`)

// signIn follows the login link a demo server printed, if any.
func signIn(t *testing.T, stdout string) {
	t.Helper()
	m := linkRE.FindStringSubmatch(stdout)
	if m == nil {
		return
	}
	resp, err := testClient.Get(m[1])
	if err != nil {
		t.Fatalf("following the login link: %v", err)
	}
	resp.Body.Close()
}

// TestDemoLoginLink checks the embedded demo runs closed and that the
// one-time link it prints signs a browser in as the demo admin, once.
func TestDemoLoginLink(t *testing.T) {
	st := memStore(t, apitest.Small())
	authFile := filepath.Join(t.TempDir(), "auth.json")
	var stdout syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--auth-file", authFile}, &stdout, io.Discard, opener(st))
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var link, base string
	eventually(t, "the login link is printed", func() bool {
		m := linkRE.FindStringSubmatch(stdout.String())
		if m != nil {
			link = m[1]
			base = link[:strings.Index(link, "/api/")]
		}
		return m != nil
	})
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("the demo listens on %s, want loopback", base)
	}
	lookup := base + "/api/v1/lookup?lon=109.305&lat=34.15"
	anon, err := http.Get(lookup)
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != http.StatusUnauthorized {
		t.Errorf("lookup without signing in: %d, want 401", anon.StatusCode)
	}
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz is open: %v %v", resp, err)
	}

	browser := newTestClient()
	resp, err := browser.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var me struct{ User, Role, Phones string }
	r2, err := browser.Get(base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Body.Close()
	if err := json.NewDecoder(r2.Body).Decode(&me); err != nil || r2.StatusCode != 200 || me.User != demoAdmin || me.Role != "admin" || me.Phones != "full" {
		t.Fatalf("after the link: %d %+v %v", r2.StatusCode, me, err)
	}
	if r3, err := browser.Get(lookup); err != nil || r3.StatusCode != 200 {
		t.Errorf("lookup after signing in: %v %v", r3, err)
	}
	// The link works once.
	other := newTestClient()
	r4, err := other.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	r4.Body.Close()
	if r4.StatusCode != http.StatusUnauthorized {
		t.Errorf("second use of the link: %d", r4.StatusCode)
	}
}
