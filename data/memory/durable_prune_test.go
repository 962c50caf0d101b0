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
	"jingge/geo/patrol"
)

// Prune removes old incident batch keys and positions, as PostGIS's prune
// does, and the removal outlives a restart; a dry run removes nothing.
// Incidents stay.
func TestDurablePruneRemovesOldKeysAndPings(t *testing.T) {
	ds := storetest.Small()
	dir := t.TempDir()
	ctx := context.Background()
	d, err := memory.OpenDir(dir, memory.DirOptions{Seed: seedWith(ds)})
	if err != nil {
		t.Fatal(err)
	}
	incidents := storetest.RandomIncidents(3, 2, storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound(), time.Now())
	batch := storetest.Attribute(t, d, incidents)
	batch.Scope, batch.Key = "console-7", "k-1"
	first, err := d.AddIncidents(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	g := ds.Grids[0]
	g.Name = "renamed under a key"
	edit := data.GridEdit{Grid: g, Key: &data.AnswerKey{Scope: "console-7", Key: "edit-1", Digest: []byte("rename")},
		Answer: func(data.GridVersion) data.Answer { return data.Answer{Status: 200, Body: []byte("{}")} }}
	if _, err := d.EditGrid(ctx, edit); err != nil {
		t.Fatal(err)
	}
	ix, _ := geo.NewIndex(ds)
	rules := patrol.NewRules(ix, patrol.Options{})
	t0 := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	recordPing(t, d, rules, "m-P0-0", t0, ds.Grids[0])
	recordPing(t, d, rules, "m-P0-0", t0.Add(50*time.Minute), ds.Grids[0])

	// Cutoffs after the key and the first ping, before the second ping.
	o := memory.PruneOptions{PingsBefore: t0.Add(time.Minute), IncidentKeysBefore: time.Now().Add(time.Hour), DryRun: true}
	got, err := d.Prune(ctx, o)
	if want := (memory.Pruned{Pings: 1, IncidentKeys: 1, AnswerKeys: 1}); err != nil || got != want {
		t.Fatalf("dry run: %+v, %v; want %+v", got, err, want)
	}
	if res, err := d.AddIncidents(ctx, batch); err != nil || !res.Replayed {
		t.Fatalf("after a dry run the key still answers a retry as a replay: %+v, %v", res, err)
	}
	o.DryRun = false
	if _, err := d.EditGrid(ctx, edit); !isReplay(err) {
		t.Fatalf("after a dry run the edit's key still answers a retry as a replay: %v", err)
	}
	if got, err := d.Prune(ctx, o); err != nil || got.IncidentKeys != 1 || got.Pings != 1 || got.AnswerKeys != 1 {
		t.Fatalf("prune: %+v, %v", got, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d = openDurable(t, dir, memory.DirOptions{})
	for _, id := range first.IDs {
		if _, err := d.Incident(ctx, id); err != nil {
			t.Errorf("incident %s after the prune: %v", id, err)
		}
	}
	track, _, err := d.Patrols.Track(ctx, "m-P0-0", t0.Add(-time.Hour), t0.Add(time.Hour), -1)
	if err != nil || len(track) != 1 || !track[0].At.Equal(t0.Add(50*time.Minute)) {
		t.Errorf("after the prune and a restart the track holds %+v, %v; want only the ping after the cutoff", track, err)
	}
	if _, err := d.Answered(ctx, *edit.Key); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("the edit's key after the prune and a restart: %v, want it gone", err)
	}
	// The key is gone: the same batch is a new one, as in PostGIS.
	res, err := d.AddIncidents(ctx, batch)
	if err != nil || res.Replayed {
		t.Errorf("a batch under a pruned key: %+v, %v; want it stored anew", res, err)
	}
	if got, err := d.Prune(ctx, memory.PruneOptions{IncidentKeysBefore: time.Now().Add(-time.Hour)}); err != nil || got.IncidentKeys != 0 {
		t.Errorf("a key newer than the cutoff was pruned: %+v, %v", got, err)
	}
	if res, err := d.AddIncidents(ctx, batch); err != nil || !res.Replayed {
		t.Errorf("a key newer than the cutoff answers a retry as a replay: %+v, %v", res, err)
	}
}

func isReplay(err error) bool {
	_, ok := data.AsReplay(err)
	return ok
}
