package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"jingge/api/locate"
	"jingge/api/meta"
	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

// startWaiting runs `jingge serve --db dbURL` in the background against a
// database that cannot be reached yet, and returns the base URL of the
// line it prints once its first attempt failed, its logs, and a function
// that stops it and returns its error.
func startWaiting(t *testing.T, dbURL string) (base string, logs *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var stdout syncBuffer
	logs = new(syncBuffer)
	done := make(chan error, 1)
	go func() {
		done <- serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--db", dbURL, "--log-format", "json"}, &stdout, logs, openStore)
	}()
	stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not return 10s after its context ended")
			return nil
		}
	}
	re := regexp.MustCompile(`listening on (http://[^;\s]+); the database is not reachable yet`)
	waitUntil(t, 30*time.Second, "serve says it waits for the database", func() bool {
		select {
		case err := <-done:
			t.Fatalf("serve returned while the database was unreachable: %v\nlogs: %s", err, logs.String())
		default:
		}
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			return true
		}
		return false
	})
	return base, logs, stop
}

// waitUntil polls cond every 20 ms for up to timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting until %s", timeout, what)
		}
	}
}

// unreachableAddr returns a loopback address nothing listens on.
func unreachableAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// expectStarting checks what a server waiting for its database answers:
// alive, not ready, and 503 with Retry-After and a problem saying why to
// an API request.
func expectStarting(t *testing.T, base string) {
	t.Helper()
	if code := getJSON(t, base+"/healthz", nil); code != http.StatusOK {
		t.Errorf("/healthz while waiting: %d, want 200", code)
	}
	for _, path := range []string{"/readyz", "/api/v1/lookup?lon=109.3&lat=34.1", "/tiles/14/13166/6568.mvt"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		var p struct{ Type, Detail string }
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || err != nil {
			t.Fatalf("GET %s while waiting: %d (%v), want a 503 problem", path, resp.StatusCode, err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s: no Retry-After", path)
		}
		if p.Type != "urn:jingge:problem:starting" || !strings.Contains(p.Detail, "database is not reachable yet") || !strings.Contains(p.Detail, "retries") {
			t.Errorf("GET %s: problem %+v, want one saying the database is not reachable yet and is retried", path, p)
		}
	}
}

// TestServeStopsWhileWaitingForDatabase starts serve where no database
// listens: it answers as a starting server, logs its attempts at warn, and
// a signal ends it promptly and cleanly.
func TestServeStopsWhileWaitingForDatabase(t *testing.T) {
	dbURL := "postgres://jingge@" + unreachableAddr(t) + "/jingge?sslmode=disable&connect_timeout=2"
	base, logs, stop := startWaiting(t, dbURL)
	expectStarting(t, base)
	if !strings.Contains(logs.String(), `"level":"WARN","msg":"the database is not reachable yet; retrying"`) {
		t.Errorf("no warning about the unreachable database in the logs:\n%s", logs.String())
	}
	if err := stop(); err != nil {
		t.Fatalf("serve stopped while waiting: %v, want nil (exit 0)", err)
	}
	if !strings.Contains(logs.String(), "stopped before the database could be reached") {
		t.Errorf("logs lack the stop message:\n%s", logs.String())
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still answering after the stop")
	}
}

// TestServeWaitsForDatabase starts serve before its database can be
// reached (a proxy in front of it that does not listen yet): it answers
// as a starting server, and once the database is reachable it migrates
// the empty schema, loads the index and becomes ready without a restart;
// a dataset imported then is served.
func TestServeWaitsForDatabase(t *testing.T) {
	direct := postgistest.NewSchema(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Skipf("the test database URL is not a postgres:// URL: %v", err)
	}
	proxy := postgistest.NewCutProxy(t, u.Host)
	proxy.Cut() // nothing listens at the proxy's address until Restore
	u.Host = proxy.Addr()
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()

	base, logs, stop := startWaiting(t, u.String())
	expectStarting(t, base)

	proxy.Restore(proxy.Addr())
	var ready meta.Ready
	waitUntil(t, 60*time.Second, "/readyz answers 200 after the database became reachable", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("GET /readyz: %v", err)
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&ready) == nil
	})
	if ready.Grids != 0 {
		t.Errorf("ready with %d grids, want the empty dataset of a fresh schema", ready.Grids)
	}
	if !strings.Contains(logs.String(), `"msg":"ready"`) {
		t.Errorf("logs lack the ready message:\n%s", logs.String())
	}

	// serve migrated the schema; a dataset and a token added now are
	// served through the NOTIFY it listens for.
	ctx := context.Background()
	st, err := openStore(ctx, direct, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds := storetest.Small()
	if _, err := st.(data.Importer).Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	pg := st.(*postgis.Store)
	if err := pg.CreateUser(ctx, data.User{Name: "ops", Role: data.RoleViewer, PasswordHash: "-"}); err != nil {
		t.Fatal(err)
	}
	token, hash, id := data.NewSecret(data.KindToken)
	if err := pg.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "ops", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	c := smallGrid(ds, "C0-0").Geometry.Bound().Center()
	lookup := fmt.Sprintf("%s/api/v1/lookup?lon=%v&lat=%v", base, c[0], c[1])
	waitUntil(t, 30*time.Second, "a lookup in the imported dataset answers 200", func() bool {
		req, _ := http.NewRequest(http.MethodGet, lookup, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var hit locate.Response
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&hit) == nil && hit.CommunityGrid != nil
	})
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestServeFailsFastOnPermanentErrors gives serve database URLs no wait
// can mend: it ends with a clear error instead of retrying.
func TestServeFailsFastOnPermanentErrors(t *testing.T) {
	withDatabase := func(t *testing.T, edit func(u *url.URL)) string {
		u, err := url.Parse(postgistest.URL(t))
		if err != nil {
			t.Skipf("the test database URL is not a postgres:// URL: %v", err)
		}
		edit(u)
		return u.String()
	}
	tests := []struct {
		name  string
		dbURL func(t *testing.T) string
		want  string
	}{
		{"malformed URL", func(*testing.T) string { return "postgres://jingge@[::1/jingge" }, "does not parse"},
		{"unknown database (3D000)", func(t *testing.T) string {
			return withDatabase(t, func(u *url.URL) { u.Path = "/jingge_no_such_database" })
		}, `database "jingge_no_such_database" does not exist`},
		{"unknown role (28000)", func(t *testing.T) string {
			return withDatabase(t, func(u *url.URL) { u.User = url.User("jingge_no_such_role") })
		}, `role "jingge_no_such_role" does not exist`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dbURL := tc.dbURL(t)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var stdout, logs syncBuffer
			err := serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--db", dbURL}, &stdout, &logs, openStore)
			switch {
			case err == nil || ctx.Err() != nil:
				t.Fatalf("serve returned %v (context: %v), want an error at once\nlogs: %s", err, ctx.Err(), logs.String())
			case errors.Is(err, data.ErrUnavailable):
				t.Errorf("error %v is marked unavailable, so it would be retried", err)
			case !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "not retried"):
				t.Errorf("error %q, want it to say %q and that it is not retried", err, tc.want)
			}
			if strings.Contains(logs.String(), "retrying") || strings.Contains(stdout.String(), "serving on") {
				t.Errorf("serve retried or served:\nstdout: %s\nlogs: %s", stdout.String(), logs.String())
			}
		})
	}
}

// TestRetryable pins which start errors are retried.
func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"unreachable", fmt.Errorf("opening the store: postgis: open: %w: refused", data.ErrUnavailable), true},
		{"unreachable while loading", fmt.Errorf("loading the dataset: %w", data.ErrUnavailable), true},
		{"bad URL", fmt.Errorf("postgis: %w: the database URL does not parse", data.ErrInvalid), false},
		{"anything else", errors.New("postgis: open: password authentication failed (SQLSTATE 28P01)"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := retryable(tc.err); got != tc.want {
				t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
