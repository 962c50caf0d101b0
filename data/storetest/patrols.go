package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// PatrolOpener returns a new, empty patrol store isolated from every
// other. It closes the store when the test ends.
type PatrolOpener func(t *testing.T) data.PatrolStore

// RunPatrols runs the patrol suite against the stores open returns. The
// pings come from officers of Small(); their times are within the last
// hour, inside any store's retention.
func RunPatrols(t *testing.T, open PatrolOpener, parallel bool) {
	cases := []struct {
		name string
		fn   func(t *testing.T, pt *patrolFixture)
	}{
		{"TrackIsTimeOrderedAndHalfOpen", testTrack},
		{"StatesAndCursor", testStatesAndCursor},
		{"EventIDsIncreaseAndPage", testEventIDs},
		{"DuplicateKeyIsNotRecordedTwice", testDuplicateKey},
		{"KeysAreScopedToTheCaller", testScopedKeys},
		{"LatePingIsHistoryOnly", testLatePing},
		{"UnknownValuesRoundTrip", testUnknownValues},
		{"SweepDeclaresSilenceOnce", testSweepOnce},
		{"UnvisitedRaisedOncePerAbsence", testUnvisitedOncePerAbsence},
		{"ConcurrentWritersKeepEventsConsistent", testConcurrentWriters},
		{"WatchWakesAfterRecord", testWatchPatrols},
		{"OverlayEventsNameTheirArea", testOverlayEvents},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			c.fn(t, newPatrolFixture(t, open(t)))
		})
	}
}

// patrolFixture is a store with the rules of Small() and helpers to make
// pings of its officers.
type patrolFixture struct {
	st    data.PatrolStore
	ds    *geo.Dataset
	rules *patrol.Rules
	t0    time.Time
}

func newPatrolFixture(t *testing.T, st data.PatrolStore) *patrolFixture {
	ds := Small()
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	return &patrolFixture{
		st: st, ds: ds,
		rules: patrol.NewRules(ix, patrol.Options{SilentAfter: 10 * time.Minute}),
		// Whole milliseconds, which every store keeps exactly.
		t0: time.Now().Add(-time.Hour).Truncate(time.Millisecond).UTC(),
	}
}

// officer is the id of the member of police grid P<i>-<j> of Small().
func officer(i, j int) string { return fmt.Sprintf("m-P%d-%d", i, j) }

// cellCenter is the middle of community grid C<i>-<j>, inside it.
func (f *patrolFixture) cellCenter(i, j int) orb.Point {
	g := gridByID(f.ds, fmt.Sprintf("C%d-%d", i, j))
	return g.Geometry.Bound().Center()
}

// ping is an attributed ping of officer at t0+sec seconds in cell (i, j).
func (f *patrolFixture) ping(officer string, sec float64, i, j int) geo.Ping {
	p := geo.Ping{OfficerID: officer, At: f.t0.Add(time.Duration(sec * float64(time.Second))), Location: f.cellCenter(i, j), SpeedMPS: 1.5, HeadingDeg: 90}
	p.GridID = patrol.GridAt(f.rules.Index(), p.Location)
	return p
}

func (f *patrolFixture) record(t *testing.T, key string, pings ...geo.Ping) data.PingResult {
	t.Helper()
	res, err := f.st.RecordPings(context.Background(), data.PingBatch{Key: key, Pings: pings, Rules: f.rules})
	if err != nil {
		t.Fatalf("RecordPings: %v", err)
	}
	return res
}

func (f *patrolFixture) track(t *testing.T, officer string, from, to time.Time, limit int) ([]geo.Ping, bool) {
	t.Helper()
	ps, truncated, err := f.st.Track(context.Background(), officer, from, to, limit)
	if err != nil {
		t.Fatalf("Track: %v", err)
	}
	return ps, truncated
}

func (f *patrolFixture) events(t *testing.T, after int64) []patrol.Event {
	t.Helper()
	evs, err := f.st.EventsAfter(context.Background(), after, 1000)
	if err != nil {
		t.Fatalf("EventsAfter: %v", err)
	}
	return evs
}

func samePing(a, b geo.Ping) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-9 }
	return a.OfficerID == b.OfficerID && a.At.Equal(b.At) && near(a.Location[0], b.Location[0]) && near(a.Location[1], b.Location[1]) &&
		a.GridID == b.GridID && (near(a.SpeedMPS, b.SpeedMPS) || math.IsNaN(a.SpeedMPS) && math.IsNaN(b.SpeedMPS)) &&
		(near(a.HeadingDeg, b.HeadingDeg) || math.IsNaN(a.HeadingDeg) && math.IsNaN(b.HeadingDeg))
}

