package archive

import (
	"cmp"
	"slices"

	"jingge/data"
	"jingge/geo/patrol"
)

// SegRead is one record of a segment a query reads (TrackReads).
type SegRead struct {
	seg string
	rec SegRecord
}

// TrackReads returns the pending pings of officer in [from, to) and the
// segment records that may hold more, for ReadTrack. Patrols.mu must be
// held.
func (ar *Archive) TrackReads(officer string, from, to int64) ([]Ping, []SegRead) {
	var pend []Ping
	for _, sp := range ar.PendingPings[officer] {
		if sp.At >= from && sp.At < to {
			pend = append(pend, sp)
		}
	}
	var reads []SegRead
	for _, seg := range ar.Pings {
		if r, ok := seg.Officers[officer]; ok && r.MaxAt >= max(from, ar.PingsBefore) && r.MinAt < to {
			reads = append(reads, SegRead{seg.Name, r})
		}
	}
	return pend, reads
}

// ReadTrack reads the pings of reads in [from, to) and at or after floor.
// a.Files must be held shared.
func (a *Archive) ReadTrack(reads []SegRead, from, to, floor int64) ([]Ping, error) {
	var out []Ping
	for _, r := range reads {
		list, err := a.readOfficer(r.seg, r.rec)
		if err != nil {
			return nil, err
		}
		for _, sp := range list {
			if sp.At >= from && sp.At < to && sp.At >= floor {
				out = append(out, sp)
			}
		}
	}
	return out, nil
}

// SortPings orders pings oldest first; pings of one instant keep their
// order.
func SortPings(list []Ping) {
	slices.SortStableFunc(list, func(x, y Ping) int { return cmp.Compare(x.At, y.At) })
}

// ChunkRead is one chunk of a segment a query reads (EventChunks,
// AuditChunks).
type ChunkRead struct {
	seg string
	c   ChunkRecord
}

// EventChunks returns the chunks and pending events that hold events
// after afterID, for ReadEventsAfter. Patrols.mu must be held.
func (a *Archive) EventChunks(afterID int64) ([]ChunkRead, []patrol.Event) {
	var chunks []ChunkRead
	for _, seg := range a.Events {
		for _, c := range seg.Chunks {
			if c.Last > afterID {
				chunks = append(chunks, ChunkRead{seg.Name, c})
			}
		}
	}
	var pend []patrol.Event
	for _, e := range a.PendingEvents {
		if e.ID > afterID {
			pend = append(pend, e)
		}
	}
	return chunks, pend
}

// ReadEventsAfter reads the events after afterID of chunks, in order,
// until it has limit. a.Files must be held shared.
func (a *Archive) ReadEventsAfter(chunks []ChunkRead, afterID int64, limit int) ([]patrol.Event, error) {
	var out []patrol.Event
	for _, r := range chunks {
		if len(out) >= limit {
			break
		}
		evs, err := a.readEvents(r.seg, r.c)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.ID > afterID && len(out) < limit {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// OldestEvent returns the id of the oldest archived or pending event, or
// 0 when there is none. Patrols.mu must be held.
func (a *Archive) OldestEvent() int64 {
	for _, seg := range a.Events {
		if len(seg.Chunks) > 0 {
			return seg.Chunks[0].First
		}
	}
	if len(a.PendingEvents) > 0 {
		return a.PendingEvents[0].ID
	}
	return 0
}

// AuditMatches reports whether q selects e.
func AuditMatches(q data.AuditQuery, e data.AuditEntry) bool {
	switch {
	case q.Actor != "" && e.Actor != q.Actor,
		q.Action != "" && e.Action != q.Action,
		!q.Since.IsZero() && e.At.Before(q.Since),
		!q.Until.IsZero() && !e.At.Before(q.Until),
		q.Before > 0 && e.Seq >= q.Before:
		return false
	}
	return true
}

// AuditChunks returns the chunks that may hold entries q selects, newest
// first, for ReadAuditQuery. Auth.mu must be held.
func (a *Archive) AuditChunks(q data.AuditQuery) []ChunkRead {
	var out []ChunkRead
	for i := len(a.Audit) - 1; i >= 0; i-- {
		seg := a.Audit[i]
		for j := len(seg.Chunks) - 1; j >= 0; j-- {
			c := seg.Chunks[j]
			switch {
			case q.Before > 0 && c.First >= q.Before,
				!q.Since.IsZero() && c.MaxAt < q.Since.UnixNano(),
				!q.Until.IsZero() && c.MinAt >= q.Until.UnixNano():
				continue
			}
			out = append(out, ChunkRead{seg.Name, c})
		}
	}
	return out
}

// ReadAuditQuery appends to out the entries of chunks (newest first) that
// q selects, newest first, until out holds limit. a.Files must be held
// shared.
func (a *Archive) ReadAuditQuery(out []data.AuditEntry, chunks []ChunkRead, q data.AuditQuery, limit int) ([]data.AuditEntry, error) {
	for _, r := range chunks {
		if len(out) >= limit {
			break
		}
		es, err := a.readAudit(r.seg, r.c)
		if err != nil {
			return nil, err
		}
		for i := len(es) - 1; i >= 0 && len(out) < limit; i-- {
			if AuditMatches(q, es[i]) {
				out = append(out, es[i])
			}
		}
	}
	return out, nil
}
