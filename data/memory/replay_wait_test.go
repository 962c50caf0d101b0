package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
)

// keyedWrite sends one keyed write and reports whether the store answered
// it as a replay of an earlier one.
type keyedWrite func(context.Context) (replayed bool, err error)

// replayCase builds, on a store with the small test set, a write under an
// idempotency key and its retry (the same write, or another way of asking
// for its answer).
type replayCase struct {
	name  string
	build func(t *testing.T, d *memory.Durable, f eventsFixture) (write, retry keyedWrite)
}

// answerReplay reads the outcome of a write whose replay is an error (a
// data.Replay of the kept answer).
func answerReplay(err error) (bool, error) {
	if isReplay(err) {
		return true, nil
	}
	return false, err
}

var replayCases = []replayCase{
	{"ping batch", func(t *testing.T, d *memory.Durable, f eventsFixture) (keyedWrite, keyedWrite) {
		b := f.pingBatch("m-P0-0", f.t0.Add(time.Second), f.ds.Grids[0])
		b.Scope, b.Key = "gateway", "pings-1"
		w := func(ctx context.Context) (bool, error) {
			res, err := d.Patrols.RecordPings(ctx, b)
			return res.Replayed, err
		}
		return w, w
	}},
	{"incident batch", func(t *testing.T, d *memory.Durable, f eventsFixture) (keyedWrite, keyedWrite) {
		incidents := storetest.RandomIncidents(3, 2, storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound(), time.Now())
		b := storetest.Attribute(t, d, incidents)
		b.Scope, b.Key = "console-7", "incidents-1"
		w := func(ctx context.Context) (bool, error) {
			res, err := d.AddIncidents(ctx, b)
			return res.Replayed, err
		}
		return w, w
	}},
	{"visit", func(t *testing.T, d *memory.Durable, f eventsFixture) (keyedWrite, keyedWrite) {
		g := f.ds.Grids[0]
		v := geo.Visit{OfficerID: "m-P0-0", At: f.t0, Location: g.Geometry.Bound().Center(), Kind: geo.VisitKinds[0],
			Outcome: "了解情况", RecordedBy: "u-officer", PoliceGridID: g.ID, StationID: g.StationID}
		w := func(ctx context.Context) (bool, error) {
			res, err := d.AddVisit(ctx, data.VisitWrite{Visit: v, Scope: "officer-1", Key: "visit-1"})
			return res.Replayed, err
		}
		return w, w
	}},
	{"grid edit", func(t *testing.T, d *memory.Durable, f eventsFixture) (keyedWrite, keyedWrite) {
		w := func(ctx context.Context) (bool, error) {
			_, err := d.EditGrid(ctx, gridEditUnderKey(f))
			return answerReplay(err)
		}
		return w, w
	}},
	{"task change", func(t *testing.T, d *memory.Durable, f eventsFixture) (keyedWrite, keyedWrite) {
		g := f.ds.Grids[0]
		task, err := d.AddTask(context.Background(), data.TaskWrite{Task: geo.Task{StationID: g.StationID, GridID: g.ID,
			Title: "走访重点人员", Due: f.t0.Add(time.Hour), RecordedBy: "u-planner"}})
		if err != nil {
			t.Fatalf("AddTask: %v", err)
		}
		p := data.TaskPatch{DoneAt: f.t0, By: "alice", Key: &data.AnswerKey{Scope: "alice", Key: "done-1", Digest: []byte("done")},
			Answer: func(geo.Task) data.Answer { return data.Answer{Status: 200, Body: []byte("{}")} }}
		w := func(ctx context.Context) (bool, error) {
			_, err := d.UpdateTask(ctx, task.Task.ID, p)
			return answerReplay(err)
		}
		return w, w
	}},
	{"grid edit's kept answer looked up", func(t *testing.T, d *memory.Durable, f eventsFixture) (keyedWrite, keyedWrite) {
		e := gridEditUnderKey(f)
		write := func(ctx context.Context) (bool, error) {
			_, err := d.EditGrid(ctx, e)
			return answerReplay(err)
		}
		lookUp := func(ctx context.Context) (bool, error) {
			_, err := d.Answered(ctx, *e.Key)
			return err == nil, err
		}
		return write, lookUp
	}},
}