func testTrack(t *testing.T, f *patrolFixture) {
	o := officer(0, 0)
	var all []geo.Ping
	for s := range 10 {
		all = append(all, f.ping(o, float64(s)*10, s%2, 0))
	}
	// Two batches, each out of order, plus another officer's ping.
	f.record(t, "", all[5], all[9], all[6], f.ping(officer(1, 1), 5, 2, 2), all[7], all[8])
	f.record(t, "", all[3], all[0], all[4], all[1], all[2])
	got, truncated := f.track(t, o, f.t0, f.t0.Add(time.Hour), 100)
	if len(got) != 10 || truncated {
		t.Fatalf("track holds %d pings (truncated %v), want 10", len(got), truncated)
	}
	for i := range got {
		if !samePing(got[i], all[i]) {
			t.Fatalf("track[%d] = %+v, want %+v", i, got[i], all[i])
		}
	}
	// from is inclusive, to exclusive.
	got, _ = f.track(t, o, all[2].At, all[5].At, 100)
	if len(got) != 3 || !got[0].At.Equal(all[2].At) || !got[2].At.Equal(all[4].At) {
		t.Errorf("track [t2, t5) = %d pings from %v, want t2, t3, t4", len(got), got)
	}
	got, truncated = f.track(t, o, f.t0, f.t0.Add(time.Hour), 4)
	if len(got) != 4 || !truncated || !got[3].At.Equal(all[3].At) {
		t.Errorf("track limited to 4: %d pings, truncated %v; want the first 4 and truncated", len(got), truncated)
	}
	// A negative limit means no limit.
	if got, truncated = f.track(t, o, f.t0, f.t0.Add(time.Hour), -1); len(got) != 10 || truncated {
		t.Errorf("track without a limit: %d pings, truncated %v; want all 10", len(got), truncated)
	}
	if got, truncated = f.track(t, "nobody", f.t0, f.t0.Add(time.Hour), 10); len(got) != 0 || truncated {
		t.Errorf("track of an officer without pings: %v", got)
	}
}

func testStatesAndCursor(t *testing.T, f *patrolFixture) {
	ctx := context.Background()
	states, cur, err := f.st.States(ctx, 0)
	if err != nil || len(states) != 0 {
		t.Fatalf("States of an empty store: %v, %v", states, err)
	}
	a, b := officer(0, 0), officer(1, 0)
	res := f.record(t, "", f.ping(a, 1, 0, 0), f.ping(a, 2, 1, 0), f.ping(b, 1, 2, 0))
	if len(res.States) != 2 || res.States[0].Officer != a || res.States[1].Officer != b {
		t.Fatalf("result states %+v, want those of %s and %s", res.States, a, b)
	}
	if s := res.States[0]; !samePing(s.Last, f.ping(a, 2, 1, 0)) || !s.InArea || s.Silent || s.Version <= 0 {
		t.Errorf("state of %s = %+v, want the ping at t0+2s, in area, version > 0", a, s)
	}
	states, cur2, err := f.st.States(ctx, cur)
	if err != nil || len(states) != 2 {
		t.Fatalf("States since before the write: %d states, %v; want 2", len(states), err)
	}
	for _, s := range states {
		if want := res.States[slices.IndexFunc(res.States, func(x patrol.State) bool { return x.Officer == s.Officer })]; s.Version != want.Version || !samePing(s.Last, want.Last) {
			t.Errorf("States gives %+v, the write returned %+v", s, want)
		}
	}
	// A state may come back more than once, but with a cursor that has
	// seen every write, only as it was.
	seen := map[string]int64{a: res.States[0].Version, b: res.States[1].Version}
	states, _, err = f.st.States(ctx, cur2)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.Version != seen[s.Officer] {
			t.Errorf("States with an up-to-date cursor gives %+v, a version not written", s)
		}
	}
	res2 := f.record(t, "", f.ping(b, 3, 3, 0))
	states, _, err = f.st.States(ctx, cur2)
	if err != nil {
		t.Fatal(err)
	}
	gotB := false
	for _, s := range states {
		switch {
		case s.Officer == b && s.Version == res2.States[0].Version && s.Version > seen[b]:
			gotB = true
		case s.Version != seen[s.Officer]:
			t.Errorf("States after moving %s gives %+v, a version not written", b, s)
		}
	}
	if !gotB {
		t.Errorf("States after moving %s: %+v; want its new version %d", b, states, res2.States[0].Version)
	}
}

