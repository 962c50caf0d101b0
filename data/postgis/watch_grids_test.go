package postgis_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

// nextGrids returns the next change WatchGrids sends, failing t unless one
// comes within acrossServers.
func nextGrids(t *testing.T, ch <-chan []string) []string {
	t.Helper()
	select {
	case ids, ok := <-ch:
		if !ok {
			t.Fatal("grid watch closed")
		}
		return ids
	case <-time.After(acrossServers):
		t.Fatalf("no change within %v", acrossServers)
	}
	return nil
}

// TestWatchGridsAcrossServers: another server's grid edit names its grid;
// the bare schema, which servers before migration 18 and SQL clients send,
// and a change to another table mean anything changed.
func TestWatchGridsAcrossServers(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	a := postgistest.MustOpenURL(t, dbURL)
	b := postgistest.MustOpenURL(t, dbURL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ds := storetest.Small()
	if _, err := a.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ch, err := b.WatchGrids(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g := *grid(t, ds, "C0-0")
	g.Name = "renamed on server a"
	if _, err := a.EditGrid(ctx, data.GridEdit{Grid: g}); err != nil {
		t.Fatal(err)
	}
	if got := nextGrids(t, ch); !slices.Equal(got, []string{"C0-0"}) {
		t.Fatalf("an edit on server a sent %q to server b, want [C0-0]", got)
	}
	conn := sqlConn(t, dbURL)
	if _, err := conn.Exec(ctx, "select pg_notify('jingge_dataset', $1)", a.Schema()); err != nil {
		t.Fatal(err)
	}
	if got := nextGrids(t, ch); got != nil {
		t.Fatalf("the bare schema sent %q, want nil", got)
	}
	if _, err := conn.Exec(ctx, "update stations set phone = '110' where id = 's01'"); err != nil {
		t.Fatal(err)
	}
	if got := nextGrids(t, ch); got != nil {
		t.Fatalf("a station's change sent %q, want nil", got)
	}
	got, err := b.GridsNow(ctx, []string{"C0-0"})
	if err != nil || len(got) != 1 || got[0].Name != g.Name {
		t.Fatalf("GridsNow on server b = %+v, %v; want the edit", got, err)
	}
}
