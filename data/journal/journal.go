// Package journal keeps a store's state durable in a data directory: a
// snapshot of the whole state and, after it, a journal (write-ahead log) of
// every change since. A change is acknowledged only once its record is on
// disk (fsync); records appended while a sync runs are written and synced
// together by one writer (group commit), so many concurrent writers cost
// about one sync each round, not one each.
//
// On disk each record carries its length and a CRC-32C checksum. At open,
// a record cut short or damaged at the end of the newest journal (a crash
// in the middle of a write) is cut off: every record before it is kept,
// the cut bytes are set aside in a file beside the journal, and the open
// goes on. Compaction writes a new snapshot and starts a new journal, so
// opening the directory stays fast; history its owner no longer holds in
// memory goes into sealed archive segments (segment.go), which an open
// does not read.
//
// The package knows nothing of what the records mean: payloads are bytes.
// A directory is used by one process at a time, under a lock.
package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Errors of a data directory.
var (
	// ErrLocked is returned by Open when another process uses the directory.
	ErrLocked = errors.New("data directory locked")
	// ErrClosed is returned by Append after Close.
	ErrClosed = errors.New("journal closed")
)

// File names in a data directory. Generations are zero-padded so names
// sort in generation order.
const (
	lockName       = "LOCK"
	snapshotPrefix = "snapshot-"
	journalPrefix  = "journal-"
	journalSuffix  = ".log"
	tornSuffix     = ".torn"
	genDigits      = 12
)

func snapshotName(gen uint64) string {
	return fmt.Sprintf("%s%0*d", snapshotPrefix, genDigits, gen)
}

func journalName(gen uint64) string {
	return fmt.Sprintf("%s%0*d%s", journalPrefix, genDigits, gen, journalSuffix)
}

// parseGen returns the generation of a snapshot or journal file name.
func parseGen(name, prefix, suffix string) (uint64, bool) {
	if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
		return 0, false
	}
	digits := name[len(prefix) : len(name)-len(suffix)]
	if len(digits) != genDigits {
		return 0, false
	}
	g, err := strconv.ParseUint(digits, 10, 64)
	return g, err == nil
}

// Dir is an open data directory. Append and Wait are safe for concurrent
// use; Load must come first, once.
type Dir struct {
	path   string
	lock   *os.File
	logger *slog.Logger

	mu     sync.Mutex
	wake   *sync.Cond // the writer: records queued, or closing
	synced *sync.Cond // waiters: durable moved on, or the writer failed
	f      *os.File   // the journal appended to; nil before Load
	gen    uint64     // its generation
	buf    []byte     // framed records queued for the writer
	spare  []byte
	// queued counts records appended, durable those on disk; a record's
	// sequence number is queued just after it was appended.
	queued, durable uint64
	writing         bool
	readOnly        bool  // OpenReadOnly: Load changes nothing, Append fails
	size            int64 // bytes of the journals since the newest snapshot
	err             error // the first write or sync failure; sticky
	closing         bool
	writerDone      chan struct{}
	// beforeWrite, when set (tests only: HoldWrites), runs in the writer
	// before each write and sync, without the lock; it is set under it.
	beforeWrite func()
	syncs       int // write+sync rounds done, for tests
}

// Open creates the directory if needed and takes its lock. It fails with
// ErrLocked when another process holds it.
func Open(path string, logger *slog.Logger) (*Dir, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("journal: creating the data directory: %w", err)
	}
	lock, err := lockDir(filepath.Join(path, lockName))
	if err != nil {
		return nil, fmt.Errorf("%w (data directory %s)", err, path)
	}
	d := &Dir{path: path, lock: lock, logger: logger, writerDone: make(chan struct{})}
	d.wake = sync.NewCond(&d.mu)
	d.synced = sync.NewCond(&d.mu)
	return d, nil
}

