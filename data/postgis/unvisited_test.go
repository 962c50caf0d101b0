package postgis_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/geo"
	"jingge/geo/patrol"
)

// TestUnvisitedAcrossServers has two servers' stores on one schema check
// every police grid at once, many times over: each absence is raised once
// in all, and the other server's later check raises nothing.
func TestUnvisitedAcrossServers(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	a := postgis.NewPatrols(postgistest.MustOpenURL(t, dbURL), postgis.PatrolOptions{})
	b := postgis.NewPatrols(postgistest.MustOpenURL(t, dbURL), postgis.PatrolOptions{})
	t.Cleanup(func() { a.Close(); b.Close() })
	ctx := context.Background()
	rules := smallRules(t)
	now := time.Now().Truncate(time.Millisecond)
	last := map[string]time.Time{}
	for _, g := range rules.Index().Dataset().Grids {
		if g.Level == geo.PoliceLevel {
			last[g.ID] = now.Add(-8 * 24 * time.Hour)
		}
	}
	sweep := data.UnvisitedSweep{Rules: rules, LastVisits: last, After: 7 * 24 * time.Hour, Now: now}
	var mu sync.Mutex
	raised := map[string]int{}
	var wg sync.WaitGroup
	for i := range 6 {
		st := []*postgis.Patrols{a, b}[i%2]
		wg.Go(func() {
			evs, err := st.RaiseUnvisited(ctx, sweep)
			if err != nil {
				t.Errorf("RaiseUnvisited: %v", err)
			}
			mu.Lock()
			for _, e := range evs {
				raised[e.PoliceGridID]++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(raised) != len(last) {
		t.Errorf("raised %d grids, want all %d", len(raised), len(last))
	}
	for id, n := range raised {
		if n != 1 {
			t.Errorf("grid %s raised %d times, want once", id, n)
		}
	}
	evs, err := b.EventsAfter(ctx, 0, 1000)
	if err != nil || len(evs) != len(last) {
		t.Fatalf("b reads %d events, %v; want %d", len(evs), err, len(last))
	}
	for _, e := range evs {
		if e.Kind != patrol.GridUnvisited || e.Officer != "" {
			t.Errorf("event %+v; want grid_unvisited without an officer", e)
		}
	}
	sweep.Now = now.Add(time.Hour)
	if evs, err := a.RaiseUnvisited(ctx, sweep); err != nil || len(evs) != 0 {
		t.Errorf("a later check raised %+v, %v; want nothing", evs, err)
	}
}
