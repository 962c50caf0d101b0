package memory

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"jingge/data/journal"
)

// sealPlan is what one compaction adds to the archive: the segments to
// write, and the archive once they are written, which the compaction's
// snapshot names.
type sealPlan struct {
	segs []*journal.Sealed
	next archiveIndex
}

// sealLocked moves what left the hot windows at now into the pending
// lists, and encodes the pending lists into segments named for the
// compaction's generation gen; a ping segment holding pings a prune
// removed is rewritten without them, or dropped when nothing is left.
// Every lock of the stores must be held. Nothing changes on disk; until
// commitSeal, reads find the records in the pending lists.
func (d *Durable) sealLocked(gen uint64, now time.Time) (*sealPlan, error) {
	ar := d.arch
	d.Patrols.coolLocked(now)
	d.Auth.coolLocked()
	plan := &sealPlan{next: archiveIndex{PingsBefore: ar.pingsBefore}}
	for i, seg := range ar.pings {
		cut, left := false, false
		for _, r := range seg.Officers {
			cut = cut || r.MinAt < ar.pingsBefore
			left = left || r.MaxAt >= ar.pingsBefore
		}
		switch {
		case !cut:
			plan.next.Pings = append(plan.next.Pings, seg)
		case left:
			byOfficer, err := ar.readPingSegment(seg)
			if err != nil {
				return nil, err
			}
			if err := plan.addPings(fmt.Sprintf("pings-%012d-%d", gen, i), byOfficer, ar.pingsBefore); err != nil {
				return nil, err
			}
		}
	}
	if err := plan.addPings(fmt.Sprintf("pings-%012d", gen), ar.pendingPings, ar.pingsBefore); err != nil {
		return nil, err
	}
	plan.next.Events = ar.events
	if n := len(ar.pendingEvents); n > 0 {
		evs := ar.pendingEvents
		seg, err := plan.addChunks(fmt.Sprintf("events-%012d", gen), n, func(lo, hi int) ([]byte, chunkRecord, error) {
			c := chunkRecord{N: hi - lo, First: evs[lo].ID, Last: evs[hi-1].ID}
			c.MinAt, c.MaxAt = timeRange(hi-lo, func(i int) int64 { return evs[lo+i].At.UnixNano() })
			return appendEvents(nil, evs[lo:hi]), c, nil
		})
		if err != nil {
			return nil, err
		}
		plan.next.Events = append(slices.Clip(plan.next.Events), seg)
	}
	plan.next.Audit = ar.audit
	if n := len(ar.pendingAudit); n > 0 {
		es := ar.pendingAudit
		seg, err := plan.addChunks(fmt.Sprintf("audit-%012d", gen), n, func(lo, hi int) ([]byte, chunkRecord, error) {
			c := chunkRecord{N: hi - lo, First: es[lo].Seq, Last: es[hi-1].Seq}
			c.MinAt, c.MaxAt = timeRange(hi-lo, func(i int) int64 { return es[lo+i].At.UnixNano() })
			b, err := encodeAudit(es[lo:hi])
			return b, c, err
		})
		if err != nil {
			return nil, err
		}
		plan.next.Audit = append(slices.Clip(plan.next.Audit), seg)
	}
	return plan, nil
}

// addPings adds a segment named name holding the pings of byOfficer at or
// after floor, one record per officer, each oldest first; none if no ping
// is left.
func (plan *sealPlan) addPings(name string, byOfficer map[string][]storedPing, floor int64) error {
	var records [][]byte
	var refs []segRecord
	officers := slices.Sorted(maps.Keys(byOfficer))
	kept := officers[:0]
	for _, officer := range officers {
		list := slices.Clone(byOfficer[officer])
		list = slices.DeleteFunc(list, func(sp storedPing) bool { return sp.at < floor })
		if len(list) == 0 {
			continue
		}
		slices.SortStableFunc(list, func(x, y storedPing) int { return cmp.Compare(x.at, y.at) })
		records = append(records, appendOfficerPings(nil, officer, list))
		refs = append(refs, segRecord{N: len(list), MinAt: list[0].at, MaxAt: list[len(list)-1].at})
		kept = append(kept, officer)
	}
	if len(records) == 0 {
		return nil
	}
	s, err := journal.SealSegment(name, records)
	if err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	seg := pingSegment{Name: name, Officers: make(map[string]segRecord, len(kept))}
	for i, officer := range kept {
		refs[i].Off = s.Offsets[i]
		seg.Officers[officer] = refs[i]
	}
	plan.segs = append(plan.segs, s)
	plan.next.Pings = append(slices.Clip(plan.next.Pings), seg)
	return nil
}

// addChunks seals n items, in chunks of chunkSize that chunk encodes,
// into the segment name.
func (plan *sealPlan) addChunks(name string, n int, chunk func(lo, hi int) ([]byte, chunkRecord, error)) (chunkSegment, error) {
	var records [][]byte
	seg := chunkSegment{Name: name}
	for lo := 0; lo < n; lo += chunkSize {
		b, c, err := chunk(lo, min(lo+chunkSize, n))
		if err != nil {
			return seg, err
		}
		records = append(records, b)
		seg.Chunks = append(seg.Chunks, c)
	}
	s, err := journal.SealSegment(name, records)
	if err != nil {
		return seg, fmt.Errorf("memory: %w", err)
	}
	for i := range seg.Chunks {
		seg.Chunks[i].Off = s.Offsets[i]
	}
	plan.segs = append(plan.segs, s)
	return seg, nil
}

// commitSealLocked puts the archive plan describes in force once its
// segments and the snapshot naming them are on disk: the pending lists
// were sealed into it. The locks of Patrols and Auth must be held; a
// prune since sealLocked keeps its newer cutoff.
func (d *Durable) commitSealLocked(plan *sealPlan) {
	ar := d.arch
	ar.pings, ar.events, ar.audit = plan.next.Pings, plan.next.Events, plan.next.Audit
	ar.pingsBefore = max(ar.pingsBefore, plan.next.PingsBefore)
	ar.pendingPings, ar.pendingEvents, ar.pendingAudit = map[string][]storedPing{}, nil, nil
}

// coolLocked moves the pings older than the retention or beyond the
// newest MaxPingsPerOfficer of an officer, and the events beyond the
// newest MaxEvents, into the archive's pending lists. p.mu must be held.
func (p *Patrols) coolLocked(now time.Time) {
	ar := p.arch
	cutoff := now.Add(-p.opts.Retention).UnixNano()
	for officer, list := range p.pings {
		k := 0
		for k < len(list) && list[k].at < cutoff { // oldest first
			k++
		}
		k = max(k, len(list)-p.opts.MaxPingsPerOfficer)
		if k == 0 {
			continue
		}
		ar.pendingPings[officer] = append(ar.pendingPings[officer], list[:k]...)
		if k == len(list) {
			delete(p.pings, officer)
		} else {
			p.pings[officer] = list[:copy(list, list[k:])]
		}
	}
	if n := len(p.events) - p.opts.MaxEvents; n > 0 {
		ar.pendingEvents = append(ar.pendingEvents, p.events[:n]...)
		p.events = p.events[:copy(p.events, p.events[n:])]
	}
}

// coolLocked moves the audit entries beyond the newest AuditCapacity into
// the archive's pending list. a.mu must be held.
func (a *Auth) coolLocked() {
	if n := len(a.audit) - a.auditCap; n > 0 {
		a.arch.pendingAudit = append(a.arch.pendingAudit, a.audit[:n]...)
		a.audit = a.audit[:copy(a.audit, a.audit[n:])]
		a.auditLen = len(a.audit)
	}
}
