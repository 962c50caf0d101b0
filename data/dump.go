package data

import (
	"jingge/geo"
	"jingge/geo/patrol"
)

// Dump is the whole state of a store, to move it to another: the
// embedded store's data directory into PostGIS when a bureau grows
// (`jingge import --data-dir`). Idempotency keys are left out: they matter
// only to clients retrying across the move.
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
}