func testEventIDs(t *testing.T, f *patrolFixture) {
	ctx := context.Background()
	if id, err := f.st.LastEventID(ctx); err != nil || id != 0 {
		t.Fatalf("LastEventID of an empty store = %d, %v", id, err)
	}
	o := officer(0, 0)
	r1 := f.record(t, "", f.ping(o, 1, 0, 0), f.ping(o, 2, 1, 0))             // enter, leave+enter
	r2 := f.record(t, "", f.ping(o, 3, 2, 0), f.ping(officer(1, 1), 3, 3, 3)) // leave+enter+area_leave, enter
	kinds := func(evs []patrol.Event) (s []patrol.EventKind) {
		for _, e := range evs {
			s = append(s, e.Kind)
		}
		return s
	}
	want1 := []patrol.EventKind{patrol.GridEnter, patrol.GridLeave, patrol.GridEnter}
	if !slices.Equal(kinds(r1.Events), want1) {
		t.Fatalf("first batch events %v, want %v", kinds(r1.Events), want1)
	}
	if len(r2.Events) != 4 {
		t.Fatalf("second batch events %v, want 4", kinds(r2.Events))
	}
	all := append(slices.Clone(r1.Events), r2.Events...)
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatalf("event ids do not increase: %d then %d", all[i-1].ID, all[i].ID)
		}
	}
	got := f.events(t, 0)
	if len(got) != len(all) {
		t.Fatalf("EventsAfter(0) = %d events, want %d", len(got), len(all))
	}
	for i := range got {
		e, w := got[i], all[i]
		if e.ID != w.ID || e.Kind != w.Kind || e.Officer != w.Officer || !e.At.Equal(w.At) || e.GridID != w.GridID ||
			e.PoliceGridID != w.PoliceGridID || e.StationID != w.StationID || math.Abs(e.Location[0]-w.Location[0]) > 1e-9 {
			t.Errorf("stored event %+v, returned %+v", e, w)
		}
	}
	page, err := f.st.EventsAfter(ctx, all[1].ID, 2)
	if err != nil || len(page) != 2 || page[0].ID != all[2].ID || page[1].ID != all[3].ID {
		t.Errorf("EventsAfter(%d, 2) = %+v, %v", all[1].ID, page, err)
	}
	if id, err := f.st.LastEventID(ctx); err != nil || id != all[len(all)-1].ID {
		t.Errorf("LastEventID = %d, %v; want %d", id, err, all[len(all)-1].ID)
	}
	if evs := f.events(t, all[len(all)-1].ID); len(evs) != 0 {
		t.Errorf("EventsAfter(last) = %v, want none", evs)
	}
}

// testScopedKeys: the same key from two callers names two batches; within
// one caller's scope a key used again with other pings is a conflict that
// names the key and when it was first used.
func testScopedKeys(t *testing.T, f *patrolFixture) {
	ctx := context.Background()
	o := officer(0, 0)
	const key = "device-M00002-0042"
	record := func(scope string, pings ...geo.Ping) (data.PingResult, error) {
		return f.st.RecordPings(ctx, data.PingBatch{Key: key, Scope: scope, Pings: pings, Rules: f.rules})
	}
	if res, err := record("officer7", f.ping(o, 1, 0, 0)); err != nil || res.Replayed {
		t.Fatalf("the officer's batch: %+v, %v", res, err)
	}
	gateway, err := record("gateway", f.ping(o, 2, 1, 0), f.ping(o, 3, 1, 1))
	if err != nil || gateway.Replayed || len(gateway.Events) == 0 {
		t.Fatalf("the gateway's batch under the officer's key: %+v, %v; want it stored", gateway, err)
	}
	if res, err := record("gateway", f.ping(o, 2, 1, 0), f.ping(o, 3, 1, 1)); err != nil || !res.Replayed {
		t.Errorf("the gateway's batch again: %+v, %v; want a replay", res, err)
	}
	_, err = record("officer7", f.ping(o, 4, 0, 0))
	var me *data.RequestError
	if !errors.Is(err, data.ErrConflict) || !errors.As(err, &me) || !strings.Contains(me.Message, key) || !strings.Contains(me.Message, "first used at") {
		t.Errorf("the officer's key with other pings: %v; want a conflict naming the key and when it was first used", err)
	}
	if got, _ := f.track(t, o, f.t0, f.t0.Add(time.Hour), 100); len(got) != 3 {
		t.Errorf("track holds %d pings, want 3", len(got))
	}
	// Two callers sending one key at once (one group commit, in a store
	// that groups them) both get their batches stored.
	var wg sync.WaitGroup
	results := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.st.RecordPings(ctx, data.PingBatch{Key: "shared-key", Scope: fmt.Sprint("caller", i), Pings: []geo.Ping{f.ping(officer(1, i%2), 10+float64(i), i%2, 0)}, Rules: f.rules})
			if err == nil && res.Replayed {
				err = errors.New("answered as a replay")
			}
			results[i] = err
		}()
	}
	wg.Wait()
	for i, err := range results {
		if err != nil {
			t.Errorf("caller %d of 8 sending the same key at once: %v", i, err)
		}
	}
}

