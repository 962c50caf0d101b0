package archive

import (
	"fmt"

	"jingge/data"
	"jingge/data/journal"
	"jingge/geo/patrol"
)

// readOfficer reads one officer's record of a ping segment.
func (a *Archive) readOfficer(seg string, r SegRecord) ([]Ping, error) {
	return readRecord(a, seg, r.Off, func(b []byte) ([]Ping, error) {
		_, list, err := decodeOfficerPings(b)
		return list, err
	})
}

// readPingSegment reads every officer's pings of seg.
func (a *Archive) readPingSegment(seg PingSegment) (map[string][]Ping, error) {
	out := make(map[string][]Ping, len(seg.Officers))
	for officer, r := range seg.Officers {
		list, err := a.readOfficer(seg.Name, r)
		if err != nil {
			return nil, err
		}
		out[officer] = list
	}
	return out, nil
}

func (a *Archive) readEvents(seg string, c ChunkRecord) ([]patrol.Event, error) {
	return readRecord(a, seg, c.Off, decodeEvents)
}

func (a *Archive) readAudit(seg string, c ChunkRecord) ([]data.AuditEntry, error) {
	return readRecord(a, seg, c.Off, decodeAudit)
}

// readRecord reads the record at off of the archive segment seg and
// decodes it with decode.
func readRecord[T any](a *Archive, seg string, off int64, decode func([]byte) ([]T, error)) ([]T, error) {
	b, err := journal.ReadSegmentRecord(a.path, seg, off)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	rs, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("memory: the archive segment %s: %w", seg, err)
	}
	return rs, nil
}

// ArchivedPings calls f with every archived and pending ping not removed
// by a prune, officer by officer. The lock of Patrols must be held.
func (a *Archive) ArchivedPings(f func(officer string, list []Ping)) error {
	for _, seg := range a.Pings {
		for officer, r := range seg.Officers {
			if r.MaxAt < a.PingsBefore {
				continue
			}
			list, err := a.readOfficer(seg.Name, r)
			if err != nil {
				return err
			}
			f(officer, a.Kept(list))
		}
	}
	for officer, list := range a.PendingPings {
		f(officer, list)
	}
	return nil
}

// kept drops from list, in place, the pings a prune removed.
func (a *Archive) Kept(list []Ping) []Ping {
	n := 0
	for _, sp := range list {
		if sp.At >= a.PingsBefore {
			list[n] = sp
			n++
		}
	}
	return list[:n]
}

// ArchivedEvents calls f with every archived and pending event, oldest
// first. The lock of Patrols must be held.
func (a *Archive) ArchivedEvents(f func(patrol.Event)) error {
	return eachArchived(a.Events, a.readEvents, a.PendingEvents, f)
}

// ArchivedAudit calls f with every archived and pending audit entry,
// oldest first. The lock of Auth must be held.
func (a *Archive) ArchivedAudit(f func(data.AuditEntry)) error {
	return eachArchived(a.Audit, a.readAudit, a.PendingAudit, f)
}

// eachArchived calls f with every record of segs, read chunk by chunk
// with read, then with the pending records, oldest first.
func eachArchived[T any](segs []ChunkSegment, read func(seg string, c ChunkRecord) ([]T, error), pending []T, f func(T)) error {
	for _, seg := range segs {
		for _, c := range seg.Chunks {
			rs, err := read(seg.Name, c)
			if err != nil {
				return err
			}
			for _, r := range rs {
				f(r)
			}
		}
	}
	for _, r := range pending {
		f(r)
	}
	return nil
}

// ArchivedPingsBefore calls f with the archived and pending pings that
// may be before cutoff and are not yet removed, reading only the segment
// records that hold some. The lock of Patrols must be held.
func (a *Archive) ArchivedPingsBefore(cutoff int64, f func(officer string, list []Ping)) error {
	for _, seg := range a.Pings {
		for officer, r := range seg.Officers {
			if r.MinAt >= cutoff || r.MaxAt < a.PingsBefore {
				continue
			}
			list, err := a.readOfficer(seg.Name, r)
			if err != nil {
				return err
			}
			f(officer, a.Kept(list))
		}
	}
	for officer, list := range a.PendingPings {
		f(officer, list)
	}
	return nil
}
