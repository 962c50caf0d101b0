package memory_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jingge/data/memory"
)

// files reads every file of a data directory and its archive folder, by
// path relative to it, leaving out the lock.
func files(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || e.Name() == "LOCK" || strings.HasSuffix(e.Name(), ".lock") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeFiles makes a new directory holding fs.
func writeFiles(t testing.TB, fs ...map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, m := range fs {
		for rel, b := range m {
			path := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// only keeps the files of m whose path passes keep.
func only(m map[string][]byte, keep func(rel string) bool) map[string][]byte {
	out := map[string][]byte{}
	for rel, b := range m {
		if keep(rel) {
			out[rel] = b
		}
	}
	return out
}

// A compaction that seals records into segments, cut by a crash before,
// between and after its steps (segment written to a temporary file;
// renamed; snapshot written to a temporary file; snapshot renamed; old
// files removed), loses and doubles nothing: the directory opens with the
// whole history, and compacts and opens again with it.
func TestArchiveCrashBetweenTheSteps(t *testing.T) {
	dir := t.TempDir()
	o := historyWindows
	o.CompactAfterBytes = 1 << 40 // only the test compacts
	d := openDurable(t, dir, o)
	h := newHistory(t)
	h.day(t, d.Patrols, 9, 20)
	h.appendAudit(t, d.Auth, 25)
	h.day(t, d.Patrols, 0, 3)
	if err := d.Compact(); err != nil { // segments the crash must keep
		t.Fatal(err)
	}
	h.day(t, d.Patrols, 4, 20)
	h.appendAudit(t, d.Auth, 25)
	h.day(t, d.Patrols, 0, 3)
	d.Close()
	before := files(t, dir)
	d = openDurable(t, dir, o)
	if err := d.Compact(); err != nil {
		t.Fatal(err)
	}
	d.Close()
	after := files(t, dir)
	newSegs := only(after, func(rel string) bool { _, had := before[rel]; return strings.HasPrefix(rel, "archive") && !had })
	if len(newSegs) == 0 {
		t.Fatal("the compaction wrote no segment")
	}
	newJournals := only(after, func(rel string) bool { _, had := before[rel]; return strings.HasPrefix(rel, "journal-") && !had })
	newSnapshot := only(after, func(rel string) bool { _, had := before[rel]; return strings.HasPrefix(rel, "snapshot-") && !had })
	var half []byte
	for _, b := range newSegs {
		half = b[:len(b)/2]
		break
	}
	tmpSeg := map[string][]byte{filepath.Join("archive", ".segment-123"): half}
	var tmpSnap map[string][]byte
	for _, b := range newSnapshot {
		tmpSnap = map[string][]byte{".snapshot-456": b[:len(b)/3]}
	}
	for _, c := range []struct {
		name  string
		files []map[string][]byte
	}{
		{"BeforeTheCompaction", []map[string][]byte{before}},
		{"SegmentHalfWrittenToATemporaryFile", []map[string][]byte{before, newJournals, tmpSeg}},
		{"SegmentsRenamedSnapshotNotWritten", []map[string][]byte{before, newJournals, newSegs}},
		{"SnapshotHalfWrittenToATemporaryFile", []map[string][]byte{before, newJournals, newSegs, tmpSnap}},
		{"SnapshotRenamedOldFilesNotRemoved", []map[string][]byte{before, after}},
		{"AllDone", []map[string][]byte{after}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files...)
			d := openDurable(t, dir, o)
			h.check(t, d)
			if c.name == "SegmentsRenamedSnapshotNotWritten" {
				for rel := range newSegs {
					if _, err := os.Stat(filepath.Join(dir, rel)); err == nil {
						t.Errorf("%s, which no snapshot names, is still there after the open", rel)
					}
				}
			}
			if err := d.Compact(); err != nil {
				t.Fatal(err)
			}
			h.check(t, d)
			d.Close()
			h.check(t, openDurable(t, dir, memory.DirOptions{}))
			for rel := range files(t, dir) {
				if strings.Contains(rel, ".segment-") || strings.Contains(rel, ".snapshot-") {
					t.Errorf("%s was left behind", rel)
				}
			}
		})
	}
}
