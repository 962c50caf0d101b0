package memory_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/patrol"
)

// eventsFixture is a data directory with the small test set and one
// officer's first ping recorded (and settled) in the last grid.
type eventsFixture struct {
	ds    *geo.Dataset
	rules *patrol.Rules
	t0    time.Time
}

func newEventsFixture(t *testing.T, dir string) (*memory.Durable, eventsFixture) {
	t.Helper()
	ds := storetest.Small()
	d := openDurable(t, dir, memory.DirOptions{Seed: seedWith(ds)})
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	f := eventsFixture{ds: ds, rules: patrol.NewRules(ix, patrol.Options{}), t0: time.Now().Add(-time.Minute).Truncate(time.Millisecond)}
	recordPing(t, d, f.rules, "m-P0-0", f.t0, ds.Grids[len(ds.Grids)-1])
	return d, f
}

// pingBatch is one ping of officer in grid g at at.
func (f eventsFixture) pingBatch(officer string, at time.Time, g geo.Grid) data.PingBatch {
	p := geo.Ping{OfficerID: officer, At: at, Location: g.Geometry.Bound().Center(), SpeedMPS: 1}
	p.GridID = patrol.GridAt(f.rules.Index(), p.Location)
	return data.PingBatch{Pings: []geo.Ping{p}, Rules: f.rules}
}

type pingOutcome struct {
	res data.PingResult
	err error
}

// recordHeld records b in the background and returns once its write is
// held before waiting for the disk.
func recordHeld(t *testing.T, d *memory.Durable, b data.PingBatch) (<-chan pingOutcome, func()) {
	t.Helper()
	held, release := d.HoldNextSettle()
	t.Cleanup(release)
	done := make(chan pingOutcome, 1)
	go func() {
		res, err := d.Patrols.RecordPings(context.Background(), b)
		done <- pingOutcome{res, err}
	}()
	select {
	case <-held:
	case out := <-done:
		t.Fatalf("the batch returned (%v) without waiting for its record", out.err)
	case <-time.After(time.Minute):
		t.Fatal("the batch never reached its wait for the disk")
	}
	return done, release
}

