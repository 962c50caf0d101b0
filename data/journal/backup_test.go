package journal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A backup of a directory in use holds its snapshot and every whole
// record after it, in every journal since (here one left by a compaction
// between Rotate and InstallSnapshot); a record being written at the end
// is left out, so the copy opens with nothing to cut.
func TestBackupOfADirectoryInUse(t *testing.T) {
	src := t.TempDir()
	d, _, _, _ := load(t, src)
	defer d.Close()
	appendWait(t, d, record(0))
	gen, err := d.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.InstallSnapshot(gen, []byte("state after 1 record")); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		appendWait(t, d, record(i))
	}
	if _, err := d.Rotate(); err != nil { // no snapshot yet: two journals
		t.Fatal(err)
	}
	appendWait(t, d, record(3))
	// Half a record, as a write in progress leaves it.
	f, err := os.OpenFile(filepath.Join(src, journalName(d.gen)), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	frame := appendFrame(nil, record(4))
	f.Write(frame[:len(frame)/2])
	f.Close()

	dst := filepath.Join(t.TempDir(), "copy")
	info, err := Backup(src, dst)
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if info.Snapshot != gen || info.Journals != 2 || info.Records != 4 {
		t.Errorf("Backup copied %+v, want the snapshot %d and 4 records in 2 journals", info, gen)
	}
	c, snap, recs, loaded := load(t, dst)
	c.Close()
	if string(snap) != "state after 1 record" || loaded.CutBytes != 0 {
		t.Errorf("the copy holds the snapshot %q and a torn tail of %d bytes", snap, loaded.CutBytes)
	}
	sameRecords(t, recs, 4)
	if _, err := Backup(src, dst); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a backup into a directory that holds one: %v", err)
	}
}

// A damaged record in a journal a newer one follows is damage, not a
// write in progress: the backup fails rather than copy less than was
// acknowledged.
func TestBackupRefusesADamagedOlderJournal(t *testing.T) {
	src := t.TempDir()
	d, _, _, _ := load(t, src)
	defer d.Close()
	appendWait(t, d, record(0))
	appendWait(t, d, record(1))
	old := filepath.Join(src, journalName(d.gen))
	if _, err := d.Rotate(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(old)
	b[len(b)-1] ^= 1
	os.WriteFile(old, b, 0o600)
	dst := filepath.Join(t.TempDir(), "copy")
	if _, err := Backup(src, dst); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("Backup of a damaged journal: %v", err)
	}
	if entries, _ := os.ReadDir(dst); len(entries) != 0 {
		t.Errorf("a failed backup left %d files in its directory", len(entries))
	}
}

func TestBackupOfNoDirectory(t *testing.T) {
	tmp := t.TempDir()
	dst := filepath.Join(tmp, "copy")
	if _, err := Backup(filepath.Join(tmp, "none"), dst); err == nil || !strings.Contains(err.Error(), "the data directory") {
		t.Errorf("Backup of a missing directory: %v", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("a backup of nothing made its directory: %v", err)
	}
	if _, err := Backup(t.TempDir(), dst); err == nil || !strings.Contains(err.Error(), "holds no data directory") {
		t.Errorf("Backup of an empty directory: %v", err)
	}
}
