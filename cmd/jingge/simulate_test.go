package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	ogeo "github.com/paulmach/orb/geo"

	"jingge/api"
	"jingge/api/patrolling"
	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/patrol"
)

// recordingStore keeps every batch a server stored, for the simulator test.
type recordingStore struct {
	*memory.Patrols
	mu      sync.Mutex
	batches [][]geo.Ping
}

func (s *recordingStore) RecordPings(ctx context.Context, b data.PingBatch) (data.PingResult, error) {
	s.mu.Lock()
	s.batches = append(s.batches, b.Pings)
	s.mu.Unlock()
	return s.Patrols.RecordPings(ctx, b)
}

func lantianIndex(t *testing.T) *geo.Index {
	t.Helper()
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestSimulatePatrols runs the simulator against a server on the Lantian
// dataset, time sped up, and checks what the server saw: every chosen
// officer reporting each round from inside the county, at plausible
// speeds, mostly inside their own area but crossing grids, so enter and
// leave events flow.
func TestSimulatePatrols(t *testing.T) {
	ix := lantianIndex(t)
	live := new(geo.Live)
	live.Store(ix)
	store := &recordingStore{Patrols: memory.NewPatrols(memory.PatrolOptions{})}
	srv := httptest.NewServer(api.New(api.Config{Index: live, Patrols: store, Logger: slog.New(slog.DiscardHandler)}).Handler())
	defer srv.Close()

	var out bytes.Buffer
	args := []string{"patrols", "--server", srv.URL, "--officers", "25", "--interval", "20ms", "--duration", "1500ms", "--speedup", "600", "--seed", "7"}
	if err := simulateCommand(context.Background(), args, &out, io.Discard, openStore); err != nil {
		t.Fatalf("simulate: %v\n%s", err, out.String())
	}
	t.Log(out.String())
	if !strings.Contains(out.String(), "moving 25 officers") || !strings.Contains(out.String(), "grid_enter") {
		t.Errorf("output: %s", out.String())
	}
	rules := patrol.NewRules(ix, patrol.Options{})
	store.mu.Lock()
	batches := store.batches
	store.mu.Unlock()
	if len(batches) < 20 {
		t.Fatalf("%d batches in 1.5 s at 20 ms, want at least 20", len(batches))
	}
	officers := map[string]bool{}
	inOwn, total := 0, 0
	last := map[string]geo.Ping{}
	for _, b := range batches {
		if len(b) != 25 {
			t.Fatalf("a batch of %d pings, want one per officer", len(b))
		}
		for _, p := range b {
			officers[p.OfficerID] = true
			if p.GridID == "" {
				t.Errorf("%s at %v, outside every grid", p.OfficerID, p.Location)
			}
			total++
			if rules.InArea(p.OfficerID, p.GridID) {
				inOwn++
			}
			if p.SpeedMPS < 0 || p.SpeedMPS > 14 {
				t.Errorf("%s reports %v m/s", p.OfficerID, p.SpeedMPS)
			}
			if prev, ok := last[p.OfficerID]; ok {
				// Simulated metres per real second, at 600x: at most a car's 11 m/s, plus noise.
				dt := p.At.Sub(prev.At).Seconds() * 600
				if d := ogeo.DistanceHaversine(prev.Location, p.Location); dt > 0 && d/dt > 14 {
					t.Errorf("%s moved %.0f m in %.0f simulated seconds", p.OfficerID, d, dt)
				}
			}
			last[p.OfficerID] = p
		}
	}
	if len(officers) != 25 {
		t.Errorf("%d officers reported, want 25", len(officers))
	}
	if share := float64(inOwn) / float64(total); share < 0.6 || share == 1 {
		t.Errorf("%.0f%% of positions inside the officer's own area; want most, but not all", share*100)
	}
	evs, _ := store.EventsAfter(context.Background(), 0, 100000)
	kinds := map[patrol.EventKind]int{}
	for _, e := range evs {
		kinds[e.Kind]++
	}
	if kinds[patrol.GridEnter] <= 25 || kinds[patrol.GridLeave] == 0 || kinds[patrol.AreaLeave] == 0 {
		t.Errorf("events %v: want grid crossings and some officers leaving their areas", kinds)
	}
}

// TestSimulateStopsOnBadRequests: a server that refuses the positions ends
// the simulation with its reason.
func TestSimulateStopsOnBadRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"status": 400, "detail": "pings[0].officer no member of the dataset has id \"M00001\""})
	}))
	defer srv.Close()
	err := simulateCommand(context.Background(), []string{"patrols", "--server", srv.URL, "--officers", "2", "--interval", "10ms", "--duration", "1s"}, io.Discard, io.Discard, openStore)
	if err == nil || !strings.Contains(err.Error(), "no member of the dataset") {
		t.Errorf("err = %v", err)
	}
}

// TestSimulateRetriesWithTheSameKey: a 503 is retried with the batch's key.
func TestSimulateRetriesWithTheSameKey(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		n := len(keys)
		mu.Unlock()
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(patrolling.PingResponse{Accepted: 2, Events: []patrolling.Event{}})
	}))
	defer srv.Close()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := simulateCommand(ctx, []string{"patrols", "--server", srv.URL, "--officers", "2", "--interval", "2s", "--duration", "1s"}, &out, io.Discard, openStore)
	mu.Lock()
	defer mu.Unlock()
	if err != nil || len(keys) != 3 || keys[0] != keys[1] || keys[1] != keys[2] || keys[0] == "" {
		t.Errorf("err %v, keys %q: want three attempts with one key", err, keys)
	}
	if !strings.Contains(out.String(), "2 positions sent") {
		t.Errorf("output %s", out.String())
	}
}

func TestSimulateFlags(t *testing.T) {
	for _, args := range [][]string{
		nil, {"incidents"}, {"patrols", "extra"}, {"patrols", "--server", "ftp://x"}, {"patrols", "--interval", "0s"}, {"patrols", "--crs", "utm"}, {"patrols", "--speedup", "-1"},
	} {
		if _, err := parseSimulateFlags(args, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("%q: err %v, want a usage error", args, err)
		}
	}
}
