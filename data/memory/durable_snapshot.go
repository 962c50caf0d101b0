package memory

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"jingge/data"
	"jingge/data/memory/archive"
	"jingge/data/memory/worktable"
	"jingge/geo"
	"jingge/geo/patrol"
)

// snapshotVersion is the format of a snapshot; a directory holding a
// newer one is refused rather than misread. Format 2 added the archive:
// a jingge that reads only format 1 would not see the archived history,
// and its next compaction would leave the segments unnamed.
const snapshotVersion = 2

// snapshotState is the whole state of a Durable: what a snapshot holds.
type snapshotState struct {
	Version int
	// Seed says what was written at the directory's first start (the
	// synthetic demo year), and when; empty if nothing was.
	Seed   string
	SeedAt time.Time

	Dataset        *geo.Dataset
	Versions       []data.GridVersion
	Ords           []int
	Current        map[string]int
	Stations       map[string]geo.Station
	Incidents      []geo.Incident // in the table's order
	NextIncidentID int64
	IncidentKeys   []snapshotBatch
	// Visits are in the table's order; absent from snapshots written
	// before visits were kept, which gob reads as none.
	Visits      []geo.Visit
	NextVisitID int64
	VisitKeys   []worktable.Key
	// Disputes and tasks likewise, absent from older snapshots.
	Disputes      []geo.DisputeCase
	NextDisputeID int64
	DisputeKeys   []worktable.Key
	Tasks         []geo.Task
	NextTaskID    int64
	TaskKeys      []worktable.Key
	// Answers are the answers kept under idempotency keys of grid edits,
	// plan applies, assessment entries and task and dispute changes; absent from older snapshots.
	Answers []answerRecord

	Plans      []data.Plan
	Assessment []data.AssessmentEntry

	Pings       map[string]snapshotPings
	States      map[string]patrol.State
	Changed     map[string]int64
	Counter     int64
	Events      []patrol.Event // oldest first
	LastEventID int64
	PingKeys    []snapshotKey
	// Unvisited is each police grid's latest GridUnvisited event time;
	// absent from snapshots written before it was kept.
	Unvisited map[string]time.Time

	Credentials []data.Credential // sessions and login links
	LastUsed    map[string]time.Time
	Audit       []data.AuditEntry // oldest first
	AuditSeq    int64

	// Archive names the segments holding what left the hot windows.
	Archive archive.Index
}

type snapshotBatch struct {
	Scope, Key string
	Digest     []byte
	IDs        []string
	At         time.Time
}

// snapshotPings holds one officer's pings column by column, which gob
// encodes and decodes much faster than a slice of structs.
type snapshotPings struct {
	At             []int64
	Lon, Lat       []float64
	Speed, Heading []float32
	Grid           []string
}

type snapshotKey struct {
	Scope  string
	Key    string
	Digest []byte
	At     time.Time
}