func testDuplicateKey(t *testing.T, f *patrolFixture) {
	o := officer(0, 0)
	first := f.record(t, "batch-1", f.ping(o, 1, 0, 0), f.ping(o, 2, 1, 0))
	if first.Replayed || len(first.Events) == 0 {
		t.Fatalf("first recording: %+v", first)
	}
	again := f.record(t, "batch-1", f.ping(o, 1, 0, 0), f.ping(o, 2, 1, 0))
	if !again.Replayed || len(again.Events) != 0 || len(again.States) != 0 {
		t.Errorf("recording the same key again: %+v, want Replayed and nothing else", again)
	}
	_, err := f.st.RecordPings(context.Background(), data.PingBatch{Key: "batch-1", Pings: []geo.Ping{f.ping(o, 9, 0, 0)}, Rules: f.rules})
	if !errors.Is(err, data.ErrConflict) {
		t.Errorf("the same key with other pings: err %v, want data.ErrConflict", err)
	}
	other := f.record(t, "batch-2", f.ping(o, 3, 1, 1))
	if other.Replayed {
		t.Error("a new key was taken for a replay")
	}
	if got, _ := f.track(t, o, f.t0, f.t0.Add(time.Hour), 100); len(got) != 3 {
		t.Errorf("track holds %d pings, want 3", len(got))
	}
	if evs := f.events(t, 0); len(evs) != len(first.Events)+len(other.Events) {
		t.Errorf("%d events stored, want %d", len(evs), len(first.Events)+len(other.Events))
	}
}

func testLatePing(t *testing.T, f *patrolFixture) {
	o := officer(0, 0)
	f.record(t, "", f.ping(o, 10, 0, 0))
	res := f.record(t, "", f.ping(o, 5, 3, 3))
	if len(res.Events) != 0 || len(res.States) != 0 {
		t.Errorf("a late ping changed things: %+v", res)
	}
	states, _, err := f.st.States(context.Background(), 0)
	if err != nil || len(states) != 1 || !states[0].Last.At.Equal(f.t0.Add(10*time.Second)) {
		t.Errorf("state after a late ping: %+v, %v; want the ping at t0+10s", states, err)
	}
	if got, _ := f.track(t, o, f.t0, f.t0.Add(time.Hour), 10); len(got) != 2 {
		t.Errorf("the late ping is not in the track: %d pings", len(got))
	}
}

func testUnknownValues(t *testing.T, f *patrolFixture) {
	o := officer(0, 0)
	p := f.ping(o, 1, 0, 0)
	p.SpeedMPS, p.HeadingDeg = math.NaN(), math.NaN()
	outside := f.ping(o, 2, 0, 0)
	outside.Location, outside.GridID = orb.Point{100, 30}, ""
	res := f.record(t, "", p, outside)
	got, _ := f.track(t, o, f.t0, f.t0.Add(time.Hour), 10)
	if len(got) != 2 || !samePing(got[0], p) || !samePing(got[1], outside) {
		t.Fatalf("track %+v, want %+v and %+v", got, p, outside)
	}
	if len(res.States) != 1 || res.States[0].Last.GridID != "" || res.States[0].InArea {
		t.Errorf("state after a ping outside every grid: %+v", res.States)
	}
	states, _, _ := f.st.States(context.Background(), 0)
	if len(states) != 1 || !samePing(states[0].Last, outside) {
		t.Errorf("stored state %+v, want the ping outside every grid", states)
	}
}

