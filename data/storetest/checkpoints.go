package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
)

// WithCheckpoints is WithOverlays with three checkpoints, one per station
// in turn, at grid corners.
func WithCheckpoints() *geo.Dataset {
	ds := WithOverlays()
	for i := range 3 {
		g := ds.Grids[i%len(ds.Grids)]
		ds.Checkpoints = append(ds.Checkpoints, geo.Checkpoint{
			ID: fmt.Sprintf("cp-%d", i), Name: fmt.Sprintf("查控点 %d", i), StationID: ds.Stations[i%len(ds.Stations)].ID,
			Road: fmt.Sprintf("G%d", 40+i), Location: g.Geometry[0][0][0],
		})
	}
	ds.Checkpoints[1].Notes = "24小时"
	return ds
}

func checkpointVersions(ds *geo.Dataset) map[string]int {
	out := map[string]int{}
	for _, c := range ds.Checkpoints {
		out[c.ID] = c.Version
	}
	return out
}

func testCheckpointImport(t *testing.T, open OverlayOpener) {
	ds := WithCheckpoints()
	st := open(t, clone(ds))
	got := snapshot(t, st)
	SameDataset(t, ds, got)
	for id, v := range checkpointVersions(got) {
		if v != 1 {
			t.Errorf("checkpoint %s has version %d after the first import, want 1", id, v)
		}
	}
	next := clone(ds)
	next.Checkpoints[2].Road = "S107"
	next.Checkpoints = next.Checkpoints[1:] // cp-0 leaves
	rep, err := st.Import(context.Background(), clone(next), data.ImportOptions{Actor: "storetest"})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if rep.Checkpoints != 2 {
		t.Errorf("the report counts %d checkpoints, want 2", rep.Checkpoints)
	}
	got = snapshot(t, st)
	SameDataset(t, next, got)
	want := map[string]int{"cp-1": 1, "cp-2": 2}
	if v := checkpointVersions(got); len(v) != 2 || v["cp-1"] != want["cp-1"] || v["cp-2"] != want["cp-2"] {
		t.Errorf("versions after the second import are %v, want %v", v, want)
	}
}

func testCheckpointEdits(t *testing.T, open OverlayOpener) {
	ds := WithCheckpoints()
	st := open(t, clone(ds))
	ctx := context.Background()
	ch := watch(t, st)
	c := geo.Checkpoint{ID: "g40-exit", Name: "沪陕高速蓝田出口", StationID: ds.Stations[0].ID, Road: "G40", Location: ds.Checkpoints[0].Location}
	got, err := st.PutCheckpoint(ctx, data.CheckpointEdit{Checkpoint: c, Create: true, Actor: "storetest"})
	if err != nil || got.Version != 1 {
		t.Fatalf("PutCheckpoint(new) = %+v, %v; want version 1", got, err)
	}
	WaitSignal(t, ch, watchTimeout)
	if _, err := st.PutCheckpoint(ctx, data.CheckpointEdit{Checkpoint: c, Create: true}); !errors.Is(err, data.ErrConflict) {
		t.Errorf("creating it again: err = %v, want ErrConflict", err)
	}
	c.Notes = "节假日加岗"
	c.Location[0] += 1e-3
	if got, err = st.PutCheckpoint(ctx, data.CheckpointEdit{Checkpoint: c, BaseVersion: 1}); err != nil || got.Version != 2 {
		t.Fatalf("PutCheckpoint(changed) = %+v, %v; want version 2", got, err)
	}
	WaitSignal(t, ch, watchTimeout)
	if got, err = st.PutCheckpoint(ctx, data.CheckpointEdit{Checkpoint: c}); err != nil || got.Version != 2 {
		t.Errorf("PutCheckpoint(same) = version %d, %v; want 2 kept", got.Version, err)
	}
	if _, err := st.PutCheckpoint(ctx, data.CheckpointEdit{Checkpoint: c, BaseVersion: 1}); !errors.Is(err, data.ErrConflict) {
		t.Errorf("an edit against version 1 when 2 is in force: err = %v, want ErrConflict", err)
	}
	if err := st.DeleteCheckpoint(ctx, data.OverlayDelete{ID: ds.Checkpoints[0].ID, BaseVersion: 1, Actor: "storetest"}); err != nil {
		t.Fatalf("DeleteCheckpoint: %v", err)
	}
	WaitSignal(t, ch, watchTimeout)
	if err := st.DeleteCheckpoint(ctx, data.OverlayDelete{ID: ds.Checkpoints[0].ID}); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("deleting it again: err = %v, want ErrNotFound", err)
	}
	want := clone(ds)
	c.Version = 2
	want.Checkpoints = append(want.Checkpoints[1:], c)
	got2 := snapshot(t, st)
	SameDataset(t, want, got2)
	if v := checkpointVersions(got2); v["g40-exit"] != 2 {
		t.Errorf("the snapshot holds g40-exit at version %d, want 2", v["g40-exit"])
	}
}

func testCheckpointInvalid(t *testing.T, open OverlayOpener) {
	ds := WithCheckpoints()
	st := open(t, clone(ds))
	ctx := context.Background()
	ch := watch(t, st)
	c := ds.Checkpoints[0]
	c.StationID = "nowhere"
	c.Location = orb.Point{190, 0}
	_, err := st.PutCheckpoint(ctx, data.CheckpointEdit{Checkpoint: c})
	var verr *data.ValidationError
	if !errors.As(err, &verr) || !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("a checkpoint of an unknown station off the globe: err = %v, want a *data.ValidationError", err)
	}
	seen := map[geo.ProblemCode]bool{}
	for _, p := range verr.Problems {
		if p.Kind == "checkpoint" && p.ID == c.ID {
			seen[p.Code] = true
		}
	}
	if !seen[geo.ProblemUnknownReference] || !seen[geo.ProblemNotLonLat] {
		t.Errorf("problems %v do not name checkpoint %s's station and location", verr.Problems, c.ID)
	}
	c = ds.Checkpoints[0]
	c.ID = ""
	if _, err := st.PutCheckpoint(ctx, data.CheckpointEdit{Checkpoint: c}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("a checkpoint without an id: err = %v, want ErrInvalid", err)
	}
	bad := clone(ds)
	bad.Checkpoints[1].StationID = "nowhere"
	if _, err := st.Import(ctx, bad, data.ImportOptions{}); !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "checkpoint") {
		t.Errorf("an import with a checkpoint of an unknown station: err = %v, want ErrInvalid naming it", err)
	}
	SameDataset(t, ds, snapshot(t, st))
	expectQuiet(t, ch)
}
