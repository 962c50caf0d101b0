package memory

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"time"

	"jingge/data"
	"jingge/data/journal"
	"jingge/geo"
	"jingge/geo/patrol"
)

// journaler sends a store's changes to its data directory. Write methods
// log a record under the lock that orders the change, and wait for the
// disk after releasing it (settle), so concurrent writers share a sync.
// A nil journaler is a store in memory only: log and settle do nothing.
type journaler struct {
	dir *journal.Dir
	// beforeWait, when set (tests only), runs in settle before it waits
	// for the disk, after the change was made and logged.
	beforeWait func()
}

// ticket is a logged record's place in the journal, or why it has none.
type ticket struct {
	seq uint64
	err error
	// replay marks the ticket of a first attempt a replay waits for
	// (replayTicket): settle waits for it even when the replay is
	// answered as an error (data.Replay).
	replay bool
}

// recordKind is the first byte of a journal record; the rest is the gob
// encoding of its record type, or for recPings its own binary layout
// (durable_pings.go). Kinds are never renumbered: directories
// written by older versions hold them.
type recordKind byte

const (
	recDataset recordKind = iota + 1
	recGridEdit
	recIncidents
	recIncidentUpdate
	recPlan
	recPlanApplied
	recAssessment
	recPings
	recSweep
	recAudit
	recCredential
	recCredentialUse
	recRevokeSessions
	recPrune
	recVisit
	recAnswer
	recOverlay
)

// Records say what a change did, not what was asked: replay applies them
// without validating again, so a rule tightened by an upgrade cannot
// reject at start-up a change an older version accepted.
type (
	datasetRecord struct {
		Dataset *geo.Dataset
		At      time.Time
	}
	gridEditRecord struct {
		Grid geo.Grid
		At   time.Time
		// Answer is kept under the edit's idempotency key; nil without
		// one (and in records written before keys were kept).
		Answer *answerRecord
	}
	incidentsRecord struct {
		Incidents []geo.Incident // with their ids
		Scope     string         // the idempotency key's caller
		Key       string
		Digest    []byte
		At        time.Time // when the key was first used
	}
	incidentUpdateRecord struct {
		ID       int64
		Incident geo.Incident
	}
	planRecord struct {
		Plan data.Plan
	}
	planAppliedRecord struct {
		Plan    int // position in PlanStore.plans
		Dataset *geo.Dataset
		At      time.Time
		Actor   string
		Answer  *answerRecord // as for gridEditRecord
	}
	assessmentRecord struct {
		Entries []data.AssessmentEntry
		Answer  *answerRecord // as for gridEditRecord
	}
	pingsRecord struct {
		Now    time.Time // the store's clock: retention and key expiry
		Scope  string    // the idempotency key's caller
		Key    string
		Digest []byte
		Pings  []geo.Ping
		States []patrol.State // the officers' states after the batch
		Events []patrol.Event // with their ids
	}
	sweepRecord struct {
		States []patrol.State
		Events []patrol.Event
	}
	auditRecord struct {
		FirstSeq int64
		Entries  []data.AuditEntry
	}
	credentialRecord struct {
		Credential data.Credential
	}
	credentialUseRecord struct {
		ID         string
		LastUsedAt time.Time
		RevokedAt  time.Time // zero: not revoked by this use
	}
	revokeSessionsRecord struct {
		User string
		At   time.Time
	}
	visitRecord struct {
		Visit  geo.Visit // with its id and recording time
		Scope  string    // the idempotency key's caller
		Key    string
		Digest []byte
	}
	pruneRecord struct {
		PingsBefore        time.Time
		IncidentKeysBefore time.Time
	}
)

// log appends a record of kind with body v to the journal. It must be
// called under the lock that orders the change it records.
func (j *journaler) log(kind recordKind, v any) ticket {
	if j == nil {
		return ticket{}
	}
	var buf bytes.Buffer
	buf.WriteByte(byte(kind))
	if rec, ok := v.(pingsRecord); ok {
		buf.Write(appendPingsRecord(nil, rec))
	} else if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return ticket{err: fmt.Errorf("encoding a journal record: %w", err)}
	}
	seq, err := j.dir.Append(buf.Bytes())
	return ticket{seq: seq, err: err}
}

// settle returns err if the change failed, else waits until its record is
// on disk: the change is acknowledged only then. A change that could not
// be stored is reported as unavailable (503), so a client retries it. A
// replay (tk from replayTicket) waits for the first attempt's record
// likewise, and returns err (nil, or the data.Replay) only once it is on
// disk.
func (j *journaler) settle(tk ticket, err error) error {
	if err != nil && !tk.replay || j == nil || (tk.seq == 0 && tk.err == nil) {
		return err
	}
	if err := tk.err; err != nil {
		return fmt.Errorf("memory: %w: the change was not stored: %w", data.ErrUnavailable, err)
	}
	if j.beforeWait != nil {
		j.beforeWait()
	}
	if err := j.dir.Wait(tk.seq); err != nil {
		return fmt.Errorf("memory: %w: the change was not stored: %w", data.ErrUnavailable, err)
	}
	return err
}

// pingsRecord is what RecordPings did, digest that of its key (nil
// without one).
func (p *Patrols) pingsRecord(b data.PingBatch, digest []byte, now time.Time, res data.PingResult) pingsRecord {
	return pingsRecord{Now: now, Scope: b.Scope, Key: b.Key, Digest: digest, Pings: b.Pings, States: res.States, Events: res.Events}
}

// sweepRecord is what SweepSilent did. p.mu must be held.
func (p *Patrols) sweepRecord(events []patrol.Event) sweepRecord {
	r := sweepRecord{Events: events}
	for _, e := range events {
		r.States = append(r.States, p.states[e.Officer])
	}
	return r
}
