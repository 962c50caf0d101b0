package storetest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
)

// IncidentStore is what the incident cases exercise: a suite Store that
// also keeps incidents and tells its grid epochs.
type IncidentStore interface {
	Store
	data.IncidentStore
	data.GridTimeline
}

// IncidentOpener returns a new, isolated store holding ds and no
// incidents; it closes the store when the test ends.
type IncidentOpener func(t *testing.T, ds *geo.Dataset) IncidentStore

var incidentSeed = flag.Uint64("incident-seed", 7, "seed of the random incidents of the store suite")

// RunIncidents runs the incident cases against the stores open returns.
func RunIncidents(t *testing.T, open IncidentOpener, parallel bool) {
	cases := []struct {
		name string
		fn   func(t *testing.T, open IncidentOpener)
	}{
		{"AddAndRead", testIncidentAddAndRead},
		{"BatchIsAtomic", testIncidentBatchAtomic},
		{"StaleAttributionConflicts", testIncidentStaleAttribution},
		{"IdempotentBatch", testIncidentIdempotent},
		{"KeysAreScopedToTheCaller", testIncidentKeysScoped},
		{"Lifecycle", testIncidentLifecycle},
		{"Filters", testIncidentFilters},
		{"PagingIsStable", testIncidentPaging},
		{"Aggregates", testIncidentAggregates},
		{"AttributionFollowsGridHistory", testAttributionHistory},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			c.fn(t, open)
		})
	}
}

// Attribute attributes batch with a fresh Attributor over st, failing t
// on any error, and returns it as a batch to add.
func Attribute(t testing.TB, st data.GridTimeline, batch []geo.Incident) data.IncidentBatch {
	t.Helper()
	b := data.IncidentBatch{Incidents: batch}
	if err := data.NewAttributor(st, nil).Attribute(context.Background(), &b); err != nil {
		t.Fatalf("Attribute: %v", err)
	}
	return b
}

// AddIncidents attributes and stores batch, fills in the ids and returns
// them.
func AddIncidents(t testing.TB, st IncidentStore, batch []geo.Incident) []string {
	t.Helper()
	res, err := st.AddIncidents(context.Background(), Attribute(t, st, batch))
	if err != nil {
		t.Fatalf("AddIncidents: %v", err)
	}
	if len(res.IDs) != len(batch) || res.Replayed {
		t.Fatalf("AddIncidents returned %+v for %d incidents", res, len(batch))
	}
	for i := range batch {
		batch[i].ID = res.IDs[i]
	}
	return res.IDs
}

// RandomIncidents returns n valid incidents spread over the box b and the
// 60 days before end, from the given seed.
func RandomIncidents(seed uint64, n int, b orb.Bound, end time.Time) []geo.Incident {
	r := rand.New(rand.NewPCG(seed, 0x696e63))
	statuses := []geo.IncidentStatus{geo.Reported, geo.Dispatched, geo.OnScene, geo.Closed}
	out := make([]geo.Incident, n)
	for i := range out {
		at := end.Add(-time.Duration(r.Int64N(int64(60 * 24 * time.Hour)))).Truncate(time.Second)
		cat := geo.Categories[r.IntN(len(geo.Categories))]
		out[i] = geo.Incident{
			OccurredAt: at,
			ReportedAt: at.Add(time.Duration(r.IntN(30)) * time.Minute),
			Category:   cat,
			Severity:   1 + r.IntN(5),
			Location:   orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])},
			Status:     statuses[r.IntN(len(statuses))],
			Cleared:    cat == geo.Criminal && r.IntN(2) == 0,
			Source:     "110",
			Summary:    fmt.Sprintf("第%d号警情", i),
		}
	}
	return out
}

func smallBound() orb.Bound { return Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound() }

