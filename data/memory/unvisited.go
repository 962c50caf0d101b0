package memory

import (
	"context"
	"maps"
	"slices"

	"jingge/data"
	"jingge/geo/patrol"
)

// recUnvisited is the journal record of a RaiseUnvisited that raised
// events: the events, whose grids and times are the grids' new marks.
const recUnvisited recordKind = 25

// unvisitedRecord is what RaiseUnvisited did.
type unvisitedRecord struct {
	Events []patrol.Event
}

// RaiseUnvisited implements data.PatrolStore. The time of each grid's
// latest GridUnvisited event is kept beside the events (and in
// snapshots), so the event ring may forget the event without the grid
// being raised again.
func (p *Patrols) RaiseUnvisited(ctx context.Context, u data.UnvisitedSweep) (_ []patrol.Event, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if u.Rules == nil || u.After <= 0 {
		return nil, nil
	}
	var w patrolWrite
	defer func() { err = p.settle(w, err) }()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []patrol.Event
	for _, id := range slices.Sorted(maps.Keys(u.LastVisits)) {
		ev, ok := u.Rules.Unvisited(id, u.LastVisits[id], p.unvisited[id], u.Now, u.After)
		if !ok {
			continue
		}
		p.unvisited[id] = ev.At
		out = append(out, p.appendEventLocked(ev))
	}
	if len(out) > 0 {
		w.tk = p.logLocked(recUnvisited, unvisitedRecord{Events: out}, len(out))
		w.upto, w.wake = p.lastID, true
	}
	return out, nil
}

// replayUnvisited applies a recUnvisited record as RaiseUnvisited did.
func replayUnvisited(d *Durable, r unvisitedRecord) error {
	pt := d.Patrols
	pt.replayOutcome(nil, r.Events)
	for _, e := range r.Events {
		pt.unvisited[e.PoliceGridID] = e.At
	}
	return nil
}