// OpenReadOnly opens a directory another process may be using, to read
// it: it takes no lock, and Load neither cuts a torn tail (it stops
// before it) nor removes files nor makes the directory ready for Append.
// A compaction by the process using the directory may remove a file
// while Load reads; Load then fails with an error wrapping
// fs.ErrNotExist, and reading again gives the new state.
func OpenReadOnly(path string, logger *slog.Logger) (*Dir, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("journal: the data directory: %w", err)
	}
	d := &Dir{path: path, logger: logger, readOnly: true, writerDone: make(chan struct{})}
	d.wake = sync.NewCond(&d.mu)
	d.synced = sync.NewCond(&d.mu)
	return d, nil
}

// Path returns the directory's path.
func (d *Dir) Path() string { return d.path }

// LoadInfo says what Load found.
type LoadInfo struct {
	// Fresh is set when the directory held no snapshot and no record:
	// nothing was ever stored in it.
	Fresh bool
	// Snapshot is the generation of the snapshot restored; 0 for none.
	Snapshot uint64
	// Records counts the journal records replayed after the snapshot.
	Records int
	// CutBytes counts the bytes of a torn tail cut off the newest journal.
	CutBytes int
}

// Load restores the newest snapshot with restore (not called when there
// is none), then hands every journal record written after it, in order, to
// replay; a torn tail of the newest journal is cut off and logged. Then
// the directory is ready for Append. An error of restore or replay, or a
// damaged snapshot or older journal, fails Load: they mean data the
// directory acknowledged cannot be read, which no cut may hide.
func (d *Dir) Load(restore func(r io.Reader) error, replay func(payload []byte) error) (LoadInfo, error) {
	var info LoadInfo
	snaps, journals, err := listGenerations(d.path)
	if err != nil {
		return info, err
	}
	if len(snaps) > 0 {
		info.Snapshot = snaps[len(snaps)-1]
		if err := d.restore(info.Snapshot, restore); err != nil {
			return info, err
		}
	}
	gen := info.Snapshot
	var live []uint64
	for _, g := range journals {
		if g >= info.Snapshot {
			live = append(live, g)
		}
	}
	for i, g := range live {
		n, cut, size, err := d.replayJournal(g, i == len(live)-1, replay)
		info.Records += n
		info.CutBytes += cut
		d.size += size
		if err != nil {
			return info, err
		}
		gen = g
	}
	info.Fresh = len(snaps) == 0 && info.Records == 0
	if d.readOnly {
		return info, nil
	}
	d.removeBefore(info.Snapshot, snaps, journals)
	// A snapshot a crash cut short never got its name; its temporary file
	// is of no use.
	if tmps, err := filepath.Glob(filepath.Join(d.path, ".snapshot-*")); err == nil {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	f, err := os.OpenFile(filepath.Join(d.path, journalName(gen)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return info, fmt.Errorf("journal: %w", err)
	}
	if err := syncDir(d.path); err != nil {
		f.Close()
		return info, fmt.Errorf("journal: %w", err)
	}
	d.f, d.gen = f, gen
	go d.writer()
	return info, nil
}

// restore reads snapshot gen: a header of its length and CRC-32C, then
// the content, which restore decodes.
func (d *Dir) restore(gen uint64, restore func(r io.Reader) error) error {
	name := filepath.Join(d.path, snapshotName(gen))
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	var h [12]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return fmt.Errorf("journal: the snapshot %s is damaged: %w", name, err)
	}
	n, want := binary.LittleEndian.Uint64(h[0:8]), binary.LittleEndian.Uint32(h[8:12])
	sum := crc32.New(castagnoli)
	body := io.TeeReader(io.LimitReader(f, int64(n)), sum)
	if err := restore(body); err != nil {
		return fmt.Errorf("journal: restoring the snapshot %s: %w", name, err)
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return fmt.Errorf("journal: the snapshot %s is damaged: %w", name, err)
	}
	if sum.Sum32() != want {
		return fmt.Errorf("journal: the snapshot %s is damaged: its checksum does not match; restore the directory from a backup", name)
	}
	return nil
}

// replayJournal hands the records of journal gen to replay. In the newest
// journal (last) a bad record ends the journal: it and what follows were
// never acknowledged, as the sync that would have made them so did not
// finish. They are moved aside, not deleted.
func (d *Dir) replayJournal(gen uint64, last bool, replay func([]byte) error) (records, cut int, size int64, err error) {
	name := filepath.Join(d.path, journalName(gen))
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("journal: %w", err)
	}
	off := 0
	for off < len(b) {
		payload, n, ferr := nextFrame(b[off:])
		if ferr != nil {
			if !last {
				return records, 0, int64(off), fmt.Errorf("journal: %s is damaged at byte %d (%v) although a newer journal follows it; restore the directory from a backup", name, off, ferr)
			}
			if d.readOnly {
				// Being written now, or torn: the server cuts it.
				return records, len(b) - off, int64(off), nil
			}
			if err := d.cutTail(name, b, off, ferr); err != nil {
				return records, 0, int64(off), err
			}
			return records, len(b) - off, int64(off), nil
		}
		if err := replay(payload); err != nil {
			return records, 0, int64(off), fmt.Errorf("journal: %s, record at byte %d: %w", name, off, err)
		}
		records++
		off += n
	}
	return records, 0, int64(off), nil
}

