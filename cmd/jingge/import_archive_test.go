package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/patrol"
)

// The history a data directory keeps in its archive, beyond every memory
// window, is counted by prune --data-dir and moved by import --data-dir
// like the rest.
func TestImportAndPruneDataDirWithAnArchive(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	ds := storetest.Small()
	windows := memory.DirOptions{AuditCapacity: 5, Patrols: memory.PatrolOptions{MaxEvents: 5, MaxPingsPerOfficer: 5}, Seed: func(d *memory.Durable) error {
		_, err := d.Import(ctx, ds, data.ImportOptions{})
		return err
	}}
	d, err := memory.OpenDir(dir, windows)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	rules := patrol.NewRules(ix, patrol.Options{})
	now := time.Now().Truncate(time.Millisecond).UTC()
	old := now.Add(-40 * 24 * time.Hour)
	var events int
	for _, start := range []time.Time{old, now.Add(-time.Hour)} {
		var batch []geo.Ping
		for i := range 20 {
			g, _ := ix.Grid(fmt.Sprintf("C%d-0", i%2))
			p := geo.Ping{OfficerID: "m-P0-0", At: start.Add(time.Duration(i) * time.Second), Location: g.Geometry.Bound().Center()}
			p.GridID = patrol.GridAt(ix, p.Location)
			batch = append(batch, p)
		}
		res, err := d.Patrols.RecordPings(ctx, data.PingBatch{Pings: batch, Rules: rules})
		if err != nil {
			t.Fatal(err)
		}
		events += len(res.Events)
	}
	var entries []data.AuditEntry
	for i := range 30 {
		entries = append(entries, data.AuditEntry{At: old.Add(time.Duration(i) * time.Second), Actor: "a", Action: "lookupPoint", RequestID: fmt.Sprintf("r%d", i)})
	}
	if err := d.Auth.AppendAudit(ctx, entries); err != nil {
		t.Fatal(err)
	}
	if err := d.Compact(); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if n, _ := filepath.Glob(filepath.Join(dir, "archive", "*.seg")); len(n) != 3 {
		t.Fatalf("segments %v, want pings, events and audit archived", n)
	}

	var out bytes.Buffer
	if err := runPrune(ctx, []string{"--data-dir", dir, "--keep-pings-days", "30", "--dry-run"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "would remove 20 positions") {
		t.Fatalf("prune --dry-run: %v, said %q; want the 20 archived pings of 40 days ago", err, out.String())
	}
	if err := importCommand(ctx, []string{"--data-dir", dir, "--db", dbURL}, io.Discard, io.Discard, openStore); err != nil {
		t.Fatalf("import --data-dir: %v", err)
	}
	st := postgistest.MustOpenURL(t, dbURL)
	pt := postgis.NewPatrols(st, postgis.PatrolOptions{})
	defer pt.Close()
	if got, _, err := pt.Track(ctx, "m-P0-0", old, old.Add(time.Hour), -1); err != nil || len(got) != 20 {
		t.Errorf("the archived day in PostGIS: %d pings, %v; want 20", len(got), err)
	}
	if got, err := pt.EventsAfter(ctx, 0, 1000); err != nil || len(got) != events {
		t.Errorf("events in PostGIS: %d, %v; want %d", len(got), err, events)
	}
	if got, err := st.QueryAudit(ctx, data.AuditQuery{Actor: "a", Limit: 1000}); err != nil || len(got) != 30 || got[29].RequestID != "r0" {
		t.Errorf("audit entries in PostGIS: %d, %v; want 30, the oldest r0", len(got), err)
	}
	out.Reset()
	if err := runPrune(ctx, []string{"--data-dir", dir, "--keep-pings-days", "30"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "removed 20 positions") {
		t.Fatalf("prune: %v, said %q", err, out.String())
	}
}
