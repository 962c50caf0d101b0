package memory

import (
	"context"
	"fmt"
	"time"

	"jingge/data/memory/archive"
)

// PruneOptions say what Durable.Prune removes, as `jingge prune` removes
// it from PostGIS. A zero time removes nothing of that kind. Incidents,
// events and the audit log are records and are never pruned, in memory
// or in the archive.
type PruneOptions struct {
	// PingsBefore removes the patrol positions older than it.
	PingsBefore time.Time
	// IncidentKeysBefore removes the idempotency keys of incident batches,
	// and the answers kept under the keys of grid edits, plan applies,
	// assessment entries and task and dispute changes, first used before it; a client retrying such a
	// request after that would write it again.
	IncidentKeysBefore time.Time
	// DryRun counts what would be removed and removes nothing.
	DryRun bool
}

// Pruned is what Prune removed (or, in a dry run, would remove).
type Pruned struct {
	Pings        int
	IncidentKeys int
	AnswerKeys   int // keys of grid edits, plan applies, assessment entries and task and dispute changes
}

// Prune removes old patrol positions and old incident batch keys (see
// PruneOptions) and then compacts, so the directory shrinks at once. The
// removal is journaled before Prune returns: a restart does not bring
// back what it removed.
func (d *Durable) Prune(ctx context.Context, o PruneOptions) (Pruned, error) {
	if err := ctx.Err(); err != nil {
		return Pruned{}, err
	}
	if o.PingsBefore.IsZero() && o.IncidentKeysBefore.IsZero() {
		return Pruned{}, nil
	}
	s, pt := d.Store, d.Patrols
	var tk ticket
	s.mu.Lock()
	s.incidents.mu.Lock()
	pt.mu.Lock()
	out, err := d.countPrunableLocked(o)
	if err == nil && !o.DryRun {
		tk = pt.jr.log(recPrune, pruneRecord{PingsBefore: o.PingsBefore, IncidentKeysBefore: o.IncidentKeysBefore})
		if tk.err == nil {
			d.pruneLocked(o)
		}
	}
	pt.mu.Unlock()
	s.incidents.mu.Unlock()
	s.mu.Unlock()
	if err != nil {
		return Pruned{}, fmt.Errorf("memory: prune: %w", err)
	}
	if o.DryRun {
		return out, nil
	}
	if err := pt.jr.settle(tk, nil); err != nil {
		return Pruned{}, fmt.Errorf("memory: prune: %w", err)
	}
	if err := d.Compact(); err != nil {
		return out, fmt.Errorf("memory: prune: the removal is stored, but the directory did not shrink: %w", err)
	}
	return out, nil
}

// countPrunableLocked counts what o removes, in memory and in the
// archive. The locks of the incident table and Patrols must be held.
func (d *Durable) countPrunableLocked(o PruneOptions) (Pruned, error) {
	var out Pruned
	if !o.IncidentKeysBefore.IsZero() {
		out.AnswerKeys = d.Store.pruneAnswersLocked(o.IncidentKeysBefore, true)
		for _, b := range d.Store.incidents.keys {
			if b.at.Before(o.IncidentKeysBefore) {
				out.IncidentKeys++
			}
		}
	}
	if !o.PingsBefore.IsZero() {
		cutoff := o.PingsBefore.UnixNano()
		count := func(_ string, list []archive.Ping) {
			for _, sp := range list {
				if sp.At < cutoff {
					out.Pings++
				}
			}
		}
		for officer, list := range d.Patrols.pings {
			count(officer, list)
		}
		if err := d.arch.ArchivedPingsBefore(cutoff, count); err != nil {
			return out, err
		}
	}
	return out, nil
}

// pruneLocked removes what o says. The locks of the incident table and
// Patrols must be held, or the store not yet shared (replay).
func (d *Durable) pruneLocked(o PruneOptions) {
	if !o.IncidentKeysBefore.IsZero() {
		d.Store.pruneAnswersLocked(o.IncidentKeysBefore, false)
		for k, b := range d.Store.incidents.keys {
			if b.at.Before(o.IncidentKeysBefore) {
				delete(d.Store.incidents.keys, k)
			}
		}
	}
	if !o.PingsBefore.IsZero() {
		cutoff := o.PingsBefore.UnixNano()
		for officer, list := range d.Patrols.pings {
			drop := 0
			for drop < len(list) && list[drop].At < cutoff { // oldest first
				drop++
			}
			switch {
			case drop == len(list):
				delete(d.Patrols.pings, officer)
			case drop > 0:
				d.Patrols.pings[officer] = list[:copy(list, list[drop:])]
			}
		}
		// Archived pings go at once for every reader; the next compaction
		// (Prune's own) removes them from the segments.
		ar := d.arch
		ar.PingsBefore = max(ar.PingsBefore, cutoff)
		for officer, list := range ar.PendingPings {
			if list = ar.Kept(list); len(list) == 0 {
				delete(ar.PendingPings, officer)
			} else {
				ar.PendingPings[officer] = list
			}
		}
	}
}