func queryAll(t testing.TB, st data.IncidentStore, f data.IncidentFilter) []geo.Incident {
	t.Helper()
	var out []geo.Incident
	p := data.Page{Limit: data.MaxPageLimit}
	for {
		page, err := st.QueryIncidents(context.Background(), f, p)
		if err != nil {
			t.Fatalf("QueryIncidents: %v", err)
		}
		out = append(out, page.Incidents...)
		if page.Next == "" {
			return out
		}
		p.Cursor = page.Next
	}
}

// sameIncident fails t unless got is want as stored: every field equal,
// times at the same instant.
func sameIncident(t testing.TB, want, got geo.Incident) {
	t.Helper()
	if !want.OccurredAt.Equal(got.OccurredAt) || !want.ReportedAt.Equal(got.ReportedAt) {
		t.Fatalf("incident %s: times %s/%s, want %s/%s", want.ID, got.OccurredAt, got.ReportedAt, want.OccurredAt, want.ReportedAt)
	}
	got.OccurredAt, got.ReportedAt = want.OccurredAt, want.ReportedAt
	if got != want {
		t.Fatalf("incident %s:\n got %+v\nwant %+v", want.ID, got, want)
	}
}

func testIncidentAddAndRead(t *testing.T, open IncidentOpener) {
	st := open(t, Small())
	now := time.Now().Truncate(time.Microsecond)
	batch := RandomIncidents(*incidentSeed, 20, smallBound(), now)
	batch[0].Status, batch[0].Severity, batch[0].ReportedAt = "", 0, time.Time{} // defaults
	AddIncidents(t, st, batch)
	batch[0].Status, batch[0].Severity, batch[0].ReportedAt = geo.Reported, 3, batch[0].OccurredAt
	seen := map[string]bool{}
	for _, want := range batch {
		if seen[want.ID] || want.ID == "" {
			t.Fatalf("id %q is empty or repeated", want.ID)
		}
		seen[want.ID] = true
		if want.CommunityGridID == "" || want.PoliceGridID == "" || want.StationID == "" {
			t.Fatalf("incident %s was not attributed: %+v", want.ID, want)
		}
		got, err := st.Incident(context.Background(), want.ID)
		if err != nil {
			t.Fatalf("Incident(%s): %v", want.ID, err)
		}
		sameIncident(t, want, got)
	}
	for _, id := range []string{"0", "999999", "abc", "01", "-1", ""} {
		if _, err := st.Incident(context.Background(), id); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("Incident(%q): err = %v, want data.ErrNotFound", id, err)
		}
	}
}

func testIncidentBatchAtomic(t *testing.T, open IncidentOpener) {
	st := open(t, Small())
	ctx := context.Background()
	now := time.Now()
	cases := []struct {
		name  string
		spoil func(*geo.Incident)
		field string
	}{
		{"unknown category", func(x *geo.Incident) { x.Category = "alien_landing" }, "category"},
		{"severity out of range", func(x *geo.Incident) { x.Severity = 9 }, "severity"},
		{"unknown status", func(x *geo.Incident) { x.Status = "lost" }, "status"},
		{"reported before it happened", func(x *geo.Incident) { x.ReportedAt = x.OccurredAt.Add(-time.Hour) }, "reported_at"},
		{"in the future", func(x *geo.Incident) { x.OccurredAt = now.Add(time.Hour); x.ReportedAt = x.OccurredAt }, "occurred_at"},
		{"cleared but not criminal", func(x *geo.Incident) { x.Category = geo.Traffic; x.Cleared = true }, "cleared"},
		{"not attributed", func(x *geo.Incident) { x.CommunityGridID, x.PoliceGridID, x.StationID = "", "", "" }, ""},
	}
	for _, c := range cases {
		batch := RandomIncidents(*incidentSeed, 5, smallBound(), now)
		b := Attribute(t, st, batch)
		batch[3].Cleared = false
		c.spoil(&batch[3])
		_, err := st.AddIncidents(ctx, b)
		var ie *data.IncidentError
		if !errors.Is(err, data.ErrInvalid) || !errors.As(err, &ie) {
			t.Errorf("%s: err = %v, want an *IncidentError", c.name, err)
			continue
		}
		if len(ie.Problems) != 1 || ie.Problems[0].Index != 3 || ie.Problems[0].Field != c.field {
			t.Errorf("%s: problems %+v, want one for incident 3, field %q", c.name, ie.Problems, c.field)
		}
	}
	if got := queryAll(t, st, data.IncidentFilter{}); len(got) != 0 {
		t.Fatalf("%d incidents stored by rejected batches", len(got))
	}
}

