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
	apply, ok := replayers[kind]
	if !ok {
		return fmt.Errorf("memory: a journal record of unknown kind %d: was the directory written by a newer jingge?", kind)
	}
	return apply(d, kind, payload[1:])
}

// replayer applies the body of one kind of journal record.
type replayer func(d *Durable, kind recordKind, body []byte) error

// replayers holds the replayer of every kind of record the journal
// writes; replay refuses a kind it does not list.
var replayers = map[recordKind]replayer{
	recDataset: gobRecord(func(d *Durable, r datasetRecord) error {
		d.Store.applyLocked(r.Dataset, r.At, classify(d.Store.ds, r.Dataset))
		return nil
	}),
	recGridEdit: gobRecord(func(d *Durable, r gridEditRecord) error {
		d.Store.keepLocked(r.Answer)
		return d.Store.replayGridEdit(r)
	}),
	recAnswer: gobRecord(func(d *Durable, r answerRecord) error {
		d.Store.keepLocked(&r)
		return nil
	}),
	recIncidents: gobRecord(func(d *Durable, r incidentsRecord) error { return d.Store.incidents.replayAdd(r) }),
	recIncidentUpdate: gobRecord(func(d *Durable, r incidentUpdateRecord) error {
		row, ok := d.Store.incidents.byID[r.ID]
		if !ok {
			return fmt.Errorf("memory: the journal updates incident %d, which it never added", r.ID)
		}
		row.inc = r.Incident
		return nil
	}),
	recPlan: gobRecord(func(d *Durable, r planRecord) error {
		d.PlanStore.plans = append(d.PlanStore.plans, r.Plan)
		return nil
	}),
	recPlanApplied: gobRecord(func(d *Durable, r planAppliedRecord) error {
		s, p := d.Store, d.PlanStore
		if r.Plan < 0 || r.Plan >= len(p.plans) {
			return fmt.Errorf("memory: the journal applies plan %d, which it never saved", r.Plan+1)
		}
		s.applyLocked(r.Dataset, r.At, classify(s.ds, r.Dataset))
		p.plans[r.Plan].AppliedAt, p.plans[r.Plan].AppliedBy = storeTime(r.At), r.Actor
		s.keepLocked(r.Answer)
		return nil
	}),
	recAssessment: gobRecord(func(d *Durable, r assessmentRecord) error {
		for _, e := range r.Entries {
			d.PlanStore.entries[[2]string{e.StationID, e.Month}] = e
		}
		d.Store.keepLocked(r.Answer)
		return nil
	}),
	recPings: replayPings,
	recSweep: gobRecord(func(d *Durable, r sweepRecord) error {
		d.Patrols.replayOutcome(r.States, r.Events)
		return nil
	}),
	recUnvisited: gobRecord(replayUnvisited),
	recAudit: gobRecord(func(d *Durable, r auditRecord) error {
		d.Auth.seq = r.FirstSeq - 1
		return d.Auth.AppendAudit(context.Background(), r.Entries)
	}),
	recCredential: gobRecord(func(d *Durable, r credentialRecord) error {
		a, c := d.Auth, r.Credential
		if _, ok := a.creds[c.ID]; !ok {
			a.creds[c.ID] = &c
			a.hash[c.Hash] = c.ID
		}
		return nil
	}),
	recCredentialUse: gobRecord(func(d *Durable, r credentialUseRecord) error {
		if c, ok := d.Auth.creds[r.ID]; ok { // a token may have gone from the auth file since
			if r.LastUsedAt.After(c.LastUsedAt) {
				c.LastUsedAt = r.LastUsedAt
			}
			if !r.RevokedAt.IsZero() && c.RevokedAt.IsZero() {
				c.RevokedAt = r.RevokedAt
			}
		}
		return nil
	}),
	recRevokeSessions: gobRecord(func(d *Durable, r revokeSessionsRecord) error {
		d.Auth.revokeSessions(r.User, r.At)
		return nil
	}),
	recOverlay: gobRecord(func(d *Durable, r overlayRecord) error {
		d.Store.replayOverlay(r)
		return nil
	}),
	recCheckpoint: gobRecord(func(d *Durable, r checkpointRecord) error {
		d.Store.replayCheckpoint(r)
		return nil
	}),
	recVisit: gobRecord(func(d *Durable, r visitRecord) error {
		return d.Store.visits.ReplayAdd(r.Visit, r.Visit.ID, r.Scope, r.Key, r.Digest)
	}),
	recDispute: gobRecord(func(d *Durable, r disputeRecord) error {
		return d.Store.disputes.ReplayAdd(r.Dispute, r.Dispute.ID, r.Scope, r.Key, r.Digest)
	}),
	recDisputeUpdate: gobRecord(func(d *Durable, r disputeUpdateRecord) error {
		return d.Store.disputes.ReplayUpdate(r.Dispute, r.Dispute.ID)
	}),
	recTask: gobRecord(func(d *Durable, r taskRecord) error {
		return d.Store.tasks.ReplayAdd(r.Task, r.Task.ID, r.Scope, r.Key, r.Digest)
	}),
	recTaskUpdate: gobRecord(func(d *Durable, r taskUpdateRecord) error { return d.Store.tasks.ReplayUpdate(r.Task, r.Task.ID) }),

	// Disputes and tasks changed under a key (work_keyed.go).
	recTaskUpdateKeyed:    gobRecord(replayTaskKeyedUpdate),
	recDisputeUpdateKeyed: gobRecord(replayDisputeKeyedUpdate),

	recPrune: gobRecord(func(d *Durable, r pruneRecord) error {
		d.pruneLocked(PruneOptions{PingsBefore: r.PingsBefore, IncidentKeysBefore: r.IncidentKeysBefore})
		return nil
	}),
}

// gobRecord is the replayer of a record whose body is one gob value of
// type T, applied by apply.
func gobRecord[T any](apply func(d *Durable, r T) error) replayer {
	return func(d *Durable, kind recordKind, body []byte) error {
		var r T
		if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&r); err != nil {
			return fmt.Errorf("memory: decoding a journal record of kind %d: %w", kind, err)
		}
		return apply(d, r)
	}
}

// replayPings applies a batch of pings (their own binary layout, see
// decodePingsRecord) with its key and the states and events it made.
func replayPings(d *Durable, _ recordKind, body []byte) error {
	r, err := decodePingsRecord(body)
	if err != nil {
		return err
	}
	pt := d.Patrols
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
