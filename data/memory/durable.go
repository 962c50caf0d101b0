package memory

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"jingge/data"
	"jingge/data/journal"
	"jingge/data/memory/archive"
	"jingge/geo"
)

// Durable is the embedded store kept in a data directory: the dataset and
// its grid history, incidents, plans and assessment figures (PlanStore),
// patrol pings, states and events (Patrols), and sessions, login links
// and the audit log (Auth; users and API tokens stay in the auth file the
// `jingge users` and `jingge tokens` commands share). Every write returns
// only after its record is on disk, so a restart, or a crash, loses
// nothing a caller was told is stored; a patrol event is shown to readers
// (EventsAfter, LastEventID, watchers) only then too, so a crash never
// takes back an event a stream sent. Only one process may open a
// directory at a time.
type Durable struct {
	*PlanStore
	// Patrols keeps pings, officer states and events: the windows of
	// PatrolOptions in memory, the older ones in the archive.
	Patrols *Patrols
	// Auth keeps users and tokens in the auth file, the rest in the
	// directory.
	Auth *Auth

	dir *journal.Dir
	// arch keeps in sealed segments what left the hot windows.
	arch   *archive.Archive
	opts   DirOptions
	logger *slog.Logger
	// seed says what the first start wrote (the synthetic demo year).
	seed   string
	seedAt time.Time

	compactMu sync.Mutex // one compaction at a time
	stop      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// DirOptions configure OpenDir. Zero fields take the defaults.
type DirOptions struct {
	// AuthFile is the file of users and API tokens; "" means auth.json in
	// the directory.
	AuthFile string
	// AuditCapacity bounds the audit entries kept in memory
	// (DefaultAuditCapacity); the older ones are kept in the archive.
	AuditCapacity int
	// Patrols bounds the pings and events kept in memory; the older ones
	// are kept in the archive until `jingge prune` removes pings.
	Patrols PatrolOptions
	// Seed, when set, fills a new directory at its first open: its writes
	// go into the first snapshot, and Note says what they were (e.g. "the
	// synthetic demo year"). It is not called again, whatever the
	// directory holds later.
	Seed func(*Durable) error
	// SeedNote describes what Seed writes, kept in the directory.
	SeedNote string
	// CompactAfterBytes is the size of journal after which a snapshot is
	// written and the journal started afresh (DefaultCompactAfterBytes).
	// Close compacts at a sixteenth of it, so a clean restart replays
	// little.
	CompactAfterBytes int64
	// Logger receives what a person should know: a torn record cut at
	// open, a compaction, a write that failed.
	Logger *slog.Logger
	// Existing makes OpenDir fail with an error wrapping fs.ErrNotExist
	// when the directory holds no data, before it writes a snapshot: a
	// command that works on a server's directory (prune, import) must not
	// leave an empty store that the server's first start would take for
	// a used one and never fill with the demo data.
	Existing bool
}

// DefaultCompactAfterBytes is the journal size that starts a compaction:
// replaying it takes well under a second.
const DefaultCompactAfterBytes = 32 << 20

// compactCheckEvery is how often the journal's size is looked at.
const compactCheckEvery = 5 * time.Second

var _ data.Store = (*Durable)(nil)

// ErrDirLocked is returned by OpenDir when another process uses the
// directory.
var ErrDirLocked = journal.ErrLocked

// OpenDir opens the data directory at path, creating it if needed, and
// restores what it holds: the newest snapshot, then every journal record
// after it. A record torn by a crash at the end of the journal is cut off
// (and logged); it was never acknowledged.
func OpenDir(path string, o DirOptions) (_ *Durable, err error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CompactAfterBytes <= 0 {
		o.CompactAfterBytes = DefaultCompactAfterBytes
	}
	if o.AuthFile == "" {
		o.AuthFile = filepath.Join(path, "auth.json")
	}
	start := time.Now()
	dir, err := journal.Open(path, o.Logger)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	defer func() {
		if err != nil {
			dir.Close()
		}
	}()
	auth, err := OpenAuthFile(o.AuthFile, o.AuditCapacity)
	if err != nil {
		return nil, err
	}
	st := &Store{
		ds:       &geo.Dataset{},
		current:  map[string]int{},
		stations: map[string]geo.Station{},
		watchers: map[chan struct{}]struct{}{},
		now:      time.Now,
	}
	d := newDurable(st, auth, dir, o)
	info, err := dir.Load(d.restore, d.replay)
	if err != nil {
		return nil, fmt.Errorf("memory: opening the data directory %s: %w", path, err)
	}
	// Segments no snapshot names were left by a compaction a crash cut
	// short: their records are still in the snapshot or the journal.
	if n, err := dir.RemoveSegmentsExcept(d.arch.Index().Names()); err != nil {
		return nil, fmt.Errorf("memory: opening the data directory %s: %w", path, err)
	} else if n > 0 {
		o.Logger.Info("removed archive segments of a compaction that did not finish", "dir", path, "segments", n)
	}
	if info.Fresh && o.Existing {
		return nil, fmt.Errorf("memory: %s holds no data: %w", path, fs.ErrNotExist)
	}
	if info.Fresh && o.Seed != nil {
		if err := o.Seed(d); err != nil {
			return nil, fmt.Errorf("memory: filling the new data directory %s: %w", path, err)
		}
		d.seed, d.seedAt = o.SeedNote, time.Now()
	}
	// What was loaded is on disk, and what Seed wrote goes into the first
	// snapshot below before anyone reads it: all of it is shown.
	d.Patrols.shown.Store(d.Patrols.lastID)
	jr := &journaler{dir: dir}
	st.jr, d.Patrols.jr, d.Auth.jr = jr, jr, jr
	if info.Fresh {
		// The seed goes into the first snapshot, so an interrupted seed
		// leaves no snapshot and is done again at the next start.
		if err := d.Compact(); err != nil {
			return nil, err
		}
	}
	o.Logger.Info("opened the data directory", "dir", path, "new", info.Fresh, "snapshot", info.Snapshot,
		"records_replayed", info.Records, "torn_bytes_cut", info.CutBytes, "seed", d.seed, "duration", time.Since(start))
	d.stop, d.stopped = make(chan struct{}), make(chan struct{})
	go d.compactWhenLarge()
	return d, nil
}

// newDurable puts the stores together over dir, with the archive that
// keeps what leaves their hot windows.
func newDurable(st *Store, auth *Auth, dir *journal.Dir, o DirOptions) *Durable {
	d := &Durable{PlanStore: WithPlans(st), Patrols: NewPatrols(o.Patrols), Auth: auth, dir: dir, arch: archive.New(dir), opts: o, logger: o.Logger}
	d.Patrols.arch, d.Auth.arch = d.arch, d.arch
	return d
}

// Dir returns the data directory's path.
func (d *Durable) Dir() string { return d.dir.Path() }

// Seed reports what the directory's first start wrote into it and when;
// "" when nothing was.
func (d *Durable) Seed() (string, time.Time) { return d.seed, d.seedAt }

// Compact writes a snapshot of the whole state and starts a new journal,
// then removes the files the snapshot replaces. What left the memory
// windows is sealed into archive segments first, which the snapshot
// names. Writes wait while the state is captured (encoded in memory), not
// while it is written out.
func (d *Durable) Compact() error {
	d.compactMu.Lock()
	defer d.compactMu.Unlock()
	start := time.Now()
	s, pt, a := d.Store, d.Patrols, d.Auth
	s.mu.Lock()
	s.incidents.mu.Lock()
	s.visits.Mu.Lock()
	s.disputes.Mu.Lock()
	s.tasks.Mu.Lock()
	pt.mu.Lock()
	a.mu.Lock()
	gen, err := d.dir.Rotate()
	var snap []byte
	var plan *archive.SealPlan
	if err == nil {
		plan, err = d.sealLocked(gen, pt.opts.Now())
	}
	if err == nil {
		snap, err = d.encodeSnapshotLocked(plan.Next)
	}
	a.mu.Unlock()
	pt.mu.Unlock()
	s.tasks.Mu.Unlock()
	s.disputes.Mu.Unlock()
	s.visits.Mu.Unlock()
	s.incidents.mu.Unlock()
	s.mu.Unlock()
	// The segments are on disk before the snapshot naming them, and the
	// records they hold leave the snapshot and journal only with it: a
	// crash at any step keeps each record in exactly one place.
	var segBytes int64
	for i := 0; err == nil && i < len(plan.Segments); i++ {
		err = d.dir.WriteSegment(plan.Segments[i])
		segBytes += plan.Segments[i].Bytes()
	}
	if err == nil {
		err = d.dir.InstallSnapshot(gen, snap)
	}
	if err != nil {
		return fmt.Errorf("memory: compacting the data directory: %w", err)
	}
	pt.mu.Lock()
	a.mu.Lock()
	d.commitSealLocked(plan)
	a.mu.Unlock()
	pt.mu.Unlock()
	d.arch.Files.Lock()
	removed, err := d.dir.RemoveSegmentsExcept(plan.Next.Names())
	d.arch.Files.Unlock()
	if err != nil {
		d.logger.Warn("removing archive segments no snapshot names failed; the next start removes them", "dir", d.dir.Path(), "err", err)
	}
	d.logger.Info("compacted the data directory", "dir", d.dir.Path(), "snapshot_bytes", len(snap),
		"segments_written", len(plan.Segments), "segment_bytes", segBytes, "segments_removed", removed, "duration", time.Since(start))
	return nil
}

// compactWhenLarge compacts whenever the journal passes
// CompactAfterBytes, until Close.
func (d *Durable) compactWhenLarge() {
	defer close(d.stopped)
	tick := time.NewTicker(compactCheckEvery)
	defer tick.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-tick.C:
			if d.dir.Size() >= d.opts.CompactAfterBytes {
				if err := d.Compact(); err != nil {
					d.logger.Error("compaction failed; the journal goes on growing", "err", err)
				}
			}
		}
	}
}