// testIncidentStaleAttribution attributes an incident, then moves the
// boundary it lies on before storing it: the store must refuse the batch.
func testIncidentStaleAttribution(t *testing.T, open IncidentOpener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	p := notchPoint()
	batch := []geo.Incident{{OccurredAt: time.Now().Add(2 * time.Minute), Category: geo.Traffic, Location: p}}
	b := Attribute(t, st, batch)
	if batch[0].CommunityGridID != "C0-0" {
		t.Fatalf("the notch point lies in %s, want C0-0", batch[0].CommunityGridID)
	}
	moveNotch(t, st, ds)
	if _, err := st.AddIncidents(ctx, b); !errors.Is(err, data.ErrStaleAttribution) || !errors.Is(err, data.ErrConflict) {
		t.Fatalf("AddIncidents with attribution older than an edit: err = %v, want data.ErrStaleAttribution", err)
	}
	b = Attribute(t, st, batch)
	if batch[0].CommunityGridID != "C1-0" {
		t.Fatalf("after the edit the notch point lies in %s, want C1-0", batch[0].CommunityGridID)
	}
	if _, err := st.AddIncidents(ctx, b); err != nil {
		t.Fatalf("AddIncidents after attributing again: %v", err)
	}
}

func testIncidentIdempotent(t *testing.T, open IncidentOpener) {
	st := open(t, Small())
	ctx := context.Background()
	batch := RandomIncidents(*incidentSeed, 10, smallBound(), time.Now())
	Attribute(t, st, batch)
	first, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: batch, Key: "batch-1"})
	if err != nil || first.Replayed {
		t.Fatalf("first AddIncidents: %+v, %v", first, err)
	}
	again, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: batch, Key: "batch-1"})
	if err != nil || !again.Replayed || !slices.Equal(again.IDs, first.IDs) {
		t.Fatalf("the same batch again: %+v, %v; want the first ids %v replayed", again, err, first.IDs)
	}
	other := slices.Clone(batch)
	other[0].Summary = "something else"
	if _, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: other, Key: "batch-1"}); !errors.Is(err, data.ErrConflict) || errors.Is(err, data.ErrStaleAttribution) {
		t.Fatalf("another batch under a used key: err = %v, want data.ErrConflict (and not a stale attribution)", err)
	}
	if _, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: batch, Key: "has space"}); !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("a key with a space: err = %v, want data.ErrInvalid", err)
	}
	if got := queryAll(t, st, data.IncidentFilter{}); len(got) != len(batch) {
		t.Fatalf("%d incidents stored, want %d", len(got), len(batch))
	}
}