// A ping batch's events are not shown, and watchers not woken, while its
// journal record may still be lost; they are once it settled.
func TestDurableShowsEventsOnceOnDisk(t *testing.T) {
	d, f := newEventsFixture(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before, err := d.Patrols.LastEventID(ctx)
	if err != nil || before == 0 {
		t.Fatalf("LastEventID after the first ping: %d, %v; want its events", before, err)
	}
	watch, err := d.Patrols.WatchPatrols(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done, release := recordHeld(t, d, f.pingBatch("m-P0-0", f.t0.Add(time.Second), f.ds.Grids[0]))
	if id, err := d.Patrols.LastEventID(ctx); err != nil || id != before {
		t.Errorf("LastEventID while the batch's record is not on disk: %d, %v; want %d", id, err, before)
	}
	if evs, err := d.Patrols.EventsAfter(ctx, before, 100); err != nil || len(evs) != 0 {
		t.Errorf("EventsAfter(%d) while the batch's record is not on disk: %v, %v; want none", before, evs, err)
	}
	if evs, err := d.Patrols.EventsAfter(ctx, 0, 100); err != nil || len(evs) == 0 || evs[len(evs)-1].ID != before {
		t.Errorf("EventsAfter(0) while the batch's record is not on disk: %v, %v; want up to %d", evs, err, before)
	}
	select {
	case <-watch:
		t.Error("a watcher was woken before the batch's record was on disk")
	default:
	}
	release()
	out := <-done
	if out.err != nil || len(out.res.Events) == 0 {
		t.Fatalf("the batch: %+v, %v; want events", out.res, out.err)
	}
	last := out.res.Events[len(out.res.Events)-1].ID
	if id, _ := d.Patrols.LastEventID(ctx); id != last {
		t.Errorf("LastEventID once the batch settled: %d, want %d", id, last)
	}
	if evs, _ := d.Patrols.EventsAfter(ctx, before, 100); len(evs) != len(out.res.Events) {
		t.Errorf("EventsAfter(%d) once the batch settled: %v, want %v", before, evs, out.res.Events)
	}
	select {
	case <-watch:
	case <-time.After(time.Minute):
		t.Error("no watcher was woken once the batch's record was on disk")
	}
}

// A crash before a batch's record reaches the disk loses the batch (it
// was never acknowledged) and frees its event ids for the next events. No
// reader may have been shown those ids: a client resuming after one would
// skip the new event that has it.
func TestDurableCrashReusesNoShownEventID(t *testing.T) {
	src := t.TempDir()
	d, f := newEventsFixture(t, src)
	ctx := context.Background()
	journal := newestJournal(t, src)
	fi, err := os.Stat(journal)
	if err != nil {
		t.Fatal(err)
	}
	onDisk := int(fi.Size()) // every write so far settled
	done, release := recordHeld(t, d, f.pingBatch("m-P0-0", f.t0.Add(time.Second), f.ds.Grids[0]))
	shown := map[int64]patrol.Event{}
	evs, err := d.Patrols.EventsAfter(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		shown[e.ID] = e
	}
	lastShown, err := d.Patrols.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The directory as a crash before the batch's fsync may leave it.
	crashed := t.TempDir()
	cutCopy(t, src, crashed, journal, onDisk)
	release()
	if out := <-done; out.err != nil || len(out.res.Events) == 0 {
		t.Fatalf("the held batch: %+v, %v; want events", out.res, out.err)
	}
	d.Close()

	c := openDurable(t, crashed, memory.DirOptions{})
	res, err := c.Patrols.RecordPings(ctx, f.pingBatch("m-P0-0", f.t0.Add(2*time.Second), f.ds.Grids[1]))
	if err != nil || len(res.Events) == 0 {
		t.Fatalf("a batch after the restart: %+v, %v; want events", res, err)
	}
	for _, e := range res.Events {
		if e.ID <= lastShown {
			t.Errorf("event %d (%s) after the restart has an id shown before the crash (LastEventID %d, that event %+v)", e.ID, e.Kind, lastShown, shown[e.ID])
		}
	}
	after, err := c.Patrols.EventsAfter(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[int64]patrol.Event{}
	for _, e := range after {
		kept[e.ID] = e
	}
	for id, e := range shown {
		if k, ok := kept[id]; !ok || k.Kind != e.Kind || k.Officer != e.Officer || !k.At.Equal(e.At) {
			t.Errorf("event %d was shown before the crash as %+v and reads after it as %+v", id, e, k)
		}
	}
}

// A batch whose record cannot be stored is refused, and its events, made
// in memory, are never shown: a restart would give their ids to others.
func TestDurableFailedBatchShowsNoEvents(t *testing.T) {
	d, f := newEventsFixture(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before, err := d.Patrols.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	watch, err := d.Patrols.WatchPatrols(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d.FailJournal()
	if _, err := d.Patrols.RecordPings(ctx, f.pingBatch("m-P0-0", f.t0.Add(time.Second), f.ds.Grids[0])); !errors.Is(err, data.ErrUnavailable) {
		t.Fatalf("a batch the directory cannot store: %v, want ErrUnavailable", err)
	}
	if id, err := d.Patrols.LastEventID(ctx); err != nil || id != before {
		t.Errorf("LastEventID after the refused batch: %d, %v; want %d", id, err, before)
	}
	if evs, err := d.Patrols.EventsAfter(ctx, before, 100); err != nil || len(evs) != 0 {
		t.Errorf("EventsAfter(%d) after the refused batch: %v, %v; want none", before, evs, err)
	}
	select {
	case <-watch:
		t.Error("a watcher was woken by a batch that was not stored")
	default:
	}
}
