package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// An archive segment is a sealed file of records that left the snapshot
// and the journal: history a store keeps on disk rather than in memory.
// It is written once, whole (temporary file, sync, rename, directory
// sync), and never changed; it is removed only when its owner says no
// snapshot needs it. Its records are framed as in the journal, each with
// its checksum, so one can be read by its offset alone; a footer holds
// the number of records and the checksum of everything before it, so a
// whole-file check (a backup) finds any damage.
//
// Segments live in the archive folder of the data directory. The package
// knows nothing of what they hold; the owner keeps their names and
// record offsets (in its snapshot) and says which are in use.

// archiveDir is the folder of segments inside a data directory.
const archiveDir = "archive"

// segmentSuffix ends every segment's name; other files in the folder are
// temporary files of an interrupted write.
const segmentSuffix = ".seg"

// segmentMagic opens every segment, so a stray file is not taken for one.
var segmentMagic = [8]byte{'J', 'G', 'S', 'E', 'G', '0', '0', '1'}

const footerSize = 12 // record count (uint64) and CRC-32C (uint32)

// validSegmentName keeps names to one path element of safe characters.
func validSegmentName(name string) error {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || name != filepath.Base(name) {
		return fmt.Errorf("journal: %q is not a segment name", name)
	}
	return nil
}

// SegmentPath returns the file of segment name in the directory at dir.
func SegmentPath(dir, name string) string {
	return filepath.Join(dir, archiveDir, name+segmentSuffix)
}

// Sealed is a segment encoded in memory, not yet written: its name,
// where each record starts, and its bytes.
type Sealed struct {
	Name    string
	Offsets []int64
	b       []byte
}

// Bytes returns the size of the segment's file.
func (s *Sealed) Bytes() int64 { return int64(len(s.b)) }

// SealSegment encodes records as the segment name. The offsets are final:
// an owner records them (in its snapshot) before the file is written.
func SealSegment(name string, records [][]byte) (*Sealed, error) {
	if err := validSegmentName(name); err != nil {
		return nil, err
	}
	s := &Sealed{Name: name, Offsets: make([]int64, len(records))}
	s.b = append(s.b, segmentMagic[:]...)
	for i, r := range records {
		if len(r) == 0 || len(r) > MaxRecordBytes {
			return nil, fmt.Errorf("journal: a segment record of %d bytes (want 1 to %d)", len(r), MaxRecordBytes)
		}
		s.Offsets[i] = int64(len(s.b))
		s.b = appendFrame(s.b, r)
	}
	s.b = binary.LittleEndian.AppendUint64(s.b, uint64(len(records)))
	s.b = binary.LittleEndian.AppendUint32(s.b, crc32.Checksum(s.b, castagnoli))
	return s, nil
}

// WriteSegment writes s into the archive folder: to a temporary file,
// synced, renamed into place and the folder synced, so once it returns
// the segment is on disk whole, and a crash before that leaves at most a
// temporary file or a segment no snapshot names yet. An existing segment
// of that name is replaced.
func (d *Dir) WriteSegment(s *Sealed) error {
	if d.readOnly {
		return errors.New("journal: the directory was opened read-only")
	}
	folder := filepath.Join(d.path, archiveDir)
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return fmt.Errorf("journal: the archive folder: %w", err)
	}
	tmp, err := os.CreateTemp(folder, ".segment-*")
	if err != nil {
		return fmt.Errorf("journal: writing segment %s: %w", s.Name, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(s.b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), SegmentPath(d.path, s.Name))
	}
	if err == nil {
		err = syncDir(folder)
	}
	if err == nil {
		err = syncDir(d.path) // the folder itself, when it is new
	}
	if err != nil {
		return fmt.Errorf("journal: writing segment %s: %w", s.Name, err)
	}
	return nil
}

// ReadSegmentRecord returns the record at offset off of segment name in
// the data directory at dir, its checksum verified. It reads only that
// record, so a query touches only what it needs of a large archive.
func ReadSegmentRecord(dir, name string, off int64) ([]byte, error) {
	if err := validSegmentName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(SegmentPath(dir, name))
	if err != nil {
		return nil, fmt.Errorf("journal: the archive segment %s: %w", name, err)
	}
	defer f.Close()
	var h [headerSize]byte
	damaged := func(why any) error {
		return fmt.Errorf("journal: the archive segment %s is damaged at byte %d (%v); restore the directory from a backup", name, off, why)
	}
	if _, err := f.ReadAt(h[:], off); err != nil {
		return nil, damaged(err)
	}
	n := binary.LittleEndian.Uint32(h[0:4])
	if n == 0 || n > MaxRecordBytes {
		return nil, damaged(fmt.Sprintf("a record length of %d", n))
	}
	b := make([]byte, headerSize+int(n))
	copy(b, h[:])
	if _, err := f.ReadAt(b[headerSize:], off+headerSize); err != nil {
		return nil, damaged(err)
	}
	payload, _, err := nextFrame(b)
	if err != nil {
		return nil, damaged(err)
	}
	return payload, nil
}

// checkSegment verifies a whole segment file's magic, footer and every
// record's checksum.
func checkSegment(b []byte) error {
	if len(b) < len(segmentMagic)+footerSize || [8]byte(b[:8]) != segmentMagic {
		return errors.New("is not a whole archive segment")
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return errors.New("is damaged: its checksum does not match")
	}
	want := binary.LittleEndian.Uint64(b[len(b)-footerSize:])
	off, n := len(segmentMagic), uint64(0)
	for off < len(b)-footerSize {
		_, size, err := nextFrame(b[off : len(b)-footerSize])
		if err != nil {
			return fmt.Errorf("is damaged at byte %d: %v", off, err)
		}
		off += size
		n++
	}
	if n != want {
		return fmt.Errorf("is damaged: %d records where its footer says %d", n, want)
	}
	return nil
}

// RemoveSegmentsExcept removes every segment of the directory whose name
// keep does not hold, and every temporary file an interrupted write left:
// segments written by a compaction that did not finish (their records
// are still in the snapshot or journal) and segments a newer snapshot no
// longer needs. It returns how many segments it removed.
func (d *Dir) RemoveSegmentsExcept(keep map[string]bool) (int, error) {
	if d.readOnly {
		return 0, nil
	}
	folder := filepath.Join(d.path, archiveDir)
	entries, err := os.ReadDir(folder)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("journal: the archive folder: %w", err)
	}
	removed := 0
	for _, e := range entries {
		name, isSeg := strings.CutSuffix(e.Name(), segmentSuffix)
		if isSeg && keep[name] {
			continue
		}
		if err := os.Remove(filepath.Join(folder, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("journal: removing %s: %w", e.Name(), err)
		}
		if isSeg {
			removed++
		}
	}
	if removed > 0 {
		if err := syncDir(folder); err != nil {
			return removed, fmt.Errorf("journal: %w", err)
		}
	}
	return removed, nil
}
