package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func open(t testing.TB, dir string) *Dir {
	t.Helper()
	d, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return d
}

// load opens dir and returns the snapshot and records it holds.
func load(t testing.TB, dir string) (*Dir, []byte, [][]byte, LoadInfo) {
	t.Helper()
	d := open(t, dir)
	var snap []byte
	var recs [][]byte
	info, err := d.Load(func(r io.Reader) error {
		var err error
		snap, err = io.ReadAll(r)
		return err
	}, func(p []byte) error {
		recs = append(recs, bytes.Clone(p))
		return nil
	})
	if err != nil {
		d.Close()
		t.Fatalf("Load: %v", err)
	}
	return d, snap, recs, info
}

func appendWait(t testing.TB, d *Dir, p []byte) {
	t.Helper()
	seq, err := d.Append(p)
	if err == nil {
		err = d.Wait(seq)
	}
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
}

func record(i int) []byte {
	return []byte(fmt.Sprintf("record %d %s", i, bytes.Repeat([]byte{'x'}, i%7)))
}

func sameRecords(t testing.TB, got [][]byte, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d records, want %d", len(got), n)
	}
	for i := range got {
		if !bytes.Equal(got[i], record(i)) {
			t.Fatalf("record %d is %q, want %q", i, got[i], record(i))
		}
	}
}

func TestRecordsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	d, _, recs, info := load(t, dir)
	if !info.Fresh || len(recs) != 0 {
		t.Fatalf("a new directory: %+v, %d records", info, len(recs))
	}
	for i := range 20 {
		appendWait(t, d, record(i))
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, _, recs, info = load(t, dir)
	defer d.Close()
	if info.Fresh || info.CutBytes != 0 {
		t.Errorf("reopened: %+v", info)
	}
	sameRecords(t, recs, 20)
}

// A crash can leave the last record of the journal cut at any byte. Every
// such cut must open, keep every earlier record, and take new records
// after the cut.
func TestTornTailAtEveryOffset(t *testing.T) {
	src := t.TempDir()
	d, _, _, _ := load(t, src)
	const n = 5
	for i := range n {
		appendWait(t, d, record(i+100)) // long enough to cut inside the payload
	}
	d.Close()
	name := journalName(0)
	full, err := os.ReadFile(filepath.Join(src, name))
	if err != nil {
		t.Fatal(err)
	}
	last := len(full) - (headerSize + len(record(n-1+100)))
	for cut := last; cut < len(full); cut++ {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		d, _, recs, info := load(t, dir)
		if len(recs) != n-1 || info.CutBytes != cut-last {
			t.Fatalf("cut at byte %d: %d records, %d bytes cut; want %d records, %d bytes cut", cut, len(recs), info.CutBytes, n-1, cut-last)
		}
		for i := range recs {
			if !bytes.Equal(recs[i], record(i+100)) {
				t.Fatalf("cut at byte %d: record %d is %q", cut, i, recs[i])
			}
		}
		appendWait(t, d, []byte("after the crash"))
		d.Close()
		d, _, recs, _ = load(t, dir)
		d.Close()
		if len(recs) != n || string(recs[n-1]) != "after the crash" {
			t.Fatalf("cut at byte %d: after a new record, %d records, last %q", cut, len(recs), recs[len(recs)-1])
		}
		if cut > last {
			aside, err := filepath.Glob(filepath.Join(dir, "*"+tornSuffix))
			if err != nil || len(aside) != 1 {
				t.Fatalf("cut at byte %d: the cut bytes were not set aside: %v %v", cut, aside, err)
			}
		}
	}
}

func TestChecksumMismatch(t *testing.T) {
	src := t.TempDir()
	d, _, _, _ := load(t, src)
	for i := range 4 {
		appendWait(t, d, record(i))
	}
	d.Close()
	full, _ := os.ReadFile(filepath.Join(src, journalName(0)))
	third := 0
	for i := range 2 {
		third += headerSize + len(record(i))
	}
	t.Run("in the newest journal the bad record ends it", func(t *testing.T) {
		dir := t.TempDir()
		b := bytes.Clone(full)
		b[third+headerSize] ^= 0x40 // a bit flipped in the payload of record 2
		os.WriteFile(filepath.Join(dir, journalName(0)), b, 0o600)
		d, _, recs, info := load(t, dir)
		defer d.Close()
		sameRecords(t, recs, 2)
		if info.CutBytes != len(full)-third {
			t.Errorf("cut %d bytes, want %d", info.CutBytes, len(full)-third)
		}
	})
	t.Run("in an older journal it fails the open", func(t *testing.T) {
		dir := t.TempDir()
		b := bytes.Clone(full)
		b[third+headerSize] ^= 0x40
		os.WriteFile(filepath.Join(dir, journalName(0)), b, 0o600)
		os.WriteFile(filepath.Join(dir, journalName(1)), appendFrame(nil, []byte("newer")), 0o600)
		d := open(t, dir)
		defer d.Close()
		_, err := d.Load(func(io.Reader) error { return nil }, func([]byte) error { return nil })
		if err == nil {
			t.Fatal("a damaged journal followed by a newer one opened")
		}
	})
}