// gridEditUnderKey renames the first grid under an idempotency key.
func gridEditUnderKey(f eventsFixture) data.GridEdit {
	g := f.ds.Grids[0]
	g.Name = "renamed under a key"
	return data.GridEdit{Grid: g, Key: &data.AnswerKey{Scope: "console-7", Key: "edit-1", Digest: []byte("rename")},
		Answer: func(data.GridVersion) data.Answer { return data.Answer{Status: 200, Body: []byte("{}")} }}
}

type keyedOutcome struct {
	replayed bool
	err      error
}

// goWrite runs w in the background.
func goWrite(w keyedWrite) <-chan keyedOutcome {
	done := make(chan keyedOutcome, 1)
	go func() {
		replayed, err := w(context.Background())
		done <- keyedOutcome{replayed, err}
	}()
	return done
}

// A retry under the key of a write still waiting for the disk (the
// client gave up on it, or sent it twice at once) waits for that write's
// record as the write does: it is acknowledged only once a crash can no
// longer take the write back.
func TestDurableReplayWaitsForFirstOnDisk(t *testing.T) {
	for _, c := range replayCases {
		t.Run(c.name, func(t *testing.T) {
			d, f := newEventsFixture(t, t.TempDir())
			write, retry := c.build(t, d, f)
			arrived := d.SettleArrivals()
			release := d.HoldDisk()
			t.Cleanup(release)
			first := goWrite(write)
			select {
			case <-arrived:
			case out := <-first:
				t.Fatalf("the first attempt returned (%+v) while its record was held off the disk", out)
			case <-time.After(time.Minute):
				t.Fatal("the first attempt never reached its wait for the disk")
			}
			second := goWrite(retry)
			select {
			case <-arrived:
			case out := <-second:
				t.Fatalf("the retry returned (%+v) while the first attempt's record was not on disk", out)
			case <-time.After(time.Minute):
				t.Fatal("the retry neither returned nor waited for the disk")
			}
			select {
			case out := <-second:
				t.Fatalf("the retry returned (%+v) while the first attempt's record was not on disk", out)
			case out := <-first:
				t.Fatalf("the first attempt returned (%+v) while its record was not on disk", out)
			default:
			}
			release()
			for _, w := range []struct {
				name     string
				done     <-chan keyedOutcome
				replayed bool
			}{{"the first attempt", first, false}, {"the retry", second, true}} {
				select {
				case out := <-w.done:
					if out.err != nil || out.replayed != w.replayed {
						t.Errorf("%s once on disk: %+v, want no error and replayed %v", w.name, out, w.replayed)
					}
				case <-time.After(time.Minute):
					t.Fatalf("%s never returned once the disk had its record", w.name)
				}
			}
		})
	}
}

// A retry under the key of a write the data directory refused is refused
// too, as the write was: the change it would replay is in memory only.
func TestDurableReplayOfRefusedWriteFails(t *testing.T) {
	for _, c := range replayCases {
		t.Run(c.name, func(t *testing.T) {
			d, f := newEventsFixture(t, t.TempDir())
			write, retry := c.build(t, d, f)
			d.FailJournal()
			ctx := context.Background()
			if replayed, err := write(ctx); !errors.Is(err, data.ErrUnavailable) {
				t.Fatalf("a write the directory cannot store: replayed %v, %v; want ErrUnavailable", replayed, err)
			}
			if replayed, err := retry(ctx); !errors.Is(err, data.ErrUnavailable) {
				t.Fatalf("its retry: replayed %v, %v; want ErrUnavailable, as the write it would replay", replayed, err)
			}
		})
	}
}