// cutTail truncates journal name to its first off bytes after saving the
// rest beside it.
func (d *Dir) cutTail(name string, b []byte, off int, why error) error {
	aside := fmt.Sprintf("%s.%d%s", name, off, tornSuffix)
	if err := os.WriteFile(aside, b[off:], 0o600); err != nil {
		return fmt.Errorf("journal: setting the torn tail of %s aside: %w", name, err)
	}
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	err = f.Truncate(int64(off))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal: cutting the torn tail of %s: %w", name, err)
	}
	d.logger.Warn("the data directory's journal ended in a torn record, left by a crash during a write that was never acknowledged; it was cut at the last whole record",
		"journal", name, "kept_bytes", off, "cut_bytes", len(b)-off, "reason", why.Error(), "cut_bytes_saved_in", aside)
	return nil
}

// removeBefore deletes the snapshots and journals a newer snapshot
// replaced; a crash during compaction may have left them.
func (d *Dir) removeBefore(snap uint64, snaps, journals []uint64) {
	for _, g := range snaps {
		if g < snap {
			os.Remove(filepath.Join(d.path, snapshotName(g)))
		}
	}
	for _, g := range journals {
		if g < snap {
			name := filepath.Join(d.path, journalName(g))
			os.Remove(name)
			// The torn tails set aside from it go with it.
			if torn, err := filepath.Glob(name + ".*" + tornSuffix); err == nil {
				for _, t := range torn {
					os.Remove(t)
				}
			}
		}
	}
}

// Append queues payload to be written after every record appended before
// it and returns its sequence number for Wait. It does not wait for the
// disk, so callers may append under their own lock, which fixes the order
// of records to the order of the changes, and wait after releasing it.
func (d *Dir) Append(payload []byte) (uint64, error) {
	if len(payload) == 0 || len(payload) > MaxRecordBytes {
		return 0, fmt.Errorf("journal: a record of %d bytes (want 1 to %d)", len(payload), MaxRecordBytes)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usableLocked(); err != nil {
		return 0, err
	}
	d.buf = appendFrame(d.buf, payload)
	d.queued++
	d.wake.Signal()
	return d.queued, nil
}

func (d *Dir) usableLocked() error {
	switch {
	case d.err != nil:
		return d.err
	case d.closing:
		return fmt.Errorf("journal: %w", ErrClosed)
	case d.readOnly:
		return errors.New("journal: the directory was opened read-only")
	case d.f == nil:
		return errors.New("journal: Append before Load")
	}
	return nil
}

// Wait returns once record seq is on disk, or the error that keeps it
// from getting there. Wait(0) returns nil at once.
func (d *Dir) Wait(seq uint64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.durable < seq && d.err == nil {
		d.synced.Wait()
	}
	if d.durable >= seq {
		return nil
	}
	return d.err
}

// writer writes and syncs what was queued, all of it at once, until Close.
func (d *Dir) writer() {
	defer close(d.writerDone)
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		for len(d.buf) == 0 && !d.closing {
			d.wake.Wait()
		}
		if len(d.buf) == 0 {
			return
		}
		b, upto, f, hook := d.buf, d.queued, d.f, d.beforeWrite
		d.buf, d.writing = d.spare[:0], true
		d.mu.Unlock()
		if hook != nil {
			hook()
		}
		_, err := f.Write(b)
		if err == nil {
			err = f.Sync()
		}
		d.mu.Lock()
		d.spare, d.writing = b[:0], false
		d.syncs++
		if err != nil && d.err == nil {
			// The journal may now end in part of a record; nothing after
			// it could be read back, so every later write fails too.
			d.err = fmt.Errorf("journal: writing to the data directory failed, nothing more can be stored until the server restarts: %w", err)
			d.logger.Error("writing the data directory's journal failed; writes fail until the server restarts", "dir", d.path, "err", err)
		}
		if err == nil {
			d.durable = upto
			d.size += int64(len(b))
		}
		d.synced.Broadcast()
		if d.err != nil {
			return
		}
	}
}

