package archive

import (
	"sync"

	"jingge/data"
	"jingge/data/journal"
	"jingge/geo/patrol"
)

// Archive is the history a Durable keeps on disk rather than in memory:
// pings older than the hot window (PatrolOptions.Retention and
// MaxPingsPerOfficer), events older than the newest MaxEvents and audit
// entries older than the newest AuditCapacity. They stay until `jingge
// prune` removes them under the PostGIS rules (pings only; events and the
// audit log are records and are never pruned), as PostGIS keeps them.
//
// A compaction moves what left the hot window into sealed segments of the
// data directory (journal.WriteSegment) and the snapshot it installs
// names them, with the offset and time or id range of every record, so
// opening a directory reads no segment and a query reads only the
// records it needs. Until the segments are on disk and the snapshot
// naming them is installed, the records wait in the pending lists, where
// every read sees them; a record is always in exactly one of the
// segments, the pending lists and the hot window.
//
// An Archive has no lock of its own for its lists: the pings and events
// are guarded by the lock of the store's Patrols, the audit entries by
// that of its Auth, which every method's comment names.
type Archive struct {
	dir  *journal.Dir
	path string
	// Files is held shared while segment files are read, and exclusively
	// while segments no snapshot names are removed.
	Files sync.RWMutex

	// Guarded by Patrols.mu.
	Pings  []PingSegment
	Events []ChunkSegment
	// PingsBefore is the newest prune cutoff (unix nanoseconds): archived
	// pings before it are gone, even while a segment still holds them
	// (the next compaction rewrites it).
	PingsBefore   int64
	PendingPings  map[string][]Ping
	PendingEvents []patrol.Event

	// Guarded by Auth.mu.
	Audit        []ChunkSegment
	PendingAudit []data.AuditEntry
}

// Index is what a snapshot says of the archive.
type Index struct {
	Pings       []PingSegment
	Events      []ChunkSegment
	Audit       []ChunkSegment
	PingsBefore int64
}

// PingSegment is a segment of pings, one record per officer.
type PingSegment struct {
	Name     string
	Officers map[string]SegRecord
}

// SegRecord is one officer's pings in a segment: where the record starts,
// how many pings it holds and their time range (unix nanoseconds).
type SegRecord struct {
	Off          int64
	N            int
	MinAt, MaxAt int64
}

// ChunkSegment is a segment of events or audit entries, in id (sequence)
// order, in chunks of at most chunkSize.
type ChunkSegment struct {
	Name   string
	Chunks []ChunkRecord
}

// ChunkRecord is one chunk: where it starts, how many it holds, the ids
// (sequence numbers) of its first and last, and its time range.
type ChunkRecord struct {
	Off          int64
	N            int
	First, Last  int64
	MinAt, MaxAt int64
}

// chunkSize bounds the events or audit entries of one segment record: a
// query reads a chunk whole.
const chunkSize = 2048

// New returns the empty archive of the data directory dir; SetIndex fills
// it from a snapshot.
func New(dir *journal.Dir) *Archive {
	return &Archive{dir: dir, path: dir.Path(), PendingPings: map[string][]Ping{}}
}

// Index returns what a snapshot keeps of the archive. Every lock of the
// stores must be held.
func (a *Archive) Index() Index {
	return Index{Pings: a.Pings, Events: a.Events, Audit: a.Audit, PingsBefore: a.PingsBefore}
}

// SetIndex sets the archive a snapshot named.
func (a *Archive) SetIndex(ix Index) {
	a.Pings, a.Events, a.Audit, a.PingsBefore = ix.Pings, ix.Events, ix.Audit, ix.PingsBefore
}

// Names returns the names of the segments ix uses.
func (ix Index) Names() map[string]bool {
	out := map[string]bool{}
	for _, s := range ix.Pings {
		out[s.Name] = true
	}
	for _, s := range ix.Events {
		out[s.Name] = true
	}
	for _, s := range ix.Audit {
		out[s.Name] = true
	}
	return out
}

// Ping is a ping without its officer (the map key), kept compact:
// a day of pings for a few hundred officers fits in about 200 MB. The
// hot window in memory and the archive keep pings alike.
type Ping struct {
	At       int64 // unix nanoseconds
	Lon, Lat float64
	Speed    float32
	Heading  float32
	Grid     string
}
