package memory

import (
	"sync"

	"jingge/data"
	"jingge/data/journal"
	"jingge/geo/patrol"
)

// archive is the history a Durable keeps on disk rather than in memory:
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
type archive struct {
	dir  *journal.Dir
	path string
	// files is held shared while segment files are read, and exclusively
	// while segments no snapshot names are removed.
	files sync.RWMutex

	// Guarded by Patrols.mu.
	pings  []pingSegment
	events []chunkSegment
	// pingsBefore is the newest prune cutoff (unix nanoseconds): archived
	// pings before it are gone, even while a segment still holds them
	// (the next compaction rewrites it).
	pingsBefore   int64
	pendingPings  map[string][]storedPing
	pendingEvents []patrol.Event

	// Guarded by Auth.mu.
	audit        []chunkSegment
	pendingAudit []data.AuditEntry
}

// archiveIndex is what a snapshot says of the archive.
type archiveIndex struct {
	Pings       []pingSegment
	Events      []chunkSegment
	Audit       []chunkSegment
	PingsBefore int64
}

// pingSegment is a segment of pings, one record per officer.
type pingSegment struct {
	Name     string
	Officers map[string]segRecord
}

// segRecord is one officer's pings in a segment: where the record starts,
// how many pings it holds and their time range (unix nanoseconds).
type segRecord struct {
	Off          int64
	N            int
	MinAt, MaxAt int64
}

// chunkSegment is a segment of events or audit entries, in id (sequence)
// order, in chunks of at most chunkSize.
type chunkSegment struct {
	Name   string
	Chunks []chunkRecord
}

// chunkRecord is one chunk: where it starts, how many it holds, the ids
// (sequence numbers) of its first and last, and its time range.
type chunkRecord struct {
	Off          int64
	N            int
	First, Last  int64
	MinAt, MaxAt int64
}

// chunkSize bounds the events or audit entries of one segment record: a
// query reads a chunk whole.
const chunkSize = 2048

func newArchive(dir *journal.Dir) *archive {
	return &archive{dir: dir, path: dir.Path(), pendingPings: map[string][]storedPing{}}
}

// index returns what a snapshot keeps of the archive. Every lock of the
// stores must be held.
func (a *archive) index() archiveIndex {
	return archiveIndex{Pings: a.pings, Events: a.events, Audit: a.audit, PingsBefore: a.pingsBefore}
}

// setIndex sets the archive a snapshot named.
func (a *archive) setIndex(ix archiveIndex) {
	a.pings, a.events, a.audit, a.pingsBefore = ix.Pings, ix.Events, ix.Audit, ix.PingsBefore
}

// names returns the names of the segments ix uses.
func (ix archiveIndex) names() map[string]bool {
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