// testIncidentKeysScoped: the same key from two callers names two
// batches; within one caller's scope a key used again with other
// incidents is a conflict that names the key and when it was first used.
func testIncidentKeysScoped(t *testing.T, open IncidentOpener) {
	st := open(t, Small())
	ctx := context.Background()
	const key = "console-7:0001"
	batch := RandomIncidents(*incidentSeed, 4, smallBound(), time.Now())
	Attribute(t, st, batch)
	other := RandomIncidents(*incidentSeed+1, 3, smallBound(), time.Now())
	Attribute(t, st, other)
	first, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: batch, Key: key, Scope: "viewer-console"})
	if err != nil || first.Replayed {
		t.Fatalf("the first caller's batch: %+v, %v", first, err)
	}
	second, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: other, Key: key, Scope: "gateway"})
	if err != nil || second.Replayed || len(second.IDs) != len(other) {
		t.Fatalf("another caller's batch under the same key: %+v, %v; want it stored", second, err)
	}
	again, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: other, Key: key, Scope: "gateway"})
	if err != nil || !again.Replayed || !slices.Equal(again.IDs, second.IDs) {
		t.Errorf("the second caller's batch again: %+v, %v; want its own ids %v replayed", again, err, second.IDs)
	}
	cli, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: batch, Key: key, Scope: data.ScopeCommandLine})
	if err != nil || cli.Replayed {
		t.Errorf("the command line's batch under the same key: %+v, %v; want it stored", cli, err)
	}
	_, err = st.AddIncidents(ctx, data.IncidentBatch{Incidents: other, Key: key, Scope: "viewer-console"})
	var me *data.RequestError
	if !errors.Is(err, data.ErrConflict) || !errors.As(err, &me) || !strings.Contains(me.Message, key) || !strings.Contains(me.Message, "first used at") {
		t.Errorf("the first caller's key with other incidents: %v; want a conflict naming the key and when it was first used", err)
	}
	if got := queryAll(t, st, data.IncidentFilter{}); len(got) != 2*len(batch)+len(other) {
		t.Errorf("%d incidents stored, want %d", len(got), 2*len(batch)+len(other))
	}
}

func testIncidentLifecycle(t *testing.T, open IncidentOpener) {
	st := open(t, Small())
	ctx := context.Background()
	batch := RandomIncidents(*incidentSeed, 2, smallBound(), time.Now())
	batch[0].Category, batch[0].Status, batch[0].Cleared = geo.Criminal, geo.Reported, false
	batch[1].Category, batch[1].Status, batch[1].Cleared = geo.Dispute, geo.Reported, false
	AddIncidents(t, st, batch)
	crime, dispute := batch[0].ID, batch[1].ID
	status := func(s geo.IncidentStatus) *geo.IncidentStatus { return &s }
	yes, no := true, false
	steps := []struct {
		name   string
		id     string
		patch  data.IncidentPatch
		want   error
		status geo.IncidentStatus
	}{
		{"dispatch", crime, data.IncidentPatch{Status: status(geo.Dispatched)}, nil, geo.Dispatched},
		{"dispatch again (a retry)", crime, data.IncidentPatch{Status: status(geo.Dispatched)}, nil, geo.Dispatched},
		{"back to reported", crime, data.IncidentPatch{Status: status(geo.Reported)}, data.ErrConflict, geo.Dispatched},
		{"skip to closed, cleared", crime, data.IncidentPatch{Status: status(geo.Closed), Cleared: &yes}, nil, geo.Closed},
		{"reopen", crime, data.IncidentPatch{Status: status(geo.OnScene)}, data.ErrConflict, geo.Closed},
		{"withdraw the clearance", crime, data.IncidentPatch{Cleared: &no}, nil, geo.Closed},
		{"unknown status", crime, data.IncidentPatch{Status: status("solved")}, data.ErrInvalid, geo.Closed},
		{"clear a dispute", dispute, data.IncidentPatch{Cleared: &yes}, data.ErrConflict, geo.Reported},
		{"on scene", dispute, data.IncidentPatch{Status: status(geo.OnScene)}, nil, geo.OnScene},
		{"unknown incident", "987654321", data.IncidentPatch{Status: status(geo.Closed)}, data.ErrNotFound, ""},
	}
	for _, s := range steps {
		got, err := st.UpdateIncident(ctx, s.id, s.patch)
		switch {
		case s.want == nil && err != nil:
			t.Fatalf("%s: %v", s.name, err)
		case s.want != nil && !errors.Is(err, s.want):
			t.Fatalf("%s: err = %v, want %v", s.name, err, s.want)
		case s.want == nil && got.Status != s.status:
			t.Fatalf("%s: status %s, want %s", s.name, got.Status, s.status)
		}
		if s.status == "" {
			continue
		}
		stored, err := st.Incident(ctx, s.id)
		if err != nil || stored.Status != s.status {
			t.Fatalf("%s: stored status %s (%v), want %s", s.name, stored.Status, err, s.status)
		}
	}
	if x, _ := st.Incident(ctx, crime); x.Cleared {
		t.Error("the withdrawn clearance is still set")
	}
	if _, err := st.UpdateIncident(ctx, crime, data.IncidentPatch{Status: status(geo.OnScene)}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("a conflict should say what the status is: %v", err)
	}
}