// Close compacts if the journal has grown enough to slow the next start,
// writes what is pending and releases the directory. Writes after Close
// fail.
func (d *Durable) Close() error {
	d.closeOnce.Do(func() {
		if d.stop != nil {
			close(d.stop)
			<-d.stopped
		}
		var errs []error
		if d.dir.Size() >= max(d.opts.CompactAfterBytes/16, 1) {
			errs = append(errs, d.Compact())
		}
		errs = append(errs, d.dir.Close())
		d.closeErr = errors.Join(errs...)
	})
	return d.closeErr
}

// ReadDir reads the data directory at path into a store, without taking
// its lock or changing a file, so it may run beside the server using the
// directory (`jingge export --data-dir`). It sees what was on disk when it
// read, which may lack the writes of the last moments. Changes made to
// the store it returns are not kept. Close it to let it go.
func ReadDir(path string, o DirOptions) (*Durable, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.AuthFile == "" {
		o.AuthFile = filepath.Join(path, "auth.json")
	}
	var err error
	// A compaction may remove a file while it is read; the next read finds
	// the new snapshot.
	for range 5 {
		var d *Durable
		if d, err = readDirOnce(path, o); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return d, err
		}
	}
	return nil, err
}

func readDirOnce(path string, o DirOptions) (*Durable, error) {
	dir, err := journal.OpenReadOnly(path, o.Logger)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	auth, err := OpenAuthFile(o.AuthFile, o.AuditCapacity)
	if err != nil {
		return nil, err
	}
	st := &Store{ds: &geo.Dataset{}, current: map[string]int{}, stations: map[string]geo.Station{}, watchers: map[chan struct{}]struct{}{}, now: time.Now}
	d := newDurable(st, auth, dir, o)
	info, err := dir.Load(d.restore, d.replay)
	if err != nil {
		return nil, fmt.Errorf("memory: reading the data directory %s: %w", path, err)
	}
	if info.Fresh {
		return nil, fmt.Errorf("memory: %s holds no data: %w", path, fs.ErrNotExist)
	}
	// A compaction of the server may have replaced a segment since the
	// snapshot was read: reading again finds the new one.
	for name := range d.arch.Index().Names() {
		if _, err := os.Stat(journal.SegmentPath(path, name)); err != nil {
			return nil, fmt.Errorf("memory: reading the data directory %s: the archive segment %s: %w", path, name, err)
		}
	}
	d.closeOnce.Do(func() {}) // nothing to compact or release
	return d, nil
}