// Size returns the bytes of journal written since the newest snapshot,
// the work a restart would replay; callers compact when it grows.
func (d *Dir) Size() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.size
}

// Rotate waits until every record appended so far is on disk and starts
// a new journal, returning its generation. The caller keeps Append out
// (by holding its own locks) from before Rotate until it has captured the
// state the snapshot of that generation will hold, which is then exactly
// the state before the new journal's first record.
func (d *Dir) Rotate() (uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for (len(d.buf) > 0 || d.writing) && d.err == nil {
		d.synced.Wait()
	}
	if err := d.usableLocked(); err != nil {
		return 0, err
	}
	gen := d.gen + 1
	f, err := os.OpenFile(filepath.Join(d.path, journalName(gen)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("journal: %w", err)
	}
	if err := syncDir(d.path); err != nil {
		f.Close()
		return 0, fmt.Errorf("journal: %w", err)
	}
	d.f.Close()
	d.f, d.gen, d.size = f, gen, 0
	return gen, nil
}

// InstallSnapshot writes snap as the snapshot of generation gen (from
// Rotate) and then removes the snapshot and journals it replaces. The
// snapshot is written to a temporary file, synced and renamed, so a crash
// leaves the old snapshot and journals or the new snapshot, never half.
func (d *Dir) InstallSnapshot(gen uint64, snap []byte) error {
	tmp, err := os.CreateTemp(d.path, ".snapshot-*")
	if err != nil {
		return fmt.Errorf("journal: writing a snapshot: %w", err)
	}
	defer os.Remove(tmp.Name())
	var h [12]byte
	binary.LittleEndian.PutUint64(h[0:8], uint64(len(snap)))
	binary.LittleEndian.PutUint32(h[8:12], crc32.Checksum(snap, castagnoli))
	_, err = tmp.Write(h[:])
	if err == nil {
		_, err = tmp.Write(snap)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(d.path, snapshotName(gen)))
	}
	if err == nil {
		err = syncDir(d.path)
	}
	if err != nil {
		return fmt.Errorf("journal: writing a snapshot: %w", err)
	}
	snaps, journals, err := listGenerations(d.path)
	if err != nil {
		return nil // the new snapshot is in place; the next open tidies up
	}
	d.removeBefore(gen, snaps, journals)
	return nil
}

// Close writes and syncs what was appended, stops the writer and releases
// the directory. Appends after Close fail with ErrClosed.
func (d *Dir) Close() error {
	d.mu.Lock()
	if d.closing {
		d.mu.Unlock()
		return nil
	}
	d.closing = true
	started := d.f != nil
	d.wake.Broadcast()
	d.mu.Unlock()
	if started {
		<-d.writerDone
	}
	var err error
	d.mu.Lock()
	if d.f != nil {
		err = d.f.Close()
	}
	werr := d.err
	d.mu.Unlock()
	if d.lock != nil {
		unlockDir(d.lock)
	}
	if werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}
