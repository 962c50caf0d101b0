package data

import (
	"time"

	"jingge/geo"
	"jingge/geo/patrol"
)

// Dump is the whole state of a store, to move it to another: the
// embedded store's data directory into PostGIS when a bureau grows
// (`jingge import --data-dir`).
type Dump struct {
	// Dataset is the dataset in force: meta, county, townships, the
	// stations in force and the members.
	Dataset *geo.Dataset
	// Stations holds every station any grid version names, in force or not.
	Stations []geo.Station
	// Versions holds every grid version ever in force, oldest first, and
	// Ords the dataset position of each (which orders snapshots).
	Versions []GridVersion
	Ords     []int
	// Incidents carry their ids.
	Incidents  []geo.Incident
	Plans      []Plan
	Assessment []AssessmentEntry
	// Pings are the kept positions; States the officers' states; Events
	// the kept events, with their ids, oldest first.
	Pings  []geo.Ping
	States []patrol.State
	Events []patrol.Event
	// Users and Credentials (tokens, sessions, login links), and the audit
	// log, oldest first, with its sequence numbers.
	Users       []User
	Credentials []Credential
	Audit       []AuditEntry
	// IncidentKeys and PingKeys are the idempotency keys of committed
	// batches, each in its caller's scope with its first use, so a client
	// retrying a batch across the move is answered as a replay, not
	// stored twice.
	IncidentKeys []BatchKey
	PingKeys     []BatchKey
	// Visits carry their ids, oldest first; VisitKeys are their
	// idempotency keys (IDs holds the one visit's id).
	Visits    []geo.Visit
	VisitKeys []BatchKey
	// Disputes and Tasks likewise, with their keys.
	Disputes    []geo.DisputeCase
	DisputeKeys []BatchKey
	Tasks       []geo.Task
	TaskKeys    []BatchKey
	// AnswerKeys are the idempotency keys of grid edits, plan applies,
	// assessment entries and task and dispute changes with the answers kept under them, oldest first.
	AnswerKeys []KeptAnswer
}

// KeptAnswer is an answer a store keeps under an AnswerKey.
type KeptAnswer struct {
	Scope, Key string
	Digest     []byte
	Answer     Answer // At is when the key was first used
}

// BatchKey is a committed batch's idempotency key as a store keeps it.
type BatchKey struct {
	Scope, Key string
	// Digest fingerprints the batch (BatchDigest, PingDigest): a retry
	// with another body under the key is a conflict.
	Digest []byte
	// IDs are the ids an incident batch was given; none for pings.
	IDs []string
	// At is when the key was first used.
	At time.Time
}
