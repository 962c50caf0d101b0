package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// testUnvisitedOncePerAbsence raises "grid not visited" from several
// callers at once (one event), again at a later check (none: the same
// absence), and after a new visit has gone stale (a second event).
func testUnvisitedOncePerAbsence(t *testing.T, f *patrolFixture) {
	ctx := context.Background()
	const day = 24 * time.Hour
	var police, other string
	for _, g := range f.ds.Grids {
		if g.Level == geo.PoliceLevel {
			if police == "" {
				police = g.ID
			} else if other == "" {
				other = g.ID
			}
		}
	}
	visit := f.t0.Add(-8 * day)
	sweep := func(last time.Time, now time.Time) data.UnvisitedSweep {
		return data.UnvisitedSweep{Rules: f.rules, After: 7 * day, Now: now,
			LastVisits: map[string]time.Time{police: last, other: now.Add(-time.Hour)}}
	}
	before, err := f.st.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []patrol.Event
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			evs, err := f.st.RaiseUnvisited(ctx, sweep(visit, f.t0))
			if err != nil {
				t.Errorf("RaiseUnvisited: %v", err)
			}
			mu.Lock()
			got = append(got, evs...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(got) != 1 || got[0].Kind != patrol.GridUnvisited || got[0].PoliceGridID != police || got[0].Officer != "" ||
		!got[0].At.Equal(visit.Add(7*day)) || got[0].ID <= before {
		t.Fatalf("concurrent checks raised %+v, want one grid_unvisited of %s at the visit + 7 days", got, police)
	}
	stored, err := f.st.EventsAfter(ctx, before, 100)
	if err != nil || len(stored) != 1 || stored[0].ID != got[0].ID || stored[0].Kind != patrol.GridUnvisited || stored[0].StationID == "" {
		t.Fatalf("events after %d: %+v, %v; want the one raised", before, stored, err)
	}
	if evs, err := f.st.RaiseUnvisited(ctx, sweep(visit, f.t0.Add(3*day))); err != nil || len(evs) != 0 {
		t.Errorf("a later check of the same absence raised %+v, %v; want nothing", evs, err)
	}
	// A reader that knows no visit at all does not raise it either.
	if evs, err := f.st.RaiseUnvisited(ctx, sweep(time.Time{}, f.t0.Add(3*day))); err != nil || len(evs) != 0 {
		t.Errorf("a check without the visit raised %+v, %v; want nothing", evs, err)
	}
	revisit := f.t0.Add(time.Hour)
	if evs, err := f.st.RaiseUnvisited(ctx, sweep(revisit, revisit.Add(6*day))); err != nil || len(evs) != 0 {
		t.Errorf("a check 6 days after a new visit raised %+v, %v; want nothing", evs, err)
	}
	evs, err := f.st.RaiseUnvisited(ctx, sweep(revisit, revisit.Add(7*day)))
	if err != nil || len(evs) != 1 || evs[0].PoliceGridID != police || evs[0].ID <= got[0].ID {
		t.Errorf("7 days after a new visit: %+v, %v; want a second event of %s", evs, err, police)
	}
}
