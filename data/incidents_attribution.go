package data

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// pastIndexes is how many indexes of past grid epochs an Attributor keeps.
// Each is a few megabytes for a county; a batch of history usually spans
// one or two epochs.
const pastIndexes = 8

// Attributor attributes incidents to the community grid, police grid and
// station that were in force when each occurred. Occurrences in the epoch
// in force now use the index the server already serves, once it is known
// to hold exactly the grids of that epoch; earlier ones use an index built
// from the store's snapshot of their epoch, cached by the epoch (which
// names one set of grid versions, and never changes once recorded).
//
// Incidents older than the first grids in force are attributed to those
// first grids: a dataset imported today is the best map there is of the
// time before it, and a year of history must be importable into it.
//
// An Attributor is safe for concurrent use.
type Attributor struct {
	timeline GridTimeline
	current  func() *geo.Index

	mu     sync.Mutex
	past   map[int64]*geo.Index // by epoch start, Unix microseconds
	order  []int64              // past's keys, least recently used first
	liveIx *geo.Index           // the served index last found to match...
	liveAt int64                // ...the epoch starting at this time
}

// NewAttributor returns an attributor reading grid history from timeline.
// current, when not nil, returns the index served now (a geo.Live's Load).
func NewAttributor(timeline GridTimeline, current func() *geo.Index) *Attributor {
	return &Attributor{timeline: timeline, current: current, past: map[int64]*geo.Index{}}
}

// Attribute sets the community grid, police grid and station of every
// incident of b from its location (in the dataset's datum) and its
// occurrence time, and b.GridsAsOf. Incidents outside every grid in force
// at their time are listed in an *IncidentError (field "location") and
// left unattributed; the others are attributed either way.
func (a *Attributor) Attribute(ctx context.Context, b *IncidentBatch) error {
	batch := b.Incidents
	if len(batch) == 0 {
		return nil
	}
	epochs, err := a.timeline.GridEpochs(ctx)
	if err != nil {
		return fmt.Errorf("data: attributing incidents: %w", err)
	}
	if len(epochs) > 0 {
		b.GridsAsOf = epochs[len(epochs)-1]
	}
	var probs []IncidentProblem
	if len(epochs) == 0 {
		for i := range batch {
			probs = append(probs, IncidentProblem{Index: i, Field: "location", Reason: "no grids have ever been in force, so no incident can be placed; import a dataset first"})
		}
		return &IncidentError{Problems: probs}
	}
	byEpoch := map[int][]int{}
	for i := range batch {
		e := EpochOf(epochs, batch[i].OccurredAt)
		byEpoch[e] = append(byEpoch[e], i)
	}
	for e, members := range byEpoch {
		ix, err := a.indexFor(ctx, epochs, e)
		if err != nil {
			return err
		}
		for _, i := range members {
			inc := &batch[i]
			h := ix.Lookup(inc.Location)
			if !h.Found() {
				probs = append(probs, IncidentProblem{Index: i, Field: "location", Reason: fmt.Sprintf(
					"location [%.6f, %.6f] is outside every grid in force at %s",
					inc.Location[0], inc.Location[1], inc.OccurredAt.In(ix.Location()).Format(time.RFC3339))})
				continue
			}
			inc.CommunityGridID, inc.PoliceGridID, inc.StationID = "", "", h.Station.ID
			if h.Community != nil {
				inc.CommunityGridID = h.Community.ID
			}
			if h.Police != nil {
				inc.PoliceGridID = h.Police.ID
			}
		}
	}
	if len(probs) > 0 {
		sort.Slice(probs, func(i, j int) bool { return probs[i].Index < probs[j].Index })
		return &IncidentError{Problems: probs}
	}
	return nil
}

// EpochOf returns the position in epochs (as from GridEpochs, not empty)
// of the epoch whose grids attribute an incident at t: the last one
// starting at or before t, or the first for times before every epoch.
func EpochOf(epochs []time.Time, t time.Time) int {
	i := sort.Search(len(epochs), func(i int) bool { return epochs[i].After(t) })
	return max(i-1, 0)
}

// indexFor returns the index of the grids in force during epoch e.
func (a *Attributor) indexFor(ctx context.Context, epochs []time.Time, e int) (*geo.Index, error) {
	start := epochs[e]
	key := start.UnixMicro()
	var live *geo.Index
	if e == len(epochs)-1 && a.current != nil {
		live = a.current()
	}
	a.mu.Lock()
	if live != nil && a.liveIx == live && a.liveAt == key {
		a.mu.Unlock()
		return live, nil
	}
	if ix, ok := a.past[key]; ok {
		a.touchLocked(key)
		a.mu.Unlock()
		return ix, nil
	}
	a.mu.Unlock()

	// Built outside the lock: two requests may both build an epoch's
	// index once, which is cheaper than making every request wait.
	ds, err := a.timeline.SnapshotAt(ctx, start)
	if err != nil {
		return nil, fmt.Errorf("data: the grids in force at %s: %w", start.Format(time.RFC3339Nano), err)
	}
	if live != nil && sameGrids(live.Dataset(), ds) {
		a.mu.Lock()
		a.liveIx, a.liveAt = live, key
		a.mu.Unlock()
		return live, nil
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, fmt.Errorf("data: indexing the grids in force at %s: %w", start.Format(time.RFC3339Nano), err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.past[key]; !ok {
		a.past[key] = ix
		a.order = append(a.order, key)
		if len(a.order) > pastIndexes {
			delete(a.past, a.order[0])
			a.order = a.order[1:]
		}
	}
	return ix, nil
}

func (a *Attributor) touchLocked(key int64) {
	for i, k := range a.order {
		if k == key {
			copy(a.order[i:], a.order[i+1:])
			a.order[len(a.order)-1] = key
			return
		}
	}
}

// sameGrids reports whether two datasets hold the same grids with the same
// attribution-relevant content: level, station, parent and geometry.
func sameGrids(a, b *geo.Dataset) bool {
	if len(a.Grids) != len(b.Grids) {
		return false
	}
	byID := make(map[string]*geo.Grid, len(a.Grids))
	for i := range a.Grids {
		byID[a.Grids[i].ID] = &a.Grids[i]
	}
	for i := range b.Grids {
		g, o := &b.Grids[i], byID[b.Grids[i].ID]
		if o == nil || o.Level != g.Level || o.StationID != g.StationID || o.ParentID != g.ParentID || !orb.Equal(o.Geometry, g.Geometry) {
			return false
		}
	}
	return true
}
