package memory

import (
	"fmt"

	"jingge/data"
	"jingge/data/journal"
	"jingge/geo/patrol"
)

// readOfficer reads one officer's record of a ping segment.
func (a *archive) readOfficer(seg string, r segRecord) ([]storedPing, error) {
	return readRecord(a, seg, r.Off, func(b []byte) ([]storedPing, error) {
		_, list, err := decodeOfficerPings(b)
		return list, err
	})
}

// readPingSegment reads every officer's pings of seg.
func (a *archive) readPingSegment(seg pingSegment) (map[string][]storedPing, error) {
	out := make(map[string][]storedPing, len(seg.Officers))
	for officer, r := range seg.Officers {
		list, err := a.readOfficer(seg.Name, r)
		if err != nil {
			return nil, err
		}
		out[officer] = list
	}
	return out, nil
}

func (a *archive) readEvents(seg string, c chunkRecord) ([]patrol.Event, error) {
	return readRecord(a, seg, c.Off, decodeEvents)
}

func (a *archive) readAudit(seg string, c chunkRecord) ([]data.AuditEntry, error) {
	return readRecord(a, seg, c.Off, decodeAudit)
}

// readRecord reads the record at off of the archive segment seg and
// decodes it with decode.
func readRecord[T any](a *archive, seg string, off int64, decode func([]byte) ([]T, error)) ([]T, error) {
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

// archivedPings calls f with every archived and pending ping not removed
// by a prune, officer by officer. The lock of Patrols must be held.
func (a *archive) archivedPings(f func(officer string, list []storedPing)) error {
	for _, seg := range a.pings {
		for officer, r := range seg.Officers {
			if r.MaxAt < a.pingsBefore {
				continue
			}
			list, err := a.readOfficer(seg.Name, r)
			if err != nil {
				return err
			}
			f(officer, a.kept(list))
		}
	}
	for officer, list := range a.pendingPings {
		f(officer, list)
	}
	return nil
}

// kept drops from list, in place, the pings a prune removed.
func (a *archive) kept(list []storedPing) []storedPing {
	n := 0
	for _, sp := range list {
		if sp.at >= a.pingsBefore {
			list[n] = sp
			n++
		}
	}
	return list[:n]
}

// archivedEvents calls f with every archived and pending event, oldest
// first. The lock of Patrols must be held.
func (a *archive) archivedEvents(f func(patrol.Event)) error {
	return eachArchived(a.events, a.readEvents, a.pendingEvents, f)
}

// archivedAudit calls f with every archived and pending audit entry,
// oldest first. The lock of Auth must be held.
func (a *archive) archivedAudit(f func(data.AuditEntry)) error {
	return eachArchived(a.audit, a.readAudit, a.pendingAudit, f)
}

// eachArchived calls f with every record of segs, read chunk by chunk
// with read, then with the pending records, oldest first.
func eachArchived[T any](segs []chunkSegment, read func(seg string, c chunkRecord) ([]T, error), pending []T, f func(T)) error {
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

// archivedPingsBefore calls f with the archived and pending pings that
// may be before cutoff and are not yet removed, reading only the segment
// records that hold some. The lock of Patrols must be held.
func (a *archive) archivedPingsBefore(cutoff int64, f func(officer string, list []storedPing)) error {
	for _, seg := range a.pings {
		for officer, r := range seg.Officers {
			if r.MinAt >= cutoff || r.MaxAt < a.pingsBefore {
				continue
			}
			list, err := a.readOfficer(seg.Name, r)
			if err != nil {
				return err
			}
			f(officer, a.kept(list))
		}
	}
	for officer, list := range a.pendingPings {
		f(officer, list)
	}
	return nil
}
