// Package archive keeps on disk the history a durable embedded store
// moves out of memory: pings older than the hot window, patrol events
// beyond the newest few and audit entries beyond the newest few, in
// sealed segments of the data directory (journal.SealSegment) that the
// store's snapshot names by an Index. It plans what a compaction seals
// (Seal, Commit), reads segments back for queries, dumps and prunes, and
// owns the layouts of its records (binrec for pings and events, gob for
// the few and varied audit entries).
//
// An Archive has no lock for its lists: the store's locks guard them, as
// each method says. It imports data, data/journal, data/memory/binrec,
// geo/patrol and the standard library; data/memory imports it.
package archive
