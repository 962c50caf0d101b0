package memory

import (
	"cmp"
	"slices"

	"jingge/data"
	"jingge/geo/patrol"
)

// segRead is one record of a segment a query reads.
type segRead struct {
	seg string
	rec segRecord
}

// archivedTrackLocked returns the pending pings of officer in [from, to)
// and the segment records that may hold more. p.mu must be held.
func (p *Patrols) archivedTrackLocked(officer string, from, to int64) ([]storedPing, []segRead) {
	ar := p.arch
	var pend []storedPing
	for _, sp := range ar.pendingPings[officer] {
		if sp.at >= from && sp.at < to {
			pend = append(pend, sp)
		}
	}
	var reads []segRead
	for _, seg := range ar.pings {
		if r, ok := seg.Officers[officer]; ok && r.MaxAt >= max(from, ar.pingsBefore) && r.MinAt < to {
			reads = append(reads, segRead{seg.Name, r})
		}
	}
	return pend, reads
}

// readTrack reads the pings of reads in [from, to) and at or after floor.
// a.files must be held shared.
func (a *archive) readTrack(reads []segRead, from, to, floor int64) ([]storedPing, error) {
	var out []storedPing
	for _, r := range reads {
		list, err := a.readOfficer(r.seg, r.rec)
		if err != nil {
			return nil, err
		}
		for _, sp := range list {
			if sp.at >= from && sp.at < to && sp.at >= floor {
				out = append(out, sp)
			}
		}
	}
	return out, nil
}

// sortPings orders pings oldest first; pings of one instant keep their
// order.
func sortPings(list []storedPing) {
	slices.SortStableFunc(list, func(x, y storedPing) int { return cmp.Compare(x.at, y.at) })
}

// chunkRead is one chunk of a segment a query reads.
type chunkRead struct {
	seg string
	c   chunkRecord
}

// archivedEventsLocked returns the chunks and pending events that hold
// events after afterID. p.mu must be held.
func (p *Patrols) archivedEventsLocked(afterID int64) ([]chunkRead, []patrol.Event) {
	var chunks []chunkRead
	for _, seg := range p.arch.events {
		for _, c := range seg.Chunks {
			if c.Last > afterID {
				chunks = append(chunks, chunkRead{seg.Name, c})
			}
		}
	}
	var pend []patrol.Event
	for _, e := range p.arch.pendingEvents {
		if e.ID > afterID {
			pend = append(pend, e)
		}
	}
	return chunks, pend
}

// readEventsAfter reads the events after afterID of chunks, in order,
// until it has limit. a.files must be held shared.
func (a *archive) readEventsAfter(chunks []chunkRead, afterID int64, limit int) ([]patrol.Event, error) {
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

// oldestArchivedEventLocked returns the id of the oldest archived or
// pending event, or 0 when there is none. p.mu must be held.
func (p *Patrols) oldestArchivedEventLocked() int64 {
	for _, seg := range p.arch.events {
		if len(seg.Chunks) > 0 {
			return seg.Chunks[0].First
		}
	}
	if len(p.arch.pendingEvents) > 0 {
		return p.arch.pendingEvents[0].ID
	}
	return 0
}

// auditMatches reports whether q selects e.
func auditMatches(q data.AuditQuery, e data.AuditEntry) bool {
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

// archivedAuditChunksLocked returns the chunks that may hold entries q
// selects, newest first. a.mu must be held.
func (a *Auth) archivedAuditChunksLocked(q data.AuditQuery) []chunkRead {
	var out []chunkRead
	for i := len(a.arch.audit) - 1; i >= 0; i-- {
		seg := a.arch.audit[i]
		for j := len(seg.Chunks) - 1; j >= 0; j-- {
			c := seg.Chunks[j]
			switch {
			case q.Before > 0 && c.First >= q.Before,
				!q.Since.IsZero() && c.MaxAt < q.Since.UnixNano(),
				!q.Until.IsZero() && c.MinAt >= q.Until.UnixNano():
				continue
			}
			out = append(out, chunkRead{seg.Name, c})
		}
	}
	return out
}

// readAuditQuery appends to out the entries of chunks (newest first) that
// q selects, newest first, until out holds limit. a.files must be held
// shared.
func (a *archive) readAuditQuery(out []data.AuditEntry, chunks []chunkRead, q data.AuditQuery, limit int) ([]data.AuditEntry, error) {
	for _, r := range chunks {
		if len(out) >= limit {
			break
		}
		es, err := a.readAudit(r.seg, r.c)
		if err != nil {
			return nil, err
		}
		for i := len(es) - 1; i >= 0 && len(out) < limit; i-- {
			if auditMatches(q, es[i]) {
				out = append(out, es[i])
			}
		}
	}
	return out, nil
}
