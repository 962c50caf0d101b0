package postgis_test

import (
	"context"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

// acrossServers is how fast a change must reach another server's watcher.
const acrossServers = time.Second

func watchCh(t *testing.T, st interface {
	Watch(context.Context) (<-chan struct{}, error)
}) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := st.Watch(ctx)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	return ch
}

func quiet(t *testing.T, ch <-chan struct{}, why string) {
	t.Helper()
	select {
	case <-ch:
		t.Errorf("watcher woken: %s", why)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestWatchSeesOtherServersAndSQLClients(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	a := postgistest.MustOpenURL(t, dbURL)
	b := postgistest.MustOpenURL(t, dbURL)
	other := postgistest.MustOpen(t) // another schema of the same database
	ctx := context.Background()
	ds := storetest.Small()
	if _, err := a.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	chB, chOther := watchCh(t, b), watchCh(t, other)

	g := *grid(t, ds, "C0-0")
	g.Name = "renamed on server a"
	if _, err := a.EditGrid(ctx, data.GridEdit{Grid: g}); err != nil {
		t.Fatal(err)
	}
	storetest.WaitSignal(t, chB, acrossServers)
	snap, err := b.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if grid(t, snap, "C0-0").Name != g.Name {
		t.Errorf("server b reads %q after the signal", grid(t, snap, "C0-0").Name)
	}

	next, _, _ := storetest.Changed(ds)
	if _, err := a.Import(ctx, next, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	storetest.WaitSignal(t, chB, acrossServers)

	if _, err := sqlConn(t, dbURL).Exec(ctx, "update stations set phone = '110' where id = 's01'"); err != nil {
		t.Fatal(err)
	}
	storetest.WaitSignal(t, chB, acrossServers)
	quiet(t, chOther, "a change in another schema")
}

func TestWatchReconnects(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	ds := storetest.Small()
	if _, err := st.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ch := watchCh(t, st)
	conn := sqlConn(t, dbURL)
	var killed bool
	err := conn.QueryRow(ctx, "select coalesce(bool_and(pg_terminate_backend(pid)), false) from pg_stat_activity where application_name = $1",
		"jingge-listen:"+st.Schema()).Scan(&killed)
	if err != nil || !killed {
		t.Fatalf("terminating the listener: %v, %v", killed, err)
	}
	// After reconnecting the store wakes its watchers, as changes may have
	// been missed; then it hears changes again.
	storetest.WaitSignal(t, ch, 5*time.Second)
	g := *grid(t, ds, "C0-0")
	g.Population++
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: g}); err != nil {
		t.Fatal(err)
	}
	storetest.WaitSignal(t, ch, acrossServers)
}

func TestCloseEndsWatches(t *testing.T) {
	st := postgistest.MustOpen(t)
	ch := watchCh(t, st)
	st.Close()
	select {
	case _, ok := <-ch:
		if ok {
			<-ch
		}
	case <-time.After(2 * time.Second):
		t.Fatal("watch channel open after Close")
	}
	if _, err := st.Watch(context.Background()); err == nil {
		t.Error("Watch after Close succeeded")
	}
}

// TestWatchIncidentsAcrossServers: a batch of incidents committed through
// one server wakes the incident watchers of the others, not its own; a
// lost listener connection wakes them too.
func TestWatchIncidentsAcrossServers(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	a := postgistest.MustOpenURL(t, dbURL)
	b := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	ds := storetest.Small()
	if _, err := a.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	watch := func(st *postgis.Store) <-chan struct{} {
		wctx, cancel := context.WithCancel(ctx)
		t.Cleanup(cancel)
		ch, err := st.WatchIncidents(wctx)
		if err != nil {
			t.Fatalf("WatchIncidents: %v", err)
		}
		return ch
	}
	chA, chB, grids := watch(a), watch(b), watchCh(t, b)
	bound := storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound() // Small's
	storetest.AddIncidents(t, a, storetest.RandomIncidents(1, 3, bound, time.Now()))
	storetest.WaitSignal(t, chB, acrossServers)
	quiet(t, chA, "the server's own batch")
	quiet(t, grids, "incidents are not a change of the dataset")

	var killed bool
	err := sqlConn(t, dbURL).QueryRow(ctx, "select coalesce(bool_and(pg_terminate_backend(pid)), false) from pg_stat_activity where application_name = $1",
		"jingge-listen:"+b.Schema()).Scan(&killed)
	if err != nil || !killed {
		t.Fatalf("terminating the listener: %v, %v", killed, err)
	}
	storetest.WaitSignal(t, chB, 5*time.Second)
}