func testIncidentFilters(t *testing.T, open IncidentOpener) {
	st := open(t, Small())
	b := smallBound()
	now := time.Now()
	batch := RandomIncidents(*incidentSeed, 400, b, now)
	AddIncidents(t, st, batch)
	c := b.Center()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	box := orb.Bound{Min: orb.Point{b.Min[0] + w*0.1, b.Min[1] + h*0.2}, Max: orb.Point{c[0] + w*0.1, c[1] + h*0.15}}
	triangle := orb.MultiPolygon{{{{b.Min[0], b.Min[1]}, {b.Max[0], b.Min[1]}, {c[0], b.Max[1]}, {b.Min[0], b.Min[1]}}}}
	week := now.AddDate(0, 0, -7)
	cases := []struct {
		name string
		f    data.IncidentFilter
	}{
		{"everything", data.IncidentFilter{}},
		{"last week", data.IncidentFilter{From: week}},
		{"a fortnight, not the last week", data.IncidentFilter{From: now.AddDate(0, 0, -21), To: week}},
		{"traffic and fire", data.IncidentFilter{Categories: []geo.Category{geo.Traffic, geo.Fire}}},
		{"open", data.IncidentFilter{Statuses: []geo.IncidentStatus{geo.Reported, geo.Dispatched, geo.OnScene}}},
		{"station s01", data.IncidentFilter{Stations: []string{"s01"}}},
		{"severity 4 and 5", data.IncidentFilter{Severities: []int{4, 5}}},
		{"community grid", data.IncidentFilter{Grids: []string{"C1-1"}}},
		{"police grid", data.IncidentFilter{Grids: []string{"P1-0", "C0-3"}}},
		{"bbox", data.IncidentFilter{Bound: &box}},
		{"polygon", data.IncidentFilter{Within: triangle}},
		{"1.5 km around the centre", data.IncidentFilter{Near: &data.Circle{Center: c, RadiusMeters: 1500}}},
		{"everything at once", data.IncidentFilter{From: now.AddDate(0, 0, -40), To: now, Categories: []geo.Category{geo.Traffic, geo.Dispute, geo.PublicOrder},
			Stations: []string{"s01", "s02"}, Bound: &box, Within: triangle, Near: &data.Circle{Center: c, RadiusMeters: 2500}}},
		{"nothing", data.IncidentFilter{Grids: []string{"no-such-grid"}}},
	}
	for _, tc := range cases {
		var want []string
		for i := range batch {
			if tc.f.Match(&batch[i]) {
				want = append(want, batch[i].ID)
			}
		}
		var got []string
		for _, x := range queryAll(t, st, tc.f) {
			got = append(got, x.ID)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d incidents, want %d\n got %v\nwant %v", tc.name, len(got), len(want), got, want)
		}
		if tc.name != "everything" && tc.name != "nothing" && (len(want) == 0 || len(want) == len(batch)) {
			t.Errorf("%s: the case selects %d of %d incidents and so tests nothing", tc.name, len(want), len(batch))
		}
	}
}

