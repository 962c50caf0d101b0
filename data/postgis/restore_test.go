package postgis_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/patrol"
)

// A bureau that started on the embedded store moves to PostGIS without
// losing anything: the grid history, incidents with their ids, plans,
// assessment figures, pings, states and events, users, credentials and
// the audit log all arrive, and a database already in use is refused.
func TestRestoreFromDataDirectory(t *testing.T) {
	ctx := context.Background()
	ds := storetest.WithOverlays()
	d, err := memory.OpenDir(t.TempDir(), memory.DirOptions{Seed: func(d *memory.Durable) error {
		_, err := d.Import(ctx, ds, data.ImportOptions{})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// What users did: a grid edit, incidents, a plan, an assessment
	// entry, pings with their events, a user with a token and a session,
	// audit entries.
	time.Sleep(time.Millisecond) // the edit's version starts after the seed's
	g := *gridOf(ds, "C0-0")
	g.Population = 4242
	if _, err := d.EditGrid(ctx, data.GridEdit{Grid: g}); err != nil {
		t.Fatal(err)
	}
	ids := storetest.AddIncidents(t, d, storetest.RandomIncidents(3, 40, storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound(), time.Now()))
	cur, _ := d.Snapshot(ctx)
	plan, err := d.SavePlan(ctx, data.Plan{CreatedBy: "ops", Note: "move one grid", Dataset: data.Fingerprint(cur), Grids: map[string]string{"P0-0": "s01"}, Officers: map[string]int{"s01": 3}, Document: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	entry := data.AssessmentEntry{StationID: "s01", Month: "2026-03", Familiarity: data.Ratio{Numerator: 3, Denominator: 4}}
	entriesKey := &data.AnswerKey{Scope: "ops", Key: "entries-1", Digest: []byte("PUT entries")}
	entriesAnswer := data.Answer{Status: 200, ContentType: "application/json", Body: []byte(`{"saved":1,"months":["2026-03"]}`)}
	if err := d.PutAssessment(ctx, data.AssessmentWrite{Entries: []data.AssessmentEntry{entry}, Actor: "ops", Key: entriesKey, Answer: func() data.Answer { return entriesAnswer }}); err != nil {
		t.Fatal(err)
	}
	ix, _ := geo.NewIndex(cur)
	rules := patrol.NewRules(ix, patrol.Options{})
	t0 := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	var pings []geo.Ping
	for i, id := range []string{"C0-0", "C1-0", "C0-0"} {
		p := geo.Ping{OfficerID: "m-P0-0", At: t0.Add(time.Duration(i) * time.Second), Location: gridOf(cur, id).Geometry.Bound().Center(), SpeedMPS: 1, HeadingDeg: 90}
		p.GridID = patrol.GridAt(ix, p.Location)
		pings = append(pings, p)
	}
	res, err := d.Patrols.RecordPings(ctx, data.PingBatch{Pings: pings, Rules: rules})
	if err != nil || len(res.Events) == 0 {
		t.Fatalf("RecordPings: %d events, %v", len(res.Events), err)
	}
	if err := d.Auth.CreateUser(ctx, data.User{Name: "ops", Role: data.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	secret, hash, credID := data.NewSecret(data.KindToken)
	if err := d.Auth.CreateCredential(ctx, data.Credential{ID: credID, Kind: data.KindToken, UserName: "ops", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	if err := d.Auth.AppendAudit(ctx, []data.AuditEntry{{At: time.Now(), Actor: "ops", Action: "editGrid"}, {At: time.Now(), Actor: "ops", Action: "savePlan"}}); err != nil {
		t.Fatal(err)
	}

	visit := geo.Visit{OfficerID: "m-P0-0", At: t0, Location: gridOf(cur, "C0-0").Geometry.Bound().Center(), Kind: geo.HomeService,
		Whom: "3号楼", KeyPlaceID: "kp-1", CommunityGridID: "C0-0", PoliceGridID: "P0-0", StationID: "s01"}
	vres, err := d.AddVisit(ctx, data.VisitWrite{Visit: visit, Key: "visit-1", Scope: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	area := ds.Areas[0]
	area.Liaison.Phone = "13900000099"
	if _, err := d.PutArea(ctx, data.AreaEdit{Area: area}); err != nil {
		t.Fatal(err)
	}

	dump, err := d.Dump(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := postgistest.MustOpen(t)
	if err := st.Restore(ctx, dump); err != nil {
		t.Fatalf("Restore: %v", err)
	}

	// The keyed entries moved with their answer: a retry after the move
	// is a replay, not a second write.
	if kept, err := st.Answered(ctx, *entriesKey); err != nil || string(kept.Body) != string(entriesAnswer.Body) || kept.Status != 200 {
		t.Errorf("the answer kept under the entries' key after the move: %+v, %v", kept, err)
	}
	if err := st.PutAssessment(ctx, data.AssessmentWrite{Entries: []data.AssessmentEntry{entry}, Actor: "ops", Key: entriesKey, Answer: func() data.Answer { return entriesAnswer }}); err == nil {
		t.Error("the entries retried under their key after the move were written again")
	} else if _, ok := data.AsReplay(err); !ok {
		t.Errorf("the entries retried under their key after the move: %v, want a replay", err)
	}

	want, _ := d.Snapshot(ctx)
	got, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.SameDataset(t, want, got)
	if got.Areas[0].Version != 2 || got.Places[0].Version != 1 {
		t.Errorf("after the move area %s has version %d and place %s %d, want 2 and 1", got.Areas[0].ID, got.Areas[0].Version, got.Places[0].ID, got.Places[0].Version)
	}
	wh, _ := d.GridHistory(ctx, "C0-0")
	gh, err := st.GridHistory(ctx, "C0-0")
	if err != nil || len(gh) != len(wh) || len(gh) != 2 {
		t.Fatalf("history of C0-0: %d versions (%v), want %d", len(gh), err, len(wh))
	}
	for i := range gh {
		if gh[i].Version != wh[i].Version || gh[i].Grid.Population != wh[i].Grid.Population || !gh[i].ValidFrom.Equal(wh[i].ValidFrom.Truncate(time.Microsecond)) {
			t.Errorf("version %d: %+v, want %+v", i+1, gh[i], wh[i])
		}
	}
	before, _ := d.SnapshotAt(ctx, wh[1].ValidFrom.Add(-time.Microsecond))
	pgBefore, _ := st.SnapshotAt(ctx, wh[1].ValidFrom.Add(-time.Microsecond))
	storetest.SameDataset(t, before, pgBefore)
	// The visit, its key (a retry is a replay) and the id sequence past it.
	if again, err := st.AddVisit(ctx, data.VisitWrite{Visit: visit, Key: "visit-1", Scope: "ops"}); err != nil || !again.Replayed || again.Visit.ID != vres.Visit.ID || again.Visit.KeyPlaceID != "kp-1" {
		t.Errorf("the visit after the move: %+v, %v; want a replay of %s", again, err, vres.Visit.ID)
	}
	if next, err := st.AddVisit(ctx, data.VisitWrite{Visit: visit}); err != nil || next.Visit.ID == vres.Visit.ID {
		t.Errorf("a new visit after the move: %+v, %v; want a new id", next, err)
	}
	for _, id := range ids {
		w, _ := d.Incident(ctx, id)
		g, err := st.Incident(ctx, id)
		if err != nil || g.Category != w.Category || g.PoliceGridID != w.PoliceGridID || !g.OccurredAt.Equal(w.OccurredAt.Truncate(time.Microsecond)) {
			t.Errorf("incident %s: %+v, %v; want %+v", id, g, err, w)
		}
	}
	more, err := st.AddIncidents(ctx, storetest.Attribute(t, st, storetest.RandomIncidents(4, 1, storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound(), time.Now())))
	if err != nil || slices.Contains(ids, more.IDs[0]) {
		t.Errorf("a new incident after the move got id %v (%v), which an old one has", more.IDs, err)
	}
	if p, err := st.Plan(ctx, plan.ID); err != nil || p.Note != plan.Note || string(p.Document) != `{"a":1}` {
		t.Errorf("plan %s: %+v, %v", plan.ID, p, err)
	}
	if es, err := st.Assessment(ctx, "2026-03", "2026-03"); err != nil || len(es) != 1 || es[0].Familiarity != entry.Familiarity {
		t.Errorf("assessment: %+v, %v", es, err)
	}
	pp := postgis.NewPatrols(st, postgis.PatrolOptions{})
	defer pp.Close()
	track, _, err := pp.Track(ctx, "m-P0-0", t0.Add(-time.Hour), t0.Add(time.Hour), 1000)
	if err != nil || len(track) != len(pings) {
		t.Errorf("track: %d pings, %v; want %d", len(track), err, len(pings))
	}
	evs, err := pp.EventsAfter(ctx, 0, 100)
	if err != nil || len(evs) != len(res.Events) || evs[len(evs)-1].ID != res.Events[len(res.Events)-1].ID {
		t.Errorf("events: %+v, %v; want %+v", evs, err, res.Events)
	}
	if _, err := st.Authenticate(ctx, data.KindToken, data.HashSecret(secret), time.Now()); err != nil {
		t.Errorf("the token made before the move: %v", err)
	}
	audit, err := st.QueryAudit(ctx, data.AuditQuery{Actor: "ops"})
	if err != nil || len(audit) != 2 {
		t.Errorf("audit: %+v, %v", audit, err)
	}
	if err := st.Restore(ctx, dump); !errors.Is(err, postgis.ErrNotEmpty) {
		t.Errorf("a second restore into the same database: %v, want ErrNotEmpty", err)
	}
}

func gridOf(ds *geo.Dataset, id string) *geo.Grid {
	for i := range ds.Grids {
		if ds.Grids[i].ID == id {
			return &ds.Grids[i]
		}
	}
	return nil
}

// The idempotency keys move too, in their callers' scopes: a client that
// sent a batch to the embedded store and retries it against PostGIS after
// the move is answered as a replay (with the first ids), a changed body
// under the key is a conflict, and another caller's same key is a new
// batch.
func TestRestoreKeepsBatchKeys(t *testing.T) {
	ctx := context.Background()
	ds := storetest.Small()
	d, err := memory.OpenDir(t.TempDir(), memory.DirOptions{Seed: func(d *memory.Durable) error {
		_, err := d.Import(ctx, ds, data.ImportOptions{})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	bound := storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound()
	batch := storetest.Attribute(t, d, storetest.RandomIncidents(5, 3, bound, time.Now()))
	batch.Scope, batch.Key = "console-7", "console-7:0001"
	first, err := d.AddIncidents(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	ix, _ := geo.NewIndex(ds)
	rules := patrol.NewRules(ix, patrol.Options{})
	p := geo.Ping{OfficerID: "m-P0-0", At: time.Now().Add(-time.Minute).Truncate(time.Millisecond), Location: gridOf(ds, "C0-0").Geometry.Bound().Center(), SpeedMPS: 1}
	p.GridID = patrol.GridAt(ix, p.Location)
	pings := data.PingBatch{Scope: "m-P0-0", Key: "phone-3:77", Pings: []geo.Ping{p}, Rules: rules}
	if _, err := d.Patrols.RecordPings(ctx, pings); err != nil {
		t.Fatal(err)
	}
	dump, err := d.Dump(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := postgistest.MustOpen(t)
	if err := st.Restore(ctx, dump); err != nil {
		t.Fatalf("Restore: %v", err)
	}

	again, err := st.AddIncidents(ctx, batch)
	if err != nil || !again.Replayed || !slices.Equal(again.IDs, first.IDs) {
		t.Errorf("an incident batch retried after the move: %+v, %v; want a replay with ids %v", again, err, first.IDs)
	}
	changed := storetest.Attribute(t, st, storetest.RandomIncidents(6, 1, bound, time.Now()))
	changed.Scope, changed.Key = batch.Scope, batch.Key
	if _, err := st.AddIncidents(ctx, changed); !errors.Is(err, data.ErrConflict) {
		t.Errorf("another batch under a moved key: %v, want a conflict", err)
	}
	other := batch
	other.Scope = "console-8"
	if res, err := st.AddIncidents(ctx, other); err != nil || res.Replayed {
		t.Errorf("another caller's batch under the same key: %+v, %v; want it stored", res, err)
	}
	pp := postgis.NewPatrols(st, postgis.PatrolOptions{})
	defer pp.Close()
	pings.Rules = patrol.NewRules(ix, patrol.Options{})
	if res, err := pp.RecordPings(ctx, pings); err != nil || !res.Replayed {
		t.Errorf("a ping batch retried after the move: %+v, %v; want a replay", res, err)
	}
	track, _, err := pp.Track(ctx, "m-P0-0", p.At.Add(-time.Hour), p.At.Add(time.Hour), -1)
	if err != nil || len(track) != 1 {
		t.Errorf("the retried ping was stored twice: %d pings, %v", len(track), err)
	}
}
