package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// BackupInfo says what Backup copied.
type BackupInfo struct {
	// Snapshot is the generation of the snapshot copied; 0 for none.
	Snapshot uint64
	// Journals and Records count the journals and whole records copied
	// after it.
	Journals, Records int
	// Segments counts the archive segments copied.
	Segments int
	// Bytes is the size of the copy.
	Bytes int64
}

// backupAttempts bounds how often Backup starts again when a compaction
// removed a file it was about to open; each compaction takes seconds of
// writes, so a second attempt nearly always succeeds.
const backupAttempts = 10

// Backup copies the data directory src into dst, which must be new or
// empty, while another process may be using src: it takes no lock and
// changes nothing in src. The copy is src as it stood at one moment after
// Backup was called: the newest snapshot, every whole record of the
// journals after it and the archive segments, each checksum verified. So it holds every write
// acknowledged before Backup was called, and opens as a data directory.
//
// It relies on what the process using src does: a snapshot appears whole
// (by rename) and never changes, a journal changes only by records
// appended at its end until a newer one starts, and files are removed only
// after a newer snapshot replaces them. Files are opened before any is
// read, so a removal after that does not matter (an open file stays
// readable); a removal before it starts the copy again.
func Backup(src, dst string) (BackupInfo, error) {
	// A missing src is no compaction to wait out.
	if _, err := os.Stat(src); err != nil {
		return BackupInfo{}, fmt.Errorf("journal: backup: the data directory: %w", err)
	}
	if err := emptyDir(dst); err != nil {
		return BackupInfo{}, err
	}
	var err error
	for range backupAttempts {
		var info BackupInfo
		info, err = backupOnce(src, dst)
		if err == nil {
			return info, nil
		}
		if cerr := clearDir(dst); cerr != nil {
			return BackupInfo{}, errors.Join(err, cerr)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return BackupInfo{}, err
		}
	}
	return BackupInfo{}, fmt.Errorf("journal: backup: the directory kept changing under the copy: %w", err)
}

// backupOnce is one attempt of Backup; an error wrapping fs.ErrNotExist
// means a compaction removed a file, and another attempt will do.
func backupOnce(src, dst string) (BackupInfo, error) {
	var info BackupInfo
	snaps, journals, err := listGenerations(src)
	if err != nil {
		return info, err
	}
	if len(snaps) == 0 && len(journals) == 0 {
		return info, fmt.Errorf("journal: backup: %s holds no data directory (no snapshot, no journal)", src)
	}
	var names []string
	if len(snaps) > 0 {
		info.Snapshot = snaps[len(snaps)-1]
		names = append(names, snapshotName(info.Snapshot))
	}
	for _, g := range journals {
		if g >= info.Snapshot {
			names = append(names, journalName(g))
		}
	}
	files := make([]*os.File, 0, len(names))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	// The archive segments are opened before the snapshot: a segment the
	// snapshot needs is removed only after a newer snapshot replaced it,
	// and then opening the snapshot fails and the copy starts again.
	segs, err := openSegments(src)
	defer func() {
		for _, f := range segs {
			f.Close()
		}
	}()
	if err != nil {
		return info, err
	}
	for _, name := range names {
		f, err := os.Open(filepath.Join(src, name))
		if err != nil {
			return info, fmt.Errorf("journal: backup: %w", err)
		}
		files = append(files, f)
	}
	for i, f := range files {
		b, err := io.ReadAll(f)
		if err != nil {
			return info, fmt.Errorf("journal: backup: reading %s: %w", f.Name(), err)
		}
		isSnapshot := i == 0 && info.Snapshot > 0
		if isSnapshot {
			err = checkSnapshot(b)
		} else {
			var n int
			n, b, err = wholeRecords(b, i == len(files)-1)
			info.Records += n
			info.Journals++
		}
		if err != nil {
			return info, fmt.Errorf("journal: backup: %s %w; restore the directory from an older backup", f.Name(), err)
		}
		if err := WriteFileSynced(filepath.Join(dst, names[i]), b); err != nil {
			return info, fmt.Errorf("journal: backup: %w", err)
		}
		info.Bytes += int64(len(b))
	}
	if err := copySegments(segs, dst, &info); err != nil {
		return info, err
	}
	if err := syncDir(dst); err != nil {
		return info, fmt.Errorf("journal: backup: %w", err)
	}
	return info, nil
}

