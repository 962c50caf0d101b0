package memory_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/patrol"
)

// newestJournal returns the path of the journal a directory appends to.
func newestJournal(t testing.TB, dir string) string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "journal-*.log"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no journal in %s: %v", dir, err)
	}
	return names[len(names)-1]
}

// lastRecordStart returns the offset of the last record of a journal.
func lastRecordStart(t testing.TB, b []byte) int {
	t.Helper()
	off, last := 0, -1
	for off < len(b) {
		last = off
		off += 8 + int(binary.LittleEndian.Uint32(b[off:]))
	}
	if last < 0 || off != len(b) {
		t.Fatalf("the journal is not a sequence of whole records")
	}
	return last
}

// cutCopy makes dst hold the files of src, the journal cut to its first
// cut bytes, and nothing else.
func cutCopy(t testing.TB, src, dst, journal string, cut int) {
	t.Helper()
	old, _ := os.ReadDir(dst)
	for _, e := range old {
		os.Remove(filepath.Join(dst, e.Name()))
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "LOCK" || strings.HasSuffix(e.Name(), ".lock") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Join(src, e.Name()) == journal {
			b = b[:cut]
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func population(t testing.TB, d *memory.Durable, grid string) int {
	t.Helper()
	ds, err := d.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range ds.Grids {
		if g.ID == grid {
			return g.Population
		}
	}
	t.Fatalf("no grid %s", grid)
	return 0
}

func editPopulation(t testing.TB, d *memory.Durable, grid string, n int) {
	t.Helper()
	ds, _ := d.Snapshot(context.Background())
	for _, g := range ds.Grids {
		if g.ID == grid {
			g.Population = n
			if _, err := d.EditGrid(context.Background(), data.GridEdit{Grid: g}); err != nil {
				t.Fatalf("EditGrid: %v", err)
			}
			return
		}
	}
	t.Fatalf("no grid %s", grid)
}

func recordPing(t testing.TB, d *memory.Durable, rules *patrol.Rules, officer string, at time.Time, where geo.Grid) data.PingResult {
	t.Helper()
	p := geo.Ping{OfficerID: officer, At: at, Location: where.Geometry.Bound().Center(), SpeedMPS: 1, HeadingDeg: 0}
	p.GridID = patrol.GridAt(rules.Index(), p.Location)
	res, err := d.Patrols.RecordPings(context.Background(), data.PingBatch{Pings: []geo.Ping{p}, Rules: rules})
	if err != nil {
		t.Fatalf("RecordPings: %v", err)
	}
	return res
}

// A crash may cut the journal's last record anywhere. At every cut the
// directory opens, keeps every earlier change (an incident, a grid edit,
// pings and their events), and drops only the cut record.
func TestDurableTornLastRecordAtEveryOffset(t *testing.T) {
	ds := storetest.Small()
	src := t.TempDir()
	d, err := memory.OpenDir(src, memory.DirOptions{Seed: seedWith(ds)})
	if err != nil {
		t.Fatal(err)
	}
	ix, _ := geo.NewIndex(ds)
	rules := patrol.NewRules(ix, patrol.Options{})
	incidents := storetest.RandomIncidents(1, 3, storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound(), time.Now())
	ids := storetest.AddIncidents(t, d, incidents)
	editPopulation(t, d, "C0-0", 4242)
	t0 := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	first := recordPing(t, d, rules, "m-P0-0", t0, ds.Grids[len(ds.Grids)-1])
	recordPing(t, d, rules, "m-P0-0", t0.Add(time.Second), ds.Grids[len(ds.Grids)-2])
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	journal := newestJournal(t, src)
	full, _ := os.ReadFile(journal)
	last := lastRecordStart(t, full)
	dir := t.TempDir()
	for cut := last; cut <= len(full); cut++ {
		cutCopy(t, src, dir, journal, cut)
		d, err := memory.OpenDir(dir, memory.DirOptions{Seed: func(*memory.Durable) error { t.Fatal("a used directory was seeded again"); return nil }})
		if err != nil {
			t.Fatalf("cut at byte %d of %d: OpenDir: %v", cut, len(full), err)
		}
		ctx := context.Background()
		for _, id := range ids {
			if _, err := d.Incident(ctx, id); err != nil {
				t.Fatalf("cut at byte %d: incident %s: %v", cut, id, err)
			}
		}
		if got := population(t, d, "C0-0"); got != 4242 {
			t.Fatalf("cut at byte %d: population %d, want 4242", cut, got)
		}
		track, _, _ := d.Patrols.Track(ctx, "m-P0-0", t0.Add(-time.Hour), t0.Add(time.Hour), -1)
		want := 1
		if cut == len(full) {
			want = 2
		}
		if len(track) != want {
			t.Fatalf("cut at byte %d: %d pings, want %d", cut, len(track), want)
		}
		if len(first.Events) > 0 {
			if id, _ := d.Patrols.LastEventID(ctx); id < first.Events[len(first.Events)-1].ID {
				t.Fatalf("cut at byte %d: last event id %d, want at least %d", cut, id, first.Events[len(first.Events)-1].ID)
			}
		}
		d.Close()
	}
}

// What users changed stays changed across restarts, and the demo seed is
// written once: a population set to 4242 does not come back as the seed's.
func TestDurableSeedOnceAndEditsStay(t *testing.T) {
	ds := storetest.Small()
	dir := t.TempDir()
	seeds := 0
	o := memory.DirOptions{Seed: func(d *memory.Durable) error { seeds++; return seedWith(ds)(d) }, SeedNote: "the synthetic test set"}
	d := openDurable(t, dir, o)
	before := population(t, d, "C0-0")
	editPopulation(t, d, "C0-0", before+4242)
	d.Close()
	for range 2 {
		d = openDurable(t, dir, o)
		if got := population(t, d, "C0-0"); got != before+4242 {
			t.Fatalf("after a restart the population is %d, want %d", got, before+4242)
		}
		if note, at := d.Seed(); note != "the synthetic test set" || at.IsZero() {
			t.Errorf("Seed() = %q, %v", note, at)
		}
		hist, err := d.GridHistory(context.Background(), "C0-0")
		if err != nil || len(hist) != 2 {
			t.Fatalf("history after a restart: %d versions, %v; want 2", len(hist), err)
		}
		d.Close()
	}
	if seeds != 1 {
		t.Errorf("seeded %d times, want once", seeds)
	}
}

func TestDurableDirectoryIsLocked(t *testing.T) {
	dir := t.TempDir()
	openDurable(t, dir, memory.DirOptions{})
	_, err := memory.OpenDir(dir, memory.DirOptions{})
	if !errors.Is(err, memory.ErrDirLocked) {
		t.Fatalf("a second open: %v, want ErrDirLocked", err)
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "in use") {
		t.Errorf("the message does not say which directory is in use: %v", err)
	}
}
