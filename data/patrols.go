package data

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"time"

	"jingge/geo"
	"jingge/geo/patrol"
)

// PingBatch is one request's worth of patrol positions to record.
type PingBatch struct {
	// Key, when not empty, makes the batch idempotent: a batch whose key was
	// recorded before (within the store's key retention, at least a day) is
	// not recorded again, and PingResult.Replayed says so; the same key with
	// other pings is ErrConflict. A client that got no answer (a timeout, a
	// 503 after the commit) retries with the same key.
	Key string
	// Scope is whose key Key is (see ScopeCommandLine): keys of two scopes
	// never meet.
	Scope string
	// Pings are attributed (GridID set, see patrol.Attribute) and valid:
	// known officers, finite coordinates in the dataset's datum, speed ≥ 0
	// (NaN: unknown), heading in [0, 360) (NaN: unknown).
	Pings []geo.Ping
	// Rules derive the officers' new states and the geofence events.
	Rules *patrol.Rules
}

// PingResult says what recording a batch did.
type PingResult struct {
	// Replayed is set when the batch's key was recorded before; nothing
	// was stored again and Events and States are empty.
	Replayed bool
	// Events are the geofence events the batch caused, with their ids, in
	// id order.
	Events []patrol.Event
	// States are the new states of the officers whose latest position the
	// batch moved, with their new versions.
	States []patrol.State
}

// StateCursor marks how far a reader of PatrolStore.States has read; the
// zero cursor reads everything.
type StateCursor int64

// PatrolStore records patrol positions and the geofence events derived
// from them. A write returns only after it is committed; a store that
// cannot reach its database fails with ErrUnavailable and has recorded
// nothing it did not acknowledge.
//
// Officer states and events are derived inside the store's transaction
// from the states it holds, so however many servers share the store each
// event is produced once and event ids increase in commit order.
type PatrolStore interface {
	// RecordPings stores the batch's pings, advances the states of their
	// officers with Rules.Step (pings in batch order), stores the events
	// that causes, and returns after all of it is committed. Concurrent
	// calls may be committed together.
	RecordPings(ctx context.Context, b PingBatch) (PingResult, error)
	// SweepSilent declares silent (Rules.Sweep at now) every officer who has
	// not reported for Rules.SilentAfter, stores the events and returns them.
	// Concurrent sweeps, from this or other servers, declare each silence once.
	// With silence off (SilentAfter 0) it declares nothing; a store may use
	// the call for housekeeping, so servers make it regardless.
	SweepSilent(ctx context.Context, rules *patrol.Rules, now time.Time) ([]patrol.Event, error)
	// RaiseUnvisited raises a GridUnvisited event for every grid of u that
	// is due one (Rules.Unvisited, against the time of the grid's previous
	// such event, which the store keeps), stores the events and returns
	// them. Concurrent calls, from this or other servers, raise each
	// absence once.
	RaiseUnvisited(ctx context.Context, u UnvisitedSweep) ([]patrol.Event, error)
	// States returns the officer states changed since the cursor (every
	// state for the zero cursor) and the cursor to pass next time. A state
	// may come back more than once; patrol.Board keeps the newest.
	States(ctx context.Context, since StateCursor) ([]patrol.State, StateCursor, error)
	// Track returns the officer's pings with from <= At < to, oldest first,
	// at most limit of them (all of them for a negative limit), and whether
	// more were left out.
	Track(ctx context.Context, officer string, from, to time.Time, limit int) (pings []geo.Ping, truncated bool, err error)
	// EventsAfter returns the events with ids greater than afterID, in id
	// order, at most limit of them. A store that keeps only recent events
	// starts from the oldest it has. It returns committed events only:
	// none a crash could still take back and give its id to another.
	EventsAfter(ctx context.Context, afterID int64, limit int) ([]patrol.Event, error)
	// LastEventID returns the id of the newest committed event, 0 if none.
	LastEventID(ctx context.Context) (int64, error)
	// WatchPatrols returns a channel that receives a value after pings,
	// states or events are committed, by this process or any other sharing
	// the store, and whenever changes may have been missed (a lost database
	// connection). Bursts may be coalesced. The channel closes when ctx ends.
	WatchPatrols(ctx context.Context) (<-chan struct{}, error)
}

// PingDigest fingerprints what a batch of pings says (officers, times,
// positions, speeds, headings), not how it was attributed, so a batch sent
// again under its key can be told from a different one.
func PingDigest(pings []geo.Ping) []byte {
	h := sha256.New()
	for i := range pings {
		p := &pings[i]
		fmt.Fprintf(h, "%q|%d|%x|%x|%x|%x\n", p.OfficerID, p.At.UnixMicro(), math.Float64bits(p.Location[0]), math.Float64bits(p.Location[1]),
			math.Float32bits(float32(p.SpeedMPS)), math.Float32bits(float32(p.HeadingDeg)))
	}
	return h.Sum(nil)
}

// EventHorizon is a PatrolStore that keeps only the most recent events
// (the embedded store's ring), so a client resuming from an older id has
// missed some: the API tells it so instead of replaying silently from the
// oldest kept.
type EventHorizon interface {
	// OldestEventID returns the id of the oldest event still kept, or the
	// next id when none is: every event before it is gone.
	OldestEventID(ctx context.Context) (int64, error)
}