// openSegments opens every archive segment of src.
func openSegments(src string) ([]*os.File, error) {
	entries, err := os.ReadDir(filepath.Join(src, archiveDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: backup: the archive folder: %w", err)
	}
	var out []*os.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), segmentSuffix) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		f, err := os.Open(filepath.Join(src, archiveDir, e.Name()))
		if err != nil {
			return out, fmt.Errorf("journal: backup: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
}

// copySegments copies the open segments into dst's archive folder, each
// checked whole.
func copySegments(segs []*os.File, dst string, info *BackupInfo) error {
	if len(segs) == 0 {
		return nil
	}
	folder := filepath.Join(dst, archiveDir)
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return fmt.Errorf("journal: backup: %w", err)
	}
	for _, f := range segs {
		b, err := io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("journal: backup: reading %s: %w", f.Name(), err)
		}
		if err := checkSegment(b); err != nil {
			return fmt.Errorf("journal: backup: %s %w; restore the directory from an older backup", f.Name(), err)
		}
		if err := WriteFileSynced(filepath.Join(folder, filepath.Base(f.Name())), b); err != nil {
			return fmt.Errorf("journal: backup: %w", err)
		}
		info.Segments++
		info.Bytes += int64(len(b))
	}
	return nil
}

// checkSnapshot verifies a snapshot file's length and checksum.
func checkSnapshot(b []byte) error {
	if len(b) < 12 {
		return errors.New("is damaged: shorter than its header")
	}
	n, want := binary.LittleEndian.Uint64(b[0:8]), binary.LittleEndian.Uint32(b[8:12])
	if n != uint64(len(b)-12) || crc32.Checksum(b[12:], castagnoli) != want {
		return errors.New("is damaged: its length or checksum does not match")
	}
	return nil
}

// wholeRecords returns the whole records at the start of journal b. In
// the newest journal (last) a record cut short is one being written, not
// yet acknowledged, and ends the copy; in an older one it is damage.
func wholeRecords(b []byte, last bool) (int, []byte, error) {
	off, n := 0, 0
	for off < len(b) {
		_, size, err := nextFrame(b[off:])
		if err != nil {
			if last {
				break
			}
			return n, nil, fmt.Errorf("is damaged at byte %d (%v) although a newer journal follows it", off, err)
		}
		off += size
		n++
	}
	return n, b[:off], nil
}

// listGenerations lists the generations of the snapshots and journals in
// dir, each in ascending order.
func listGenerations(dir string) (snaps, journals []uint64, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("journal: %w", err)
	}
	for _, e := range entries {
		if g, ok := parseGen(e.Name(), snapshotPrefix, ""); ok {
			snaps = append(snaps, g)
		}
		if g, ok := parseGen(e.Name(), journalPrefix, journalSuffix); ok {
			journals = append(journals, g)
		}
	}
	slices.Sort(snaps)
	slices.Sort(journals)
	return snaps, journals, nil
}

// emptyDir makes dir, or checks that it holds nothing: a backup mixed
// into another directory's files would open as neither.
func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("journal: backup: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("journal: backup: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("journal: backup: %s is not empty; give a new directory for the copy", dir)
	}
	return nil
}

// clearDir removes what a failed attempt wrote into dir.
func clearDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("journal: backup: %w", err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("journal: backup: %w", err)
		}
	}
	return nil
}

// WriteFileSynced writes b to a new file at path (mode 0600; it fails if
// the file exists) and syncs it and its directory, so the file is on disk
// once it returns.
func WriteFileSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	err = dir.Sync()
	if cerr := dir.Close(); err == nil {
		err = cerr
	}
	return err
}
