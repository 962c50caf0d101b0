package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/locate"
	"jingge/api/meta"
	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/plan"
)

// flakyStore fails Snapshot while fail is set, to test failed reloads.
type flakyStore struct {
	*memory.Store
	fail atomic.Bool
}

func (s *flakyStore) Snapshot(ctx context.Context) (*geo.Dataset, error) {
	if s.fail.Load() {
		return nil, errors.New("snapshot failed on purpose")
	}
	return s.Store.Snapshot(ctx)
}

// startServe runs a serve command in the background and returns the base
// URL it prints and a function that stops it and returns its error.
func startServe(t *testing.T, run func(ctx context.Context, stdout, stderr io.Writer) error) (base string, logs *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	logs = new(syncBuffer)
	done := make(chan error, 1)
	go func() { done <- run(ctx, &stdout, logs) }()
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
	urlRE := regexp.MustCompile(`serving on (http://\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			t.Cleanup(func() { cancel() })
			signIn(t, stdout.String())
			return m[1], logs, stop
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned before listening: %v\nlogs: %s", err, logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve printed no URL; stdout %q logs %s", stdout.String(), logs.String())
	return "", nil, nil
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := testClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: decoding: %v", url, err)
		}
	}
	return resp.StatusCode
}

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

func TestServe(t *testing.T) {
	st := &flakyStore{Store: memStore(t, apitest.Small())}
	base, logs, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--log-format", "json"}, stdout, stderr, opener(st))
	})

	var ready meta.Ready
	if code := getJSON(t, base+"/readyz", &ready); code != http.StatusOK || ready.Grids != 4 {
		t.Fatalf("/readyz: %d %+v", code, ready)
	}
	var hit locate.Response
	url := fmt.Sprintf("%s/api/v1/lookup?lon=%v&lat=%v", base, apitest.InCommunity[0], apitest.InCommunity[1])
	if code := getJSON(t, url, &hit); code != http.StatusOK || hit.CommunityGrid == nil || hit.CommunityGrid.ID != apitest.CommunityA {
		t.Fatalf("lookup: %d %+v", code, hit)
	}

	datasetName := func() string {
		var d meta.Dataset
		getJSON(t, base+"/api/v1/dataset", &d)
		return d.Name
	}
	// A change in the store is served without a restart.
	if err := st.Replace(apitest.Checkerboard(3)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new dataset is served", func() bool { return datasetName() == "checkerboard 3x3" })
	eventually(t, "the reload is logged", func() bool { return strings.Contains(logs.String(), `"msg":"dataset reloaded"`) })

	// A reload that fails keeps the dataset in force.
	st.fail.Store(true)
	if err := st.Replace(apitest.Small()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the failed reload is logged", func() bool { return strings.Contains(logs.String(), "reload failed") })
	if name := datasetName(); name != "checkerboard 3x3" {
		t.Errorf("after a failed reload the server serves %q", name)
	}

	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still answering after shutdown")
	}
	for _, want := range []string{`"msg":"request"`, `"msg":"listening"`, `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s", want)
		}
	}
}

// TestServeDrains checks a request in flight when the signal comes is
// answered before serve returns.
func TestServeDrains(t *testing.T) {
	st := memStore(t, apitest.Small())
	base, _, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0"}, stdout, stderr, opener(st))
	})
	body, w := io.Pipe()
	status := make(chan int, 1)
	go func() {
		resp, err := testClient.Post(base+"/api/v1/lookup", "application/json", body)
		if err != nil {
			status <- -1
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	fmt.Fprint(w, `{"points":[`)
	time.Sleep(100 * time.Millisecond) // the request is now in flight
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(100 * time.Millisecond)
	fmt.Fprintf(w, "[%v,%v]]}", apitest.InCommunity[0], apitest.InCommunity[1])
	w.Close()
	if code := <-status; code != http.StatusOK {
		t.Errorf("in-flight request got %d, want 200", code)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestRunServe runs the real command with the bundled dataset and the
// address from JINGGE_ADDR.
func TestRunServe(t *testing.T) {
	t.Setenv("JINGGE_ADDR", "127.0.0.1:0")
	t.Setenv("DATABASE_URL", "")
	base, _, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return runServe(ctx, nil, stdout, stderr)
	})
	if code := getJSON(t, base+"/readyz", nil); code != http.StatusOK {
		t.Errorf("/readyz: %d", code)
	}
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	var hit locate.Response
	code := getJSON(t, base+"/api/v1/lookup?lon=109.317&lat=34.152", &hit)
	switch {
	case len(ds.Grids) == 0:
		if code != http.StatusNotFound {
			t.Errorf("lookup in an empty dataset: %d", code)
		}
	case code != http.StatusOK:
		t.Errorf("county seat lookup: %d", code)
	case hit.CommunityGrid == nil || hit.CommunityGrid.TownshipName != "蓝关街道" || hit.Station == nil || (hit.Station.ID != "wenjilu" && hit.Station.ID != "chengguan"):
		t.Errorf("county seat: %+v in %+v, want 蓝关街道 served by wenjilu or chengguan", hit.CommunityGrid, hit.Station)
	}
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

func TestServeFlags(t *testing.T) {
	st := memStore(t, apitest.Small())
	tests := []struct {
		name string
		args []string
		want error
	}{
		{"unknown flag", []string{"--port", "80"}, errUsage},
		{"argument", []string{"now"}, errUsage},
		{"log format", []string{"--log-format", "xml"}, errUsage},
		{"pre-render zoom", []string{"--prerender-zoom", "23"}, errUsage},
		{"help", []string{"-h"}, flag.ErrHelp},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr syncBuffer
			err := serveCommand(context.Background(), tc.args, io.Discard, &stderr, opener(st))
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("address in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		err = serveCommand(context.Background(), []string{"--addr", ln.Addr().String()}, io.Discard, io.Discard, opener(st))
		if err == nil || !strings.Contains(err.Error(), "listening on") {
			t.Errorf("error %v", err)
		}
	})
}

func TestDisplayAddr(t *testing.T) {
	for in, want := range map[string]string{"127.0.0.1:8080": "127.0.0.1:8080", "[::]:80": "localhost:80", "0.0.0.0:9": "localhost:9"} {
		a, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := displayAddr(a); got != want {
			t.Errorf("displayAddr(%s) = %s, want %s", in, got, want)
		}
	}
}

// memStore returns a memory store holding ds.
func memStore(tb testing.TB, ds *geo.Dataset) *memory.Store {
	tb.Helper()
	st, err := memory.New(ds)
	if err != nil {
		tb.Fatalf("memory.New: %v", err)
	}
	return st
}

// opener returns a storeOpener that hands out st whatever the URL.
func opener(st data.Store) storeOpener {
	return func(context.Context, string, *slog.Logger) (data.Store, error) { return st, nil }
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines to write
// while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestReloadRefreshesTiles checks that after the store changes, the tile
// service serves the new index before any tile is asked for, so the first
// tile request after a reload does not build the tile index.
func TestReloadRefreshesTiles(t *testing.T) {
	st := memStore(t, apitest.Small())
	o := serveOptions{plan: plan.DefaultConfig(), patrols: &patrolFlags{}}
	w, err := wire(context.Background(), o, st, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	first := w.live.Load()
	if first == nil || w.api.Tiles().Served() != first {
		t.Fatal("the tiles of the first index are not ready at start")
	}
	if err := st.Replace(apitest.Checkerboard(3)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the tile service serves the reloaded index without a request", func() bool {
		ix := w.live.Load()
		return ix != first && w.api.Tiles().Served() == ix
	})
}
