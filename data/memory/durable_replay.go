package memory

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"strconv"
	"time"

	"jingge/geo/patrol"
)

// replay applies one journal record to the stores. It runs at open,
// before the stores are shared, with journaling off, so it takes no lock.
func (d *Durable) replay(payload []byte) error {
	if len(payload) < 2 {
		return fmt.Errorf("memory: a journal record of %d bytes", len(payload))
	}
	kind := recordKind(payload[0])
	dec := gob.NewDecoder(bytes.NewReader(payload[1:]))
	decode := func(v any) error {
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("memory: decoding a journal record of kind %d: %w", kind, err)
		}
		return nil
	}
	s, p, pt, a := d.Store, d.PlanStore, d.Patrols, d.Auth
	switch kind {
	case recDataset:
		var r datasetRecord
		if err := decode(&r); err != nil {
			return err
		}
		s.applyLocked(r.Dataset, r.At, classify(s.ds, r.Dataset))
	case recGridEdit:
		var r gridEditRecord
		if err := decode(&r); err != nil {
			return err
		}
		return s.replayGridEdit(r)
	case recIncidents:
		var r incidentsRecord
		if err := decode(&r); err != nil {
			return err
		}
		return s.incidents.replayAdd(r)
	case recIncidentUpdate:
		var r incidentUpdateRecord
		if err := decode(&r); err != nil {
			return err
		}
		row, ok := s.incidents.byID[r.ID]
		if !ok {
			return fmt.Errorf("memory: the journal updates incident %d, which it never added", r.ID)
		}
		row.inc = r.Incident
	case recPlan:
		var r planRecord
		if err := decode(&r); err != nil {
			return err
		}
		p.plans = append(p.plans, r.Plan)
	case recPlanApplied:
		var r planAppliedRecord
		if err := decode(&r); err != nil {
			return err
		}
		if r.Plan < 0 || r.Plan >= len(p.plans) {
			return fmt.Errorf("memory: the journal applies plan %d, which it never saved", r.Plan+1)
		}
		s.applyLocked(r.Dataset, r.At, classify(s.ds, r.Dataset))
		p.plans[r.Plan].AppliedAt, p.plans[r.Plan].AppliedBy = storeTime(r.At), r.Actor
	case recAssessment:
		var r assessmentRecord
		if err := decode(&r); err != nil {
			return err
		}
		for _, e := range r.Entries {
			p.entries[[2]string{e.StationID, e.Month}] = e
		}
	case recPings:
		r, err := decodePingsRecord(payload[1:])
		if err != nil {
			return err
		}
		pt.expireKeysLocked(r.Now)
		if r.Key != "" {
			key := scopedKey{r.Scope, r.Key}
			pt.keys[key] = keyRecord{digest: r.Digest, at: r.Now}
			pt.keyQueue = append(pt.keyQueue, keyEntry{key, r.Now})
		}
		for _, pg := range r.Pings {
			pt.storePingLocked(pg, r.Now)
		}
		pt.replayOutcome(r.States, r.Events)
	case recSweep:
		var r sweepRecord
		if err := decode(&r); err != nil {
			return err
		}
		pt.replayOutcome(r.States, r.Events)
	case recAudit:
		var r auditRecord
		if err := decode(&r); err != nil {
			return err
		}
		a.seq = r.FirstSeq - 1
		return a.AppendAudit(context.Background(), r.Entries)
	case recCredential:
		var r credentialRecord
		if err := decode(&r); err != nil {
			return err
		}
		c := r.Credential
		if _, ok := a.creds[c.ID]; !ok {
			a.creds[c.ID] = &c
			a.hash[c.Hash] = c.ID
		}
	case recCredentialUse:
		var r credentialUseRecord
		if err := decode(&r); err != nil {
			return err
		}
		if c, ok := a.creds[r.ID]; ok { // a token may have gone from the auth file since
			if r.LastUsedAt.After(c.LastUsedAt) {
				c.LastUsedAt = r.LastUsedAt
			}
			if !r.RevokedAt.IsZero() && c.RevokedAt.IsZero() {
				c.RevokedAt = r.RevokedAt
			}
		}
	case recRevokeSessions:
		var r revokeSessionsRecord
		if err := decode(&r); err != nil {
			return err
		}
		a.revokeSessions(r.User, r.At)
	case recVisit:
		var r visitRecord
		if err := decode(&r); err != nil {
			return err
		}
		return s.visits.replayAdd(r)
	case recPrune:
		var r pruneRecord
		if err := decode(&r); err != nil {
			return err
		}
		d.pruneLocked(PruneOptions{PingsBefore: r.PingsBefore, IncidentKeysBefore: r.IncidentKeysBefore})
	default:
		return fmt.Errorf("memory: a journal record of unknown kind %d: was the directory written by a newer jingge?", kind)
	}
	return nil
}

// replayGridEdit puts r.Grid in force from r.At, as EditGrid did.
func (s *Store) replayGridEdit(r gridEditRecord) error {
	at, ok := s.current[r.Grid.ID]
	if !ok {
		return fmt.Errorf("memory: the journal edits grid %s, which is not in force", r.Grid.ID)
	}
	next := Clone(s.ds)
	pos := -1
	for i := range next.Grids {
		if next.Grids[i].ID == r.Grid.ID {
			pos = i
			next.Grids[i] = cloneGrid(r.Grid)
		}
	}
	s.versions[at].ValidTo = r.At
	s.addVersionLocked(r.Grid, pos, r.At)
	s.ds = next
	return nil
}

// replayAdd stores the incidents of r with the ids AddIncidents gave them.
func (t *incidentTable) replayAdd(r incidentsRecord) error {
	if t.byID == nil {
		t.byID = map[int64]*incidentRow{}
		t.keys = map[scopedKey]committedBatch{}
	}
	ids := make([]string, len(r.Incidents))
	added := make([]*incidentRow, len(r.Incidents))
	for i, inc := range r.Incidents {
		id, err := strconv.ParseInt(inc.ID, 10, 64)
		if err != nil {
			return fmt.Errorf("memory: the journal holds an incident with id %q", inc.ID)
		}
		added[i] = &incidentRow{id: id, inc: inc}
		t.byID[id] = added[i]
		t.nextID = max(t.nextID, id)
		ids[i] = inc.ID
	}
	t.rows = mergeRows(t.rows, added)
	if r.Key != "" {
		t.keys[scopedKey{r.Scope, r.Key}] = committedBatch{digest: r.Digest, ids: ids, at: r.At}
	}
	return nil
}

// replayOutcome sets the officers' states and appends the events, with
// their ids, as RecordPings or SweepSilent did.
func (p *Patrols) replayOutcome(states []patrol.State, events []patrol.Event) {
	for _, st := range states {
		p.setStateLocked(st)
	}
	for _, e := range events {
		p.lastID = e.ID - 1
		p.appendEventLocked(e)
	}
}

// revokeSessions ends the sessions and login links of user, as a new
// password or a disabled account does. a.mu must be held.
func (a *Auth) revokeSessions(user string, at time.Time) {
	for _, c := range a.creds {
		if c.UserName == user && !persisted(c) && c.RevokedAt.IsZero() {
			c.RevokedAt = at
		}
	}
}
