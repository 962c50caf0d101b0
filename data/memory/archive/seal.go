package archive

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"jingge/data/journal"
)

// SealPlan is what one compaction adds to the archive: the segments to
// write, and the archive once they are written, which the compaction's
// snapshot names.
type SealPlan struct {
	// Segments are to be written (journal.Dir.WriteSegment) before the
	// snapshot naming them is installed.
	Segments []*journal.Sealed
	// Next is the archive once they are, for the snapshot.
	Next Index
}

// addPings adds a segment named name holding the pings of byOfficer at or
// after floor, one record per officer, each oldest first; none if no ping
// is left.
func (plan *SealPlan) addPings(name string, byOfficer map[string][]Ping, floor int64) error {
	var records [][]byte
	var refs []SegRecord
	officers := slices.Sorted(maps.Keys(byOfficer))
	kept := officers[:0]
	for _, officer := range officers {
		list := slices.Clone(byOfficer[officer])
		list = slices.DeleteFunc(list, func(sp Ping) bool { return sp.At < floor })
		if len(list) == 0 {
			continue
		}
		slices.SortStableFunc(list, func(x, y Ping) int { return cmp.Compare(x.At, y.At) })
		records = append(records, appendOfficerPings(nil, officer, list))
		refs = append(refs, SegRecord{N: len(list), MinAt: list[0].At, MaxAt: list[len(list)-1].At})
		kept = append(kept, officer)
	}
	if len(records) == 0 {
		return nil
	}
	s, err := journal.SealSegment(name, records)
	if err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	seg := PingSegment{Name: name, Officers: make(map[string]SegRecord, len(kept))}
	for i, officer := range kept {
		refs[i].Off = s.Offsets[i]
		seg.Officers[officer] = refs[i]
	}
	plan.Segments = append(plan.Segments, s)
	plan.Next.Pings = append(slices.Clip(plan.Next.Pings), seg)
	return nil
}

// addChunks seals n items, in chunks of chunkSize that chunk encodes,
// into the segment name.
func (plan *SealPlan) addChunks(name string, n int, chunk func(lo, hi int) ([]byte, ChunkRecord, error)) (ChunkSegment, error) {
	var records [][]byte
	seg := ChunkSegment{Name: name}
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
	plan.Segments = append(plan.Segments, s)
	return seg, nil
}

// Seal encodes the pending lists into segments named for the
// compaction's generation gen; a ping segment holding pings a prune
// removed is rewritten without them, or dropped when nothing is left.
// Patrols.mu and Auth.mu must be held. Nothing changes on disk or in the
// archive; until Commit, reads find the records in the pending lists.
func (ar *Archive) Seal(gen uint64) (*SealPlan, error) {
	plan := &SealPlan{Next: Index{PingsBefore: ar.PingsBefore}}
	for i, seg := range ar.Pings {
		cut, left := false, false
		for _, r := range seg.Officers {
			cut = cut || r.MinAt < ar.PingsBefore
			left = left || r.MaxAt >= ar.PingsBefore
		}
		switch {
		case !cut:
			plan.Next.Pings = append(plan.Next.Pings, seg)
		case left:
			byOfficer, err := ar.readPingSegment(seg)
			if err != nil {
				return nil, err
			}
			if err := plan.addPings(fmt.Sprintf("pings-%012d-%d", gen, i), byOfficer, ar.PingsBefore); err != nil {
				return nil, err
			}
		}
	}
	if err := plan.addPings(fmt.Sprintf("pings-%012d", gen), ar.PendingPings, ar.PingsBefore); err != nil {
		return nil, err
	}
	plan.Next.Events = ar.Events
	if n := len(ar.PendingEvents); n > 0 {
		evs := ar.PendingEvents
		seg, err := plan.addChunks(fmt.Sprintf("events-%012d", gen), n, func(lo, hi int) ([]byte, ChunkRecord, error) {
			c := ChunkRecord{N: hi - lo, First: evs[lo].ID, Last: evs[hi-1].ID}
			c.MinAt, c.MaxAt = timeRange(hi-lo, func(i int) int64 { return evs[lo+i].At.UnixNano() })
			return appendEvents(nil, evs[lo:hi]), c, nil
		})
		if err != nil {
			return nil, err
		}
		plan.Next.Events = append(slices.Clip(plan.Next.Events), seg)
	}
	plan.Next.Audit = ar.Audit
	if n := len(ar.PendingAudit); n > 0 {
		es := ar.PendingAudit
		seg, err := plan.addChunks(fmt.Sprintf("audit-%012d", gen), n, func(lo, hi int) ([]byte, ChunkRecord, error) {
			c := ChunkRecord{N: hi - lo, First: es[lo].Seq, Last: es[hi-1].Seq}
			c.MinAt, c.MaxAt = timeRange(hi-lo, func(i int) int64 { return es[lo+i].At.UnixNano() })
			b, err := encodeAudit(es[lo:hi])
			return b, c, err
		})
		if err != nil {
			return nil, err
		}
		plan.Next.Audit = append(slices.Clip(plan.Next.Audit), seg)
	}
	return plan, nil
}

// Commit puts the archive plan describes in force once its segments and
// the snapshot naming them are on disk: the pending lists were sealed
// into it. Patrols.mu and Auth.mu must be held; a prune since Seal keeps
// its newer cutoff.
func (ar *Archive) Commit(plan *SealPlan) {
	ar.Pings, ar.Events, ar.Audit = plan.Next.Pings, plan.Next.Events, plan.Next.Audit
	ar.PingsBefore = max(ar.PingsBefore, plan.Next.PingsBefore)
	ar.PendingPings, ar.PendingEvents, ar.PendingAudit = map[string][]Ping{}, nil, nil
}
