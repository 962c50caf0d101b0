package journal

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A segment reads back record by record, by the offsets sealed before it
// was written; a damaged record says so; the whole-file check finds a
// flipped byte anywhere and a file cut short.
func TestSegmentRoundTripAndDamage(t *testing.T) {
	dir := t.TempDir()
	d, _, _, _ := load(t, dir)
	defer d.Close()
	var recs [][]byte
	for i := range 50 {
		recs = append(recs, record(i))
	}
	s, err := SealSegment("pings-000000000001", recs)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteSegment(s); err != nil {
		t.Fatal(err)
	}
	for i, off := range s.Offsets {
		got, err := ReadSegmentRecord(dir, s.Name, off)
		if err != nil || !bytes.Equal(got, recs[i]) {
			t.Fatalf("record %d: %q, %v", i, got, err)
		}
	}
	path := SegmentPath(dir, s.Name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSegment(b); err != nil {
		t.Fatalf("a whole segment: %v", err)
	}
	for i := range b {
		bad := bytes.Clone(b)
		bad[i] ^= 0x01
		if checkSegment(bad) == nil {
			t.Fatalf("a flipped bit at byte %d of %d passes the check", i, len(b))
		}
	}
	if checkSegment(b[:len(b)-1]) == nil {
		t.Error("a segment cut short passes the check")
	}
	bad := bytes.Clone(b)
	bad[s.Offsets[3]+headerSize] ^= 0xff
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSegmentRecord(dir, s.Name, s.Offsets[3]); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("a damaged record: %v", err)
	}
	if _, err := ReadSegmentRecord(dir, s.Name, s.Offsets[4]); err != nil {
		t.Errorf("the record after a damaged one: %v", err)
	}
	if _, err := SealSegment("../escape", recs); err == nil {
		t.Error("a segment name with a path is accepted")
	}
}

// Segments no one names, and temporary files of an interrupted write, are
// removed; named ones stay. A backup copies the segments.
func TestSegmentsRemovedAndBackedUp(t *testing.T) {
	dir := t.TempDir()
	d, _, _, _ := load(t, dir)
	for _, name := range []string{"a", "b"} {
		s, err := SealSegment(name, [][]byte{[]byte(name)})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.WriteSegment(s); err != nil {
			t.Fatal(err)
		}
	}
	appendWait(t, d, record(1))
	tmp := filepath.Join(dir, archiveDir, ".segment-1")
	if err := os.WriteFile(tmp, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	copyDir := filepath.Join(t.TempDir(), "copy")
	info, err := Backup(dir, copyDir)
	if err != nil || info.Segments != 2 {
		t.Fatalf("backup: %+v, %v; want the 2 segments", info, err)
	}
	if got, err := ReadSegmentRecord(copyDir, "b", int64(len(segmentMagic))); err != nil || string(got) != "b" {
		t.Errorf("segment b in the copy: %q, %v", got, err)
	}
	n, err := d.RemoveSegmentsExcept(map[string]bool{"a": true})
	if err != nil || n != 1 {
		t.Fatalf("RemoveSegmentsExcept: %d, %v; want b removed", n, err)
	}
	left, _ := os.ReadDir(filepath.Join(dir, archiveDir))
	if len(left) != 1 || left[0].Name() != "a"+segmentSuffix {
		t.Errorf("the archive folder holds %v, want a.seg alone", left)
	}
	d.Close()
}
