package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"jingge/data"
	"jingge/geo"
)

// gridWatcher returns st as a data.GridWatcher. The interface is
// optional (a follower of a store without it reads whole snapshots), so a
// store without it skips the cases; both stores offer it, and their own
// tests assert that they do.
func gridWatcher(t *testing.T, st Store) data.GridWatcher {
	t.Helper()
	gw, ok := st.(data.GridWatcher)
	if !ok {
		t.Skipf("%T does not offer data.GridWatcher", st)
	}
	return gw
}

// nextGridChange returns the next value of ch, failing t unless one comes
// within watchTimeout.
func nextGridChange(t *testing.T, ch <-chan []string) []string {
	t.Helper()
	select {
	case ids, ok := <-ch:
		if !ok {
			t.Fatal("grid watch channel closed before a change arrived")
		}
		return ids
	case <-time.After(watchTimeout):
		t.Fatalf("no grid change within %v", watchTimeout)
	}
	return nil
}

// testGridWatchNamesEdit checks that an edit names its grid to WatchGrids
// and an import names nothing (anything may have changed).
func testGridWatchNamesEdit(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := gridWatcher(t, st).WatchGrids(ctx)
	if err != nil {
		t.Fatalf("WatchGrids: %v", err)
	}
	g := firstCommunity(ds)
	g.Population += 5
	if _, err := st.EditGrid(context.Background(), data.GridEdit{Grid: g, Actor: "storetest", Reason: "census"}); err != nil {
		t.Fatalf("EditGrid: %v", err)
	}
	if got := nextGridChange(t, ch); !slices.Equal(got, []string{g.ID}) {
		t.Fatalf("an edit of %s sent %q, want just its id", g.ID, got)
	}
	next, _, _ := Changed(ds)
	if _, err := st.Import(context.Background(), clone(next), data.ImportOptions{Actor: "storetest"}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	if got := nextGridChange(t, ch); got != nil {
		t.Fatalf("an import sent %q, want nil (anything may have changed)", got)
	}
	cancel()
	for range ch { // closed once ctx ends
	}
}

// testGridsNow checks that GridsNow reads the grids in force, in the order
// asked, leaving out ids without one, as copies.
func testGridsNow(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	gw := gridWatcher(t, st)
	g := firstCommunity(ds)
	g.Name = "renamed now"
	if _, err := st.EditGrid(context.Background(), data.GridEdit{Grid: g, Actor: "storetest"}); err != nil {
		t.Fatalf("EditGrid: %v", err)
	}
	last := ds.Grids[len(ds.Grids)-1].ID
	got, err := gw.GridsNow(context.Background(), []string{last, "no such grid", g.ID})
	if err != nil {
		t.Fatalf("GridsNow: %v", err)
	}
	snap := snapshot(t, st)
	want := []geo.Grid{*gridByID(snap, last), *gridByID(snap, g.ID)}
	if len(got) != len(want) {
		t.Fatalf("GridsNow gave %d grids, want %d (%s, %s)", len(got), len(want), last, g.ID)
	}
	for k := range want {
		if got[k].ID != want[k].ID || got[k].Name != want[k].Name || got[k].Level != want[k].Level ||
			got[k].StationID != want[k].StationID || got[k].ParentID != want[k].ParentID || got[k].Population != want[k].Population ||
			got[k].Terrain != want[k].Terrain || got[k].Township != want[k].Township || !got[k].Geometry.Equal(want[k].Geometry) {
			t.Fatalf("GridsNow[%d] = %+v, want the snapshot's %+v", k, got[k], want[k])
		}
	}
	got[0].Geometry[0][0][0][0] += 1
	again, err := gw.GridsNow(context.Background(), []string{last})
	if err != nil {
		t.Fatalf("GridsNow: %v", err)
	}
	if !again[0].Geometry.Equal(want[0].Geometry) {
		t.Fatal("changing what GridsNow returned changed the store")
	}
}
