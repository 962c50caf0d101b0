package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
)

// VisitOpener returns a new, isolated store holding no visits; it closes
// the store when the test ends.
type VisitOpener func(t *testing.T) data.VisitStore

// RunVisits runs the visit cases against the stores open returns.
func RunVisits(t *testing.T, open VisitOpener, parallel bool) {
	cases := []struct {
		name string
		fn   func(t *testing.T, open VisitOpener)
	}{
		{"AddAndRead", testVisitAddAndRead},
		{"Filters", testVisitFilters},
		{"PagingIsStable", testVisitPaging},
		{"IdempotentAndScoped", testVisitIdempotent},
		{"InvalidIsRefused", testVisitInvalid},
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

// visitT0 is the time of the suite's first visit.
var visitT0 = time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)

// sampleVisits returns n attributed visits, one every 7 minutes, by two
// officers in three grids of two stations; every third names a key place.
func sampleVisits(n int) []geo.Visit {
	grids := [][3]string{{"C1", "P1", "s1"}, {"C2", "P1", "s1"}, {"", "P2", "s2"}}
	out := make([]geo.Visit, n)
	for i := range out {
		g := grids[i%3]
		out[i] = geo.Visit{
			OfficerID: []string{"o1", "o2"}[i%2], At: visitT0.Add(time.Duration(i) * 7 * time.Minute),
			Location: orb.Point{109.3 + float64(i)*1e-4, 34.15}, Kind: geo.VisitKinds[i%len(geo.VisitKinds)],
			Whom: fmt.Sprintf("户主%d 13912345678", i), Outcome: "了解情况", RecordedBy: "u-officer",
			CommunityGridID: g[0], PoliceGridID: g[1], StationID: g[2],
		}
		if i%3 == 0 {
			out[i].KeyPlaceID = fmt.Sprintf("kp-%d", i)
		}
	}
	return out
}

// addVisits stores vs, fills in their ids and recording times.
func addVisits(t testing.TB, st data.VisitStore, vs []geo.Visit) {
	t.Helper()
	for i := range vs {
		res, err := st.AddVisit(context.Background(), data.VisitWrite{Visit: vs[i]})
		if err != nil {
			t.Fatalf("AddVisit %d: %v", i, err)
		}
		if res.Replayed || res.Visit.ID == "" || res.Visit.RecordedAt.IsZero() {
			t.Fatalf("AddVisit %d returned %+v", i, res)
		}
		vs[i].ID, vs[i].RecordedAt = res.Visit.ID, res.Visit.RecordedAt
	}
}

// queryVisits reads every page of f.
func queryVisits(t testing.TB, st data.VisitStore, f data.VisitFilter, limit int) []geo.Visit {
	t.Helper()
	var out []geo.Visit
	p := data.Page{Limit: limit}
	for range 1000 {
		page, err := st.QueryVisits(context.Background(), f, p)
		if err != nil {
			t.Fatalf("QueryVisits: %v", err)
		}
		out = append(out, page.Visits...)
		if page.Next == "" {
			return out
		}
		p.Cursor = page.Next
	}
	t.Fatal("QueryVisits pages without end")
	return nil
}

// newestFirst returns the visits of vs that pass f, newest first.
func newestFirst(vs []geo.Visit, f data.VisitFilter) []geo.Visit {
	var out []geo.Visit
	for i := len(vs) - 1; i >= 0; i-- {
		if f.Match(&vs[i]) {
			out = append(out, vs[i])
		}
	}
	return out
}

func sameVisits(t testing.TB, want, got []geo.Visit) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d visits, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if !w.At.Equal(g.At) || !w.RecordedAt.Equal(g.RecordedAt) {
			t.Errorf("visit %d at %v recorded %v, want %v and %v", i, g.At, g.RecordedAt, w.At, w.RecordedAt)
		}
		w.At, g.At, w.RecordedAt, g.RecordedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if w != g {
			t.Errorf("visit %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func testVisitAddAndRead(t *testing.T, open VisitOpener) {
	st := open(t)
	vs := sampleVisits(7)
	addVisits(t, st, vs)
	ids := map[string]bool{}
	for _, v := range vs {
		ids[v.ID] = true
	}
	if len(ids) != len(vs) {
		t.Errorf("ids %v are not distinct", ids)
	}
	sameVisits(t, newestFirst(vs, data.VisitFilter{}), queryVisits(t, st, data.VisitFilter{}, 0))
	// A visit recorded late, for an earlier time, takes its place in time.
	late := sampleVisits(1)
	late[0].At = visitT0.Add(-time.Hour)
	addVisits(t, st, late)
	got := queryVisits(t, st, data.VisitFilter{}, 0)
	if got[len(got)-1].ID != late[0].ID {
		t.Errorf("the earliest visit is %s, want the late one %s", got[len(got)-1].ID, late[0].ID)
	}
}

func testVisitFilters(t *testing.T, open VisitOpener) {
	st := open(t)
	vs := sampleVisits(30)
	addVisits(t, st, vs)
	for _, f := range []data.VisitFilter{
		{GridID: "C1"}, {GridID: "P1"}, {GridID: "P2"}, {GridID: "nowhere"},
		{StationID: "s1"}, {OfficerID: "o2"},
		{From: visitT0.Add(time.Hour), To: visitT0.Add(2 * time.Hour)},
		{From: visitT0.Add(7 * time.Minute), GridID: "P1", OfficerID: "o1", StationID: "s1"},
	} {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			sameVisits(t, newestFirst(vs, f), queryVisits(t, st, f, 0))
		})
	}
}

