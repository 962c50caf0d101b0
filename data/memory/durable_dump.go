package memory

import (
	"context"
	"slices"
	"strings"
	"time"

	"jingge/data"
	"jingge/data/memory/archive"
	"jingge/geo"
	"jingge/geo/patrol"
)

// Dump returns the whole state, copied, with every lock held so it is one
// moment's: what `jingge import --data-dir` moves into PostGIS. It holds
// the archived history too, read from its segments.
func (d *Durable) Dump(ctx context.Context) (*data.Dump, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, p, pt, a := d.Store, d.PlanStore, d.Patrols, d.Auth
	s.mu.Lock()
	defer s.mu.Unlock()
	s.incidents.mu.RLock()
	defer s.incidents.mu.RUnlock()
	s.visits.Mu.RLock()
	defer s.visits.Mu.RUnlock()
	s.disputes.Mu.RLock()
	defer s.disputes.Mu.RUnlock()
	s.tasks.Mu.RLock()
	defer s.tasks.Mu.RUnlock()
	pt.mu.Lock()
	defer pt.mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refreshLocked()
	out := &data.Dump{Dataset: Clone(s.ds), Ords: slices.Clone(s.ords)}
	for _, v := range s.versions {
		v.Grid = cloneGrid(v.Grid)
		out.Versions = append(out.Versions, v)
	}
	named := map[string]bool{}
	for _, v := range s.versions {
		named[v.Grid.StationID] = true
	}
	for _, st := range s.ds.Stations {
		named[st.ID] = true
	}
	for id, st := range s.stations {
		if named[id] {
			out.Stations = append(out.Stations, st)
		}
	}
	slices.SortFunc(out.Stations, func(x, y geo.Station) int { return strings.Compare(x.ID, y.ID) })
	for _, r := range s.incidents.rows {
		out.Incidents = append(out.Incidents, r.inc)
	}
	for k, b := range s.incidents.keys {
		out.IncidentKeys = append(out.IncidentKeys, data.BatchKey{Scope: k.scope, Key: k.key, Digest: slices.Clone(b.digest), IDs: slices.Clone(b.ids), At: b.at})
	}
	slices.SortFunc(out.IncidentKeys, func(x, y data.BatchKey) int { return x.At.Compare(y.At) })
	out.Visits, out.VisitKeys = s.visits.Dump()
	out.Disputes, out.DisputeKeys = s.disputes.Dump()
	out.Tasks, out.TaskKeys = s.tasks.Dump()
	for _, r := range s.answers {
		out.AnswerKeys = append(out.AnswerKeys, data.KeptAnswer{Scope: r.Scope, Key: r.Key, Digest: slices.Clone(r.Digest), Answer: r.answer()})
	}
	slices.SortFunc(out.AnswerKeys, func(x, y data.KeptAnswer) int { return x.Answer.At.Compare(y.Answer.At) })
	for _, pl := range p.plans {
		out.Plans = append(out.Plans, clonePlan(pl))
	}
	for _, e := range p.entries {
		out.Assessment = append(out.Assessment, e)
	}
	addPings := func(officer string, list []archive.Ping) {
		for _, sp := range list {
			out.Pings = append(out.Pings, geo.Ping{OfficerID: officer, At: time.Unix(0, sp.At).UTC(), Location: [2]float64{sp.Lon, sp.Lat},
				SpeedMPS: float64(sp.Speed), HeadingDeg: float64(sp.Heading), GridID: sp.Grid})
		}
	}
	if err := d.arch.ArchivedPings(addPings); err != nil {
		return nil, err
	}
	for officer, list := range pt.pings {
		addPings(officer, list)
	}
	for _, st := range pt.states {
		out.States = append(out.States, st)
	}
	pt.expireKeysLocked(pt.opts.Now())
	for _, k := range pt.keyQueue { // oldest first
		out.PingKeys = append(out.PingKeys, data.BatchKey{Scope: k.key.scope, Key: k.key.key, Digest: slices.Clone(pt.keys[k.key].digest), At: k.at})
	}
	if err := d.arch.ArchivedEvents(func(e patrol.Event) { out.Events = append(out.Events, e) }); err != nil {
		return nil, err
	}
	n := len(pt.events)
	for i := range n {
		out.Events = append(out.Events, pt.events[(pt.head+i)%n])
	}
	for _, u := range a.users {
		out.Users = append(out.Users, u)
	}
	slices.SortFunc(out.Users, func(x, y data.User) int { return strings.Compare(x.Name, y.Name) })
	for _, c := range a.creds {
		out.Credentials = append(out.Credentials, *c)
	}
	slices.SortFunc(out.Credentials, func(x, y data.Credential) int { return x.CreatedAt.Compare(y.CreatedAt) })
	if err := d.arch.ArchivedAudit(func(e data.AuditEntry) { out.Audit = append(out.Audit, e) }); err != nil {
		return nil, err
	}
	for i := a.auditLen; i >= 1; i-- {
		out.Audit = append(out.Audit, a.newestAuditLocked(i))
	}
	return out, nil
}