func testSweepOnce(t *testing.T, f *patrolFixture) {
	ctx := context.Background()
	a, b := officer(0, 0), officer(1, 1)
	f.record(t, "", f.ping(a, 0, 0, 0), f.ping(b, 300, 3, 3))
	now := f.t0.Add(11 * time.Minute) // a is silent, b is not
	var mu sync.Mutex
	var got []patrol.Event
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			evs, err := f.st.SweepSilent(ctx, f.rules, now)
			if err != nil {
				t.Errorf("SweepSilent: %v", err)
			}
			mu.Lock()
			got = append(got, evs...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(got) != 1 || got[0].Kind != patrol.Silent || got[0].Officer != a || !got[0].At.Equal(f.t0.Add(10*time.Minute)) || got[0].ID == 0 {
		t.Fatalf("concurrent sweeps gave %+v, want one silent event of %s at t0+10m", got, a)
	}
	states, _, _ := f.st.States(ctx, 0)
	for _, s := range states {
		if s.Silent != (s.Officer == a) {
			t.Errorf("state %+v: silent should be %v", s, s.Officer == a)
		}
	}
	res := f.record(t, "", f.ping(a, 700, 0, 0))
	if len(res.Events) != 1 || res.Events[0].Kind != patrol.Resumed || res.Events[0].ID <= got[0].ID {
		t.Errorf("the next ping gave %+v, want one resumed event after the silent one", res.Events)
	}
	if evs, err := f.st.SweepSilent(ctx, f.rules, f.t0.Add(12*time.Minute)); err != nil || len(evs) != 0 {
		t.Errorf("a sweep with everyone reporting: %+v, %v", evs, err)
	}
}

// testConcurrentWriters has several writers move the same officers across
// grids at once, each ping once, and checks the events read back follow
// every officer's moves without a duplicate: enters and leaves of a grid
// alternate, and the last state is the latest ping.
func testConcurrentWriters(t *testing.T, f *patrolFixture) {
	officers := []string{officer(0, 0), officer(0, 1), officer(1, 0)}
	const writers, steps = 6, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for s := range steps {
				var batch []geo.Ping
				for k, o := range officers {
					sec := float64(s*writers+w) + float64(k)/10
					batch = append(batch, f.ping(o, sec, (s+w+k)%4, (s*w+k)%4))
				}
				if _, err := f.st.RecordPings(context.Background(), data.PingBatch{Pings: batch, Rules: f.rules}); err != nil {
					t.Errorf("RecordPings: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	evs := f.events(t, 0)
	in := map[string]string{}
	for i, e := range evs {
		if i > 0 && e.ID <= evs[i-1].ID {
			t.Fatalf("event ids not increasing: %d after %d", e.ID, evs[i-1].ID)
		}
		switch e.Kind {
		case patrol.GridEnter:
			if in[e.Officer] != "" {
				t.Fatalf("event %d: %s enters %s while in %s", e.ID, e.Officer, e.GridID, in[e.Officer])
			}
			in[e.Officer] = e.GridID
		case patrol.GridLeave:
			if in[e.Officer] != e.GridID {
				t.Fatalf("event %d: %s leaves %s while in %q", e.ID, e.Officer, e.GridID, in[e.Officer])
			}
			in[e.Officer] = ""
		}
	}
	states, _, err := f.st.States(context.Background(), 0)
	if err != nil || len(states) != len(officers) {
		t.Fatalf("States: %d, %v", len(states), err)
	}
	for _, s := range states {
		latest := f.t0.Add(time.Duration((float64((steps-1)*writers+writers-1) + float64(slices.Index(officers, s.Officer))/10) * float64(time.Second)))
		if !s.Last.At.Equal(latest) || s.Last.GridID != in[s.Officer] {
			t.Errorf("state of %s: at %v in %s; want the latest ping (%v) in %s, where the events left it", s.Officer, s.Last.At, s.Last.GridID, latest, in[s.Officer])
		}
	}
}

func testWatchPatrols(t *testing.T, f *patrolFixture) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := f.st.WatchPatrols(ctx)
	if err != nil {
		t.Fatalf("WatchPatrols: %v", err)
	}
	f.record(t, "", f.ping(officer(0, 0), 1, 0, 0))
	WaitSignal(t, ch, watchTimeout)
	cancel()
	deadline := time.After(watchTimeout)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("watch channel still open after its context ended")
		}
	}
}