func testVisitPaging(t *testing.T, open VisitOpener) {
	st := open(t)
	vs := sampleVisits(25)
	addVisits(t, st, vs[:20])
	first, err := st.QueryVisits(context.Background(), data.VisitFilter{}, data.Page{Limit: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Visits) != 6 || first.Next == "" {
		t.Fatalf("first page: %d visits, next %q", len(first.Visits), first.Next)
	}
	addVisits(t, st, vs[20:]) // newer: must not shift the pages after the first
	var got []geo.Visit
	got = append(got, first.Visits...)
	p := data.Page{Limit: 6, Cursor: first.Next}
	for p.Cursor != "" {
		page, err := st.QueryVisits(context.Background(), data.VisitFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Visits...)
		p.Cursor = page.Next
	}
	sameVisits(t, newestFirst(vs[:20], data.VisitFilter{}), got)
	if _, err := st.QueryVisits(context.Background(), data.VisitFilter{}, data.Page{Cursor: "garbage!"}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("a bad cursor: %v, want ErrInvalid", err)
	}
}

func testVisitIdempotent(t *testing.T, open VisitOpener) {
	st := open(t)
	ctx := context.Background()
	v := sampleVisits(1)[0]
	first, err := st.AddVisit(ctx, data.VisitWrite{Visit: v, Key: "k1", Scope: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.AddVisit(ctx, data.VisitWrite{Visit: v, Key: "k1", Scope: "alice"})
	if err != nil || !again.Replayed || again.Visit.ID != first.Visit.ID {
		t.Fatalf("the same visit again under its key: %+v, %v; want a replay of %s", again, err, first.Visit.ID)
	}
	other := v
	other.Outcome = "另一次"
	if _, err := st.AddVisit(ctx, data.VisitWrite{Visit: other, Key: "k1", Scope: "alice"}); !errors.Is(err, data.ErrConflict) {
		t.Errorf("another visit under a used key: %v, want ErrConflict", err)
	}
	bob, err := st.AddVisit(ctx, data.VisitWrite{Visit: other, Key: "k1", Scope: "bob"})
	if err != nil || bob.Replayed || bob.Visit.ID == first.Visit.ID {
		t.Errorf("bob's key k1: %+v, %v; want a visit of its own", bob, err)
	}
	// A retry whose time the server filled in anew carries the request's
	// own fingerprint, and is the same request.
	retry := v
	retry.At = v.At.Add(time.Minute)
	first2, err := st.AddVisit(ctx, data.VisitWrite{Visit: v, Key: "k2", Scope: "alice", Digest: []byte("request k2")})
	if err != nil {
		t.Fatal(err)
	}
	again2, err := st.AddVisit(ctx, data.VisitWrite{Visit: retry, Key: "k2", Scope: "alice", Digest: []byte("request k2")})
	if err != nil || !again2.Replayed || again2.Visit.ID != first2.Visit.ID || !again2.Visit.At.Equal(v.At) {
		t.Errorf("a retry with the request's digest: %+v, %v; want a replay of %s at its first time", again2, err, first2.Visit.ID)
	}
	if got := queryVisits(t, st, data.VisitFilter{}, 0); len(got) != 3 {
		t.Errorf("%d visits stored, want 3", len(got))
	}
}

func testVisitInvalid(t *testing.T, open VisitOpener) {
	st := open(t)
	for _, c := range []struct {
		name string
		mod  func(v *geo.Visit)
	}{
		{"unknown kind", func(v *geo.Visit) { v.Kind = "party" }},
		{"no officer", func(v *geo.Visit) { v.OfficerID = "" }},
		{"no time", func(v *geo.Visit) { v.At = time.Time{} }},
		{"not attributed", func(v *geo.Visit) { v.CommunityGridID, v.PoliceGridID = "", "" }},
		{"NUL in whom", func(v *geo.Visit) { v.Whom = "a\x00b" }},
		{"outcome too long", func(v *geo.Visit) { v.Outcome = string(slices.Repeat([]rune{'长'}, data.MaxVisitOutcome+1)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := sampleVisits(1)[0]
			c.mod(&v)
			if _, err := st.AddVisit(context.Background(), data.VisitWrite{Visit: v}); !errors.Is(err, data.ErrInvalid) {
				t.Errorf("AddVisit: %v, want ErrInvalid", err)
			}
		})
	}
	if got := queryVisits(t, st, data.VisitFilter{}, 0); len(got) != 0 {
		t.Errorf("%d visits stored after refusals, want none", len(got))
	}
}
