package memory

import (
	"time"

	"jingge/data/memory/archive"
)

// sealLocked moves what left the hot windows at now into the archive's
// pending lists and seals them (archive.Archive.Seal) into segments named
// for the compaction's generation gen. Every lock of the stores must be
// held. Nothing changes on disk; until commitSealLocked, reads find the
// records in the pending lists.
func (d *Durable) sealLocked(gen uint64, now time.Time) (*archive.SealPlan, error) {
	d.Patrols.coolLocked(now)
	d.Auth.coolLocked()
	return d.arch.Seal(gen)
}

// commitSealLocked puts the archive plan describes in force once its
// segments and the snapshot naming them are on disk. The locks of
// Patrols and Auth must be held.
func (d *Durable) commitSealLocked(plan *archive.SealPlan) { d.arch.Commit(plan) }

// coolLocked moves the pings older than the retention or beyond the
// newest MaxPingsPerOfficer of an officer, and the events beyond the
// newest MaxEvents, into the archive's pending lists. p.mu must be held.
func (p *Patrols) coolLocked(now time.Time) {
	ar := p.arch
	cutoff := now.Add(-p.opts.Retention).UnixNano()
	for officer, list := range p.pings {
		k := 0
		for k < len(list) && list[k].At < cutoff { // oldest first
			k++
		}
		k = max(k, len(list)-p.opts.MaxPingsPerOfficer)
		if k == 0 {
			continue
		}
		ar.PendingPings[officer] = append(ar.PendingPings[officer], list[:k]...)
		if k == len(list) {
			delete(p.pings, officer)
		} else {
			p.pings[officer] = list[:copy(list, list[k:])]
		}
	}
	if n := len(p.events) - p.opts.MaxEvents; n > 0 {
		ar.PendingEvents = append(ar.PendingEvents, p.events[:n]...)
		p.events = p.events[:copy(p.events, p.events[n:])]
	}
}

// coolLocked moves the audit entries beyond the newest AuditCapacity into
// the archive's pending list. a.mu must be held.
func (a *Auth) coolLocked() {
	if n := len(a.audit) - a.auditCap; n > 0 {
		a.arch.PendingAudit = append(a.arch.PendingAudit, a.audit[:n]...)
		a.audit = a.audit[:copy(a.audit, a.audit[n:])]
		a.auditLen = len(a.audit)
	}
}
