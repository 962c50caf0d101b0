package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestOpenStoreTwoServersSeeEachOthersChanges opens the PostGIS store twice
// on one database, as two servers would: an edit or import through one
// wakes the other's watcher within a second.
func TestOpenStoreTwoServersSeeEachOthersChanges(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ctx := context.Background()
	a, err := openStore(ctx, dbURL, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := openStore(ctx, dbURL, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ds := storetest.Small()
	if _, err := a.(data.Importer).Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := b.Watch(wctx)
	if err != nil {
		t.Fatal(err)
	}
	g := ds.Grids[1]
	g.Name = "edited on server a"
	start := time.Now()
	if _, err := a.(data.GridEditor).EditGrid(ctx, data.GridEdit{Grid: g, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	storetest.WaitSignal(t, ch, time.Second)
	t.Logf("edit on a reached b's watcher in %v", time.Since(start))
	next, _, _ := storetest.Changed(ds)
	if _, err := a.(data.Importer).Import(ctx, next, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	storetest.WaitSignal(t, ch, time.Second)
	snap, err := b.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.SameDataset(t, next, snap)
}

func TestOpenStoreUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := openStore(ctx, "postgres://jingge@127.0.0.1:1/jingge?connect_timeout=2", quietLogger())
	if !errors.Is(err, data.ErrUnavailable) {
		t.Errorf("err = %v, want data.ErrUnavailable", err)
	}
}
