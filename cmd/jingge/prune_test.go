package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

func TestPruneCommand(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{
		{"--db", "postgres://x/y"},
		{"--db", "postgres://x/y", "--keep-pings-days", "-1"},
		{"--db", "postgres://x/y", "--keep-incident-keys-days", "1"},
		{"--keep-pings-days", "30", "--db", ""},
		{"--db", "postgres://x/y", "--keep-pings-days", "30", "extra"},
	} {
		var out, errOut bytes.Buffer
		if err := runPrune(ctx, args, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("prune %q: %v, want a usage error", args, err)
		}
	}

	dbURL := postgistest.NewSchema(t)
	var out, errOut bytes.Buffer
	if err := runPrune(ctx, []string{"--db", dbURL, "--keep-pings-days", "400", "--keep-incident-keys-days", "30", "--dry-run"}, &out, &errOut); err != nil {
		t.Fatalf("dry run: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "would remove 0 positions") {
		t.Errorf("dry run said %q", out.String())
	}
	out.Reset()
	if err := runPrune(ctx, []string{"--db", dbURL, "--keep-pings-days", "400"}, &out, &errOut); err != nil {
		t.Fatalf("prune: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "removed 0 positions") {
		t.Errorf("prune said %q", out.String())
	}
	st := postgistest.MustOpenURL(t, dbURL)
	got, err := st.QueryAudit(ctx, data.AuditQuery{Action: "prune"})
	if err != nil || len(got) != 1 || !strings.Contains(got[0].Detail, "incident keys before -") {
		t.Errorf("the prune is audited once, dry runs not: %+v, %v", got, err)
	}
}

// prune --data-dir prunes the embedded store's directory like PostGIS,
// audited, and while a server holds the directory it says to stop it.
func TestPruneDataDir(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	ds := storetest.Small()
	d, err := memory.OpenDir(dir, memory.DirOptions{Seed: func(d *memory.Durable) error {
		_, err := d.Import(ctx, ds, data.ImportOptions{})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	batch := storetest.Attribute(t, d, storetest.RandomIncidents(1, 2, storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound(), time.Now()))
	batch.Key = "k-1"
	if _, err := d.AddIncidents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--data-dir", dir, "--db", "postgres://x/y", "--keep-pings-days", "30"},
		{"--data-dir", filepath.Join(dir, "nothing"), "--keep-pings-days", "30"},
	} {
		if err := runPrune(ctx, args, io.Discard, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("prune %q: %v, want a usage error", args, err)
		}
	}
	// An empty directory is refused and left for a server to fill.
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := runPrune(ctx, []string{"--data-dir", empty, "--keep-pings-days", "30"}, io.Discard, io.Discard); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "holds no data") {
		t.Errorf("prune of an empty directory: %v, want a usage error saying it holds no data", err)
	}
	seeded := false
	e, err := memory.OpenDir(empty, memory.DirOptions{Seed: func(*memory.Durable) error { seeded = true; return nil }})
	if err != nil || !seeded {
		t.Errorf("a server's first start after prune of an empty directory: seeded %v, %v; want the demo data written", seeded, err)
	}
	if e != nil {
		e.Close()
	}
	args := []string{"--data-dir", dir, "--keep-pings-days", "30", "--keep-incident-keys-days", "30"}
	if err := runPrune(ctx, args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "stop the server") {
		t.Fatalf("prune of a directory in use: %v, want it to say to stop the server", err)
	}
	d.Close()
	var out bytes.Buffer
	if err := runPrune(ctx, append(args, "--dry-run"), &out, io.Discard); err != nil || !strings.Contains(out.String(), "would remove 0 positions and 0 incident batch keys") {
		t.Fatalf("dry run: %v, said %q", err, out.String())
	}
	out.Reset()
	if err := runPrune(ctx, args, &out, io.Discard); err != nil || !strings.Contains(out.String(), "removed 0 positions and 0 incident batch keys") {
		t.Fatalf("prune: %v, said %q", err, out.String())
	}
	d = openDurableT(t, dir)
	got, err := d.Auth.QueryAudit(ctx, data.AuditQuery{Action: "prune"})
	if err != nil || len(got) != 1 || !strings.Contains(got[0].Detail, "data directory") {
		t.Errorf("the prune is audited once in the directory, dry runs not: %+v, %v", got, err)
	}
	if res, err := d.AddIncidents(ctx, batch); err != nil || !res.Replayed {
		t.Errorf("a key younger than the cutoff is kept: %+v, %v", res, err)
	}
}

func openDurableT(t *testing.T, dir string) *memory.Durable {
	t.Helper()
	d, err := memory.OpenDir(dir, memory.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