// Records appended while a write is on its way go to disk together, in
// one write and one sync.
func TestGroupCommit(t *testing.T) {
	d, _, _, _ := load(t, t.TempDir())
	defer d.Close()
	release := make(chan struct{})
	first := true
	d.beforeWrite = func() {
		if first {
			first = false
			<-release
		}
	}
	seq0, _ := d.Append(record(0))
	const writers = 50
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seq, err := d.Append(record(i + 1))
			if err == nil {
				err = d.Wait(seq)
			}
			errs <- err
		}()
	}
	// Wait until every writer has queued its record behind the blocked write.
	deadline := time.Now().Add(30 * time.Second)
	for {
		d.mu.Lock()
		q := d.queued
		d.mu.Unlock()
		if q == writers+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d records queued", q)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Wait(seq0); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	syncs := d.syncs
	d.mu.Unlock()
	if syncs != 2 {
		t.Errorf("%d records took %d syncs, want 2 (the blocked one, then all the rest)", writers+1, syncs)
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	defer d.Close()
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("a second Open: %v, want ErrLocked", err)
	}
	d.Close()
	d2 := open(t, dir)
	d2.Close()
}

func TestSnapshotReplacesJournal(t *testing.T) {
	dir := t.TempDir()
	d, _, _, _ := load(t, dir)
	for i := range 3 {
		appendWait(t, d, record(i))
	}
	aside := filepath.Join(dir, journalName(0)+".17"+tornSuffix) // from an earlier crash
	os.WriteFile(aside, []byte("torn"), 0o600)
	gen, err := d.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	appendWait(t, d, record(0))
	if err := d.InstallSnapshot(gen, []byte("state after 3 records")); err != nil {
		t.Fatal(err)
	}
	appendWait(t, d, record(1))
	d.Close()
	d, snap, recs, info := load(t, dir)
	defer d.Close()
	if string(snap) != "state after 3 records" || info.Snapshot != gen {
		t.Errorf("snapshot %q of generation %d, want generation %d", snap, info.Snapshot, gen)
	}
	sameRecords(t, recs, 2)
	if _, err := os.Stat(filepath.Join(dir, journalName(0))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the journal the snapshot replaced is still there: %v", err)
	}
	if _, err := os.Stat(aside); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the torn tail set aside from the replaced journal is still there: %v", err)
	}
}

// A crash between Rotate and InstallSnapshot leaves the old snapshot and
// two journals, which replay in order.
func TestCrashDuringCompaction(t *testing.T) {
	dir := t.TempDir()
	d, _, _, _ := load(t, dir)
	appendWait(t, d, record(0))
	if _, err := d.Rotate(); err != nil {
		t.Fatal(err)
	}
	appendWait(t, d, record(1))
	d.Close()
	d, _, recs, _ := load(t, dir)
	defer d.Close()
	sameRecords(t, recs, 2)
}

func TestDamagedSnapshotFailsOpen(t *testing.T) {
	dir := t.TempDir()
	d, _, _, _ := load(t, dir)
	gen, _ := d.Rotate()
	if err := d.InstallSnapshot(gen, []byte("the whole state")); err != nil {
		t.Fatal(err)
	}
	d.Close()
	name := filepath.Join(dir, snapshotName(gen))
	b, _ := os.ReadFile(name)
	b[len(b)-1] ^= 1
	os.WriteFile(name, b, 0o600)
	d = open(t, dir)
	defer d.Close()
	if _, err := d.Load(func(r io.Reader) error { _, err := io.ReadAll(r); return err }, func([]byte) error { return nil }); err == nil {
		t.Fatal("a damaged snapshot opened")
	}
}

// A reader beside the process using the directory sees what is on disk,
// stops before a record being written, and changes no file.
func TestReadOnlyBesideTheWriter(t *testing.T) {
	dir := t.TempDir()
	d, _, _, _ := load(t, dir)
	defer d.Close()
	for i := range 3 {
		appendWait(t, d, record(i))
	}
	name := filepath.Join(dir, journalName(0))
	f, _ := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(appendFrame(nil, record(3))[:5]) // a record half written
	f.Close()
	before, _ := os.Stat(name)
	r, err := OpenReadOnly(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var recs [][]byte
	info, err := r.Load(func(io.Reader) error { return nil }, func(p []byte) error { recs = append(recs, bytes.Clone(p)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	sameRecords(t, recs, 3)
	if info.CutBytes != 5 {
		t.Errorf("%d bytes past the last whole record, want 5", info.CutBytes)
	}
	after, _ := os.Stat(name)
	if after.Size() != before.Size() {
		t.Errorf("the reader changed the journal from %d to %d bytes", before.Size(), after.Size())
	}
	if _, err := r.Append([]byte("x")); err == nil {
		t.Error("Append on a read-only directory worked")
	}
	r.Close()
}

// FuzzNextFrame: no input makes the reader panic, a frame it accepts is
// whole, and every framed payload reads back.
func FuzzNextFrame(f *testing.F) {
	f.Add(appendFrame(nil, []byte("a record")))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, n, err := nextFrame(b); err == nil && (n != headerSize+len(p) || n > len(b)) {
			t.Fatalf("accepted a frame of %d bytes with a payload of %d in %d bytes", n, len(p), len(b))
		}
		if len(b) == 0 {
			return
		}
		p, n, err := nextFrame(appendFrame(nil, b))
		if err != nil || n != headerSize+len(b) || !bytes.Equal(p, b) {
			t.Fatalf("a framed payload of %d bytes read back as %d bytes, %v", len(b), len(p), err)
		}
	})
}