func testIncidentPaging(t *testing.T, open IncidentOpener) {
	st := open(t, Small())
	ctx := context.Background()
	now := time.Now().Add(-time.Hour)
	batch := RandomIncidents(*incidentSeed, 230, smallBound(), now)
	for i := 0; i < 30; i++ { // ties: a page boundary must fall inside them
		batch[i].OccurredAt = batch[100].OccurredAt
		batch[i].ReportedAt = batch[100].ReportedAt
	}
	AddIncidents(t, st, batch)
	want := queryAll(t, st, data.IncidentFilter{})
	for i := 1; i < len(want); i++ {
		a, b := want[i-1], want[i]
		ida, _ := strconv.Atoi(a.ID)
		idb, _ := strconv.Atoi(b.ID)
		if a.OccurredAt.Before(b.OccurredAt) || a.OccurredAt.Equal(b.OccurredAt) && ida < idb {
			t.Fatalf("not newest first at %d: %s %s then %s %s", i, a.ID, a.OccurredAt, b.ID, b.OccurredAt)
		}
	}
	var got []string
	p := data.Page{Limit: 17}
	for n := 0; ; n++ {
		page, err := st.QueryIncidents(ctx, data.IncidentFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Incidents) > p.Limit {
			t.Fatalf("page of %d, limit %d", len(page.Incidents), p.Limit)
		}
		for _, x := range page.Incidents {
			got = append(got, x.ID)
		}
		// Newer incidents arrive while the client pages: they must not
		// shift the pages still to come.
		newer := RandomIncidents(*incidentSeed+uint64(n)+1, 1, smallBound(), time.Now())
		newer[0].OccurredAt = time.Now()
		newer[0].ReportedAt = newer[0].OccurredAt
		AddIncidents(t, st, newer)
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	var wantIDs []string
	for _, x := range want {
		wantIDs = append(wantIDs, x.ID)
	}
	if !slices.Equal(got, wantIDs) {
		t.Fatalf("pages gave %d incidents, want the %d of the first read in order", len(got), len(wantIDs))
	}
	if _, err := st.QueryIncidents(ctx, data.IncidentFilter{}, data.Page{Cursor: "not-a-cursor"}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("a bad cursor: err = %v, want data.ErrInvalid", err)
	}
	total := len(queryAll(t, st, data.IncidentFilter{}))
	page, err := st.QueryIncidents(ctx, data.IncidentFilter{}, data.Page{Limit: 5000})
	if err != nil || len(page.Incidents) != min(total, data.MaxPageLimit) {
		t.Errorf("limit above the maximum: %d incidents, %v", len(page.Incidents), err)
	}
}

func testIncidentAggregates(t *testing.T, open IncidentOpener) {
	st := open(t, Small())
	now := time.Now()
	batch := RandomIncidents(*incidentSeed, 300, smallBound(), now)
	// Incidents either side of midnight, a Monday and a month start in
	// China time, and of a night when Berlin's clocks go forward: buckets
	// are cut in the aggregation's zone.
	shanghai, berlin := mustZone(t, "Asia/Shanghai"), mustZone(t, "Europe/Berlin")
	edges := []time.Time{
		time.Date(2026, 3, 1, 23, 59, 59, 0, shanghai), time.Date(2026, 3, 2, 0, 0, 0, 0, shanghai), // Sunday → Monday
		time.Date(2026, 3, 31, 23, 30, 0, 0, shanghai), time.Date(2026, 4, 1, 0, 30, 0, 0, shanghai),
		time.Date(2026, 4, 1, 7, 59, 0, 0, shanghai),                                              // still 31 March in UTC
		time.Date(2026, 3, 28, 23, 30, 0, 0, berlin), time.Date(2026, 3, 29, 0, 30, 0, 0, berlin), // +01:00
		time.Date(2026, 3, 29, 23, 30, 0, 0, berlin), // +02:00: 21:30 UTC, the 29th there
	}
	for i, at := range edges {
		batch[i].OccurredAt, batch[i].ReportedAt = at, at
	}
	AddIncidents(t, st, batch)
	filter := data.IncidentFilter{Categories: []geo.Category{geo.Traffic, geo.Dispute, geo.PublicOrder, geo.Criminal, geo.Other}}
	for _, zone := range []*time.Location{shanghai, berlin, nil} {
		for _, g := range []data.GroupBy{data.ByGrid, data.ByPoliceGrid, data.ByStation} {
			for _, bk := range []data.Bucket{data.Day, data.Week, data.Month} {
				a := data.Aggregation{GroupBy: g, Bucket: bk, Filter: filter, Zone: zone}
				got, err := st.AggregateIncidents(context.Background(), a)
				if err != nil {
					t.Fatalf("%s by %s in %s: %v", g, bk, a.Location(), err)
				}
				want := aggregate(a, batch)
				if len(got) != len(want) {
					t.Fatalf("%s by %s in %s: %d rows, want %d", g, bk, a.Location(), len(got), len(want))
				}
				for i := range want {
					w, r := want[i], got[i]
					if r.Key != w.Key || !r.Start.Equal(w.Start) || r.Total != w.Total || fmt.Sprint(r.Counts) != fmt.Sprint(w.Counts) {
						t.Fatalf("%s by %s in %s, row %d: got %+v, want %+v", g, bk, a.Location(), i, r, w)
					}
					if lt := r.Start.In(a.Location()); lt.Hour() != 0 || lt.Minute() != 0 || r.Start.Location().String() != a.Location().String() {
						t.Fatalf("bucket start %s is not a midnight of %s", r.Start, a.Location())
					}
				}
			}
		}
	}
	if _, err := st.AggregateIncidents(context.Background(), data.Aggregation{GroupBy: "township", Bucket: data.Day}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("unknown grouping: err = %v, want data.ErrInvalid", err)
	}
	if _, err := st.AggregateIncidents(context.Background(), data.Aggregation{GroupBy: data.ByGrid, Bucket: "year"}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("unknown bucket: err = %v, want data.ErrInvalid", err)
	}
}

// aggregate is the reference AggregateIncidents: a loop over the batch.
func aggregate(a data.Aggregation, batch []geo.Incident) []data.AggregateRow {
	rows := map[string]*data.AggregateRow{}
	for i := range batch {
		x := &batch[i]
		if !a.Filter.Match(x) {
			continue
		}
		start := a.Bucket.Start(x.OccurredAt, a.Location())
		k := a.Key(x) + "|" + start.String()
		if rows[k] == nil {
			rows[k] = &data.AggregateRow{Key: a.Key(x), Start: start, Counts: map[geo.Category]int{}}
		}
		rows[k].Counts[x.Category]++
		rows[k].Total++
	}
	var out []data.AggregateRow
	for _, r := range rows {
		out = append(out, *r)
	}
	data.SortAggregateRows(out)
	return out
}

// The notch: a small box inside community grid C0-0 of Small, on its
// edge with C1-0 (both in police grid P0-0), that moveNotch hands from
// C0-0 to C1-0 in two edits.
const (
	notchDepth = 0.002 // degrees west of the shared edge
	notchLow   = 0.002 // degrees north of the partition's southern edge
	notchHigh  = 0.004
)

func notchPoint() orb.Point {
	xs, _ := Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Lattice()
	return orb.Point{xs[1] - notchDepth/2, originLat + (notchLow+notchHigh)/2}
}

// moveNotch takes the notch out of C0-0 (leaving a gap for a moment),
// then gives it to C1-0, with a short pause around each edit so the
// epochs are distinct. It returns the two edit times.
func moveNotch(t testing.TB, st Store, ds *geo.Dataset) (cut, given time.Time) {
	t.Helper()
	xs, ys := Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Lattice()
	x1, xa := xs[1], round7(xs[1]-notchDepth)
	ya, yb := round7(originLat+notchLow), round7(originLat+notchHigh)
	pt := func(i, j int) orb.Point { return orb.Point{xs[i], ys[i][j]} }
	c00 := *gridByID(ds, "C0-0")
	c00.Geometry = orb.MultiPolygon{{{pt(0, 0), pt(1, 0), {x1, ya}, {xa, ya}, {xa, yb}, {x1, yb}, pt(1, 1), pt(0, 1), pt(0, 0)}}}
	c10 := *gridByID(ds, "C1-0")
	c10.Geometry = orb.MultiPolygon{{{pt(1, 0), pt(2, 0), pt(2, 1), pt(1, 1), {x1, yb}, {xa, yb}, {xa, ya}, {x1, ya}, pt(1, 0)}}}
	ctx := context.Background()
	time.Sleep(3 * time.Millisecond)
	v1, err := st.EditGrid(ctx, data.GridEdit{Grid: c00, Actor: "storetest", Reason: "hand the notch to C1-0"})
	if err != nil {
		t.Fatalf("EditGrid C0-0: %v", err)
	}
	time.Sleep(3 * time.Millisecond)
	v2, err := st.EditGrid(ctx, data.GridEdit{Grid: c10, Actor: "storetest", Reason: "take the notch from C0-0"})
	if err != nil {
		t.Fatalf("EditGrid C1-0: %v", err)
	}
	time.Sleep(3 * time.Millisecond)
	return v1.ValidFrom, v2.ValidFrom
}

// testAttributionHistory moves a piece of boundary and checks incidents
// go to the grids of their own time: before the edit to the old grid,
// during the gap to none, after it to the new grid, and before the first
// grids to the first grids. An attributor whose served index predates the
// edits must notice and not use it.
func testAttributionHistory(t *testing.T, open IncidentOpener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	served, err := geo.NewIndex(snapshot(t, st))
	if err != nil {
		t.Fatal(err)
	}
	h, err := st.GridHistory(ctx, "C0-0")
	if err != nil {
		t.Fatal(err)
	}
	imported := h[0].ValidFrom
	cut, given := moveNotch(t, st, ds)
	epochs, err := st.GridEpochs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(epochs) != 3 || !epochs[0].Equal(imported) || !epochs[1].Equal(cut) || !epochs[2].Equal(given) {
		t.Fatalf("GridEpochs = %v, want the import %v and the two edits %v, %v", epochs, imported, cut, given)
	}
	mid := func(a, b time.Time) time.Time { return a.Add(b.Sub(a) / 2).Truncate(time.Microsecond) }
	p := notchPoint()
	elsewhere := orb.Point{p[0] - 0.004, p[1]} // deep in C0-0 throughout
	cases := []struct {
		name string
		at   time.Time
		pt   orb.Point
		want string // community grid; "" for outside every grid
	}{
		{"a year before the first grids", imported.AddDate(-1, 0, 0), p, "C0-0"},
		{"before the edit", mid(imported, cut), p, "C0-0"},
		{"in the gap between the edits", mid(cut, given), p, ""},
		{"elsewhere in the gap", mid(cut, given), elsewhere, "C0-0"},
		{"after the edits", given.Add(time.Millisecond), p, "C1-0"},
	}
	for _, live := range []*geo.Index{nil, served} {
		at := data.NewAttributor(st, func() *geo.Index { return live })
		for _, c := range cases {
			batch := []geo.Incident{{OccurredAt: c.at, Category: geo.Dispute, Location: c.pt}}
			b := data.IncidentBatch{Incidents: batch}
			err := at.Attribute(ctx, &b)
			var ie *data.IncidentError
			switch {
			case c.want == "" && (!errors.As(err, &ie) || ie.Problems[0].Field != "location" || !strings.Contains(ie.Problems[0].Reason, "outside every grid")):
				t.Errorf("%s (served index %v): err = %v, want the location outside every grid", c.name, live != nil, err)
			case c.want != "" && err != nil:
				t.Errorf("%s (served index %v): %v", c.name, live != nil, err)
			case c.want != "" && batch[0].CommunityGridID != c.want:
				t.Errorf("%s (served index %v): attributed to %s, want %s", c.name, live != nil, batch[0].CommunityGridID, c.want)
			case c.want != "":
				if _, err := st.AddIncidents(ctx, b); err != nil {
					t.Errorf("%s: AddIncidents: %v", c.name, err)
				}
			}
		}
	}
	got := queryAll(t, st, data.IncidentFilter{Grids: []string{"C1-0"}})
	if len(got) != 2 {
		t.Errorf("%d incidents stored in C1-0, want the two after the edits", len(got))
	}
}

// mustZone loads the IANA zone name.
func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
