package storetest

import (
	"context"
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
	runWork(t, &visitKind, open, parallel)
}

// visitKind is visits as the shared cases read them.
var visitKind = workKind[data.VisitStore, geo.Visit, data.VisitFilter]{
	name:   "visit",
	sample: sampleVisits,
	add: func(st data.VisitStore, w workWrite[geo.Visit]) (geo.Visit, bool, error) {
		res, err := st.AddVisit(context.Background(), data.VisitWrite{Visit: w.v, Scope: w.scope, Key: w.key, Digest: w.digest})
		return res.Visit, res.Replayed, err
	},
	query: func(st data.VisitStore, f data.VisitFilter, p data.Page) ([]geo.Visit, string, error) {
		page, err := st.QueryVisits(context.Background(), f, p)
		return page.Visits, page.Next, err
	},
	match:      (*data.VisitFilter).Match,
	same:       sameVisits,
	id:         func(v *geo.Visit) string { return v.ID },
	stored:     func(v *geo.Visit, as geo.Visit) { v.ID, v.RecordedAt = as.ID, as.RecordedAt },
	recordedAt: func(v *geo.Visit) time.Time { return v.RecordedAt },
	shift:      func(v *geo.Visit, d time.Duration) { v.At = v.At.Add(d) },
	vary:       func(v *geo.Visit) { v.Outcome = "另一次" },
	filters: []data.VisitFilter{
		{GridID: "C1"}, {GridID: "P1"}, {GridID: "P2"}, {GridID: "nowhere"},
		{StationID: "s1"}, {OfficerID: "o2"},
		{From: visitT0.Add(time.Hour), To: visitT0.Add(2 * time.Hour)},
		{From: visitT0.Add(7 * time.Minute), GridID: "P1", OfficerID: "o1", StationID: "s1"},
	},
	invalid: []workChange[geo.Visit]{
		{"unknown kind", func(v *geo.Visit) { v.Kind = "party" }},
		{"no officer", func(v *geo.Visit) { v.OfficerID = "" }},
		{"no time", func(v *geo.Visit) { v.At = time.Time{} }},
		{"not attributed", func(v *geo.Visit) { v.CommunityGridID, v.PoliceGridID = "", "" }},
		{"NUL in whom", func(v *geo.Visit) { v.Whom = "a\x00b" }},
		{"outcome too long", func(v *geo.Visit) { v.Outcome = string(slices.Repeat([]rune{'长'}, data.MaxVisitOutcome+1)) }},
	},
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