// encodeSnapshotLocked encodes the whole state held in memory, and the
// archive ix, which holds the rest. Every lock of the stores must be held.
func (d *Durable) encodeSnapshotLocked(ix archive.Index) ([]byte, error) {
	s, p, pt, a := d.Store, d.PlanStore, d.Patrols, d.Auth
	st := snapshotState{
		Version: snapshotVersion, Seed: d.seed, SeedAt: d.seedAt,
		Dataset: s.ds, Versions: s.versions, Ords: s.ords, Current: s.current, Stations: s.stations,
		NextIncidentID: s.incidents.nextID,
		Plans:          p.plans,
		Pings:          make(map[string]snapshotPings, len(pt.pings)),
		States:         pt.states, Changed: pt.changed, Counter: pt.counter, LastEventID: pt.lastID,
		LastUsed: map[string]time.Time{},
		AuditSeq: a.seq,
		Archive:  ix,
	}
	st.Unvisited = pt.unvisited
	st.Incidents = make([]geo.Incident, len(s.incidents.rows))
	for i, r := range s.incidents.rows {
		st.Incidents[i] = r.inc
	}
	for k, b := range s.incidents.keys {
		st.IncidentKeys = append(st.IncidentKeys, snapshotBatch{Scope: k.scope, Key: k.key, Digest: b.digest, IDs: b.ids, At: b.at})
	}
	st.Visits, st.NextVisitID, st.VisitKeys = s.visits.Snapshot()
	st.Disputes, st.NextDisputeID, st.DisputeKeys = s.disputes.Snapshot()
	st.Tasks, st.NextTaskID, st.TaskKeys = s.tasks.Snapshot()
	for _, e := range p.entries {
		st.Assessment = append(st.Assessment, e)
	}
	for _, r := range s.answers {
		st.Answers = append(st.Answers, r)
	}
	for officer, list := range pt.pings {
		var c snapshotPings
		for _, sp := range list {
			c.At = append(c.At, sp.At)
			c.Lon, c.Lat = append(c.Lon, sp.Lon), append(c.Lat, sp.Lat)
			c.Speed, c.Heading = append(c.Speed, sp.Speed), append(c.Heading, sp.Heading)
			c.Grid = append(c.Grid, sp.Grid)
		}
		st.Pings[officer] = c
	}
	n := len(pt.events)
	for i := range n {
		st.Events = append(st.Events, pt.events[(pt.head+i)%n])
	}
	for _, k := range pt.keyQueue {
		st.PingKeys = append(st.PingKeys, snapshotKey{Scope: k.key.scope, Key: k.key.key, Digest: pt.keys[k.key].digest, At: k.at})
	}
	for _, c := range a.creds {
		if !persisted(c) || a.file == nil {
			st.Credentials = append(st.Credentials, *c)
		} else if !c.LastUsedAt.IsZero() {
			st.LastUsed[c.ID] = c.LastUsedAt
		}
	}
	slices.SortFunc(st.Credentials, func(x, y data.Credential) int { return x.CreatedAt.Compare(y.CreatedAt) })
	for i := a.auditLen; i >= 1; i-- {
		st.Audit = append(st.Audit, a.newestAuditLocked(i))
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&st); err != nil {
		return nil, fmt.Errorf("memory: encoding a snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// restore sets the stores to the snapshot read from r. It runs at open,
// before the stores are shared, after the auth file was read.
func (d *Durable) restore(r io.Reader) error {
	var st snapshotState
	if err := gob.NewDecoder(r).Decode(&st); err != nil {
		return fmt.Errorf("memory: decoding the snapshot: %w", err)
	}
	if st.Version < 1 || st.Version > snapshotVersion {
		return fmt.Errorf("memory: the snapshot has format %d; this jingge reads formats 1 to %d: was the directory written by a newer jingge?", st.Version, snapshotVersion)
	}
	s, p := d.Store, d.PlanStore
	d.seed, d.seedAt = st.Seed, st.SeedAt
	if st.Dataset != nil {
		s.ds = st.Dataset
	}
	s.versions, s.ords = st.Versions, st.Ords
	s.current, s.stations = orEmpty(st.Current), orEmpty(st.Stations)
	if err := s.restoreIncidents(&st); err != nil {
		return err
	}
	if err := s.visits.Restore(st.Visits, st.NextVisitID, st.VisitKeys, func(v *geo.Visit) string { return v.ID }); err != nil {
		return err
	}
	if err := s.disputes.Restore(st.Disputes, st.NextDisputeID, st.DisputeKeys, func(d *geo.DisputeCase) string { return d.ID }); err != nil {
		return err
	}
	if err := s.tasks.Restore(st.Tasks, st.NextTaskID, st.TaskKeys, func(t *geo.Task) string { return t.ID }); err != nil {
		return err
	}
	s.answers = make(map[scopedKey]answerRecord, len(st.Answers))
	for _, r := range st.Answers {
		s.keepLocked(&r)
	}
	p.plans = st.Plans
	for _, e := range st.Assessment {
		p.entries[[2]string{e.StationID, e.Month}] = e
	}
	d.Patrols.restore(&st)
	d.Auth.restore(&st)
	d.arch.SetIndex(st.Archive)
	return nil
}

// restoreIncidents sets the incidents, with their keys, to the snapshot's.
func (s *Store) restoreIncidents(st *snapshotState) error {
	t := &s.incidents
	t.byID, t.keys = make(map[int64]*incidentRow, len(st.Incidents)), make(map[scopedKey]committedBatch, len(st.IncidentKeys))
	t.rows = make([]*incidentRow, len(st.Incidents))
	rows := make([]incidentRow, len(st.Incidents)) // one allocation for a year of incidents
	for i, inc := range st.Incidents {
		id, err := parseIncidentID(inc.ID)
		if err != nil {
			return err
		}
		rows[i] = incidentRow{id: id, inc: inc}
		t.rows[i] = &rows[i]
		t.byID[id] = &rows[i]
	}
	t.nextID = st.NextIncidentID
	for _, b := range st.IncidentKeys {
		t.keys[scopedKey{b.Scope, b.Key}] = committedBatch{digest: b.Digest, ids: b.IDs, at: b.At}
	}
	return nil
}

// restore sets the pings, officer states, events and ping keys to the
// snapshot's.
func (pt *Patrols) restore(st *snapshotState) {
	for officer, c := range st.Pings {
		list := make([]archive.Ping, len(c.At))
		for i := range list {
			list[i] = archive.Ping{At: c.At[i], Lon: c.Lon[i], Lat: c.Lat[i], Speed: c.Speed[i], Heading: c.Heading[i], Grid: c.Grid[i]}
		}
		pt.pings[officer] = list
	}
	pt.states, pt.changed = orEmpty(st.States), orEmpty(st.Changed)
	pt.counter, pt.lastID = st.Counter, st.LastEventID
	pt.unvisited = orEmpty(st.Unvisited)
	pt.events, pt.head = nil, 0
	for _, e := range st.Events {
		pt.lastID = e.ID - 1
		pt.appendEventLocked(e)
	}
	pt.lastID = st.LastEventID
	for _, k := range st.PingKeys {
		key := scopedKey{k.Scope, k.Key}
		pt.keys[key] = keyRecord{digest: k.Digest, at: k.At}
		pt.keyQueue = append(pt.keyQueue, keyEntry{key, k.At})
	}
}

// restore sets the credentials and the audit log to the snapshot's,
// keeping credentials the auth file already gave.
func (a *Auth) restore(st *snapshotState) {
	for _, c := range st.Credentials {
		if _, ok := a.creds[c.ID]; !ok {
			a.creds[c.ID] = &c
			a.hash[c.Hash] = c.ID
		}
	}
	for id, at := range st.LastUsed {
		if c, ok := a.creds[id]; ok && at.After(c.LastUsedAt) {
			c.LastUsedAt = at
		}
	}
	for _, e := range st.Audit { // the newest AuditCapacity, with their numbers
		a.appendAuditLocked(e)
	}
	a.seq = st.AuditSeq
}

func orEmpty[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}

func parseIncidentID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("memory: the snapshot holds an incident with id %q", s)
	}
	return id, nil
}
