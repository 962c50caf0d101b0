package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
)

// DisputeOpener returns a new, isolated store holding no disputes; it
// closes the store when the test ends.
type DisputeOpener func(t *testing.T) data.DisputeStore

// RunDisputes runs the dispute cases against the stores open returns.
func RunDisputes(t *testing.T, open DisputeOpener, parallel bool) {
	runWork(t, &disputeKind, open, parallel,
		workCase[data.DisputeStore]{"LevelOnlyMovesUp", testDisputeLevel},
		workCase[data.DisputeStore]{"MonthlySummary", testDisputeSummary},
		workCase[data.DisputeStore]{"KeyedChangeReplays", testDisputeKeyedChange})
}

// disputeKind is disputes as the shared cases read them.
var disputeKind = workKind[data.DisputeStore, geo.DisputeCase, data.DisputeFilter]{
	name:   "dispute",
	sample: sampleDisputes,
	add: func(st data.DisputeStore, w workWrite[geo.DisputeCase]) (geo.DisputeCase, bool, error) {
		res, err := st.AddDispute(context.Background(), data.DisputeWrite{Dispute: w.v, Scope: w.scope, Key: w.key, Digest: w.digest})
		return res.Dispute, res.Replayed, err
	},
	query: func(st data.DisputeStore, f data.DisputeFilter, p data.Page) ([]geo.DisputeCase, string, error) {
		page, err := st.QueryDisputes(context.Background(), f, p)
		return page.Disputes, page.Next, err
	},
	match:      (*data.DisputeFilter).Match,
	same:       sameDisputes,
	id:         func(d *geo.DisputeCase) string { return d.ID },
	stored:     func(d *geo.DisputeCase, as geo.DisputeCase) { d.ID, d.RecordedAt = as.ID, as.RecordedAt },
	recordedAt: func(d *geo.DisputeCase) time.Time { return d.RecordedAt },
	shift:      func(d *geo.DisputeCase, by time.Duration) { d.ReportedAt = d.ReportedAt.Add(by) },
	vary:       func(d *geo.DisputeCase) { d.Summary = "另一起" },
	filters: []data.DisputeFilter{
		{GridID: "C1"}, {GridID: "P1"}, {GridID: "P2"}, {GridID: "nowhere"}, {StationID: "s2"},
		{Open: &isOpen}, {Open: &notOpen},
		{From: disputeT0.Add(10 * time.Hour), To: disputeT0.Add(40 * time.Hour)},
		{SettledFrom: disputeT0.Add(30 * time.Hour), SettledTo: disputeT0.Add(80 * time.Hour)},
		{SettledTo: disputeT0.Add(60 * time.Hour), StationID: "s1", GridID: "P1"},
	},
	invalid: []workChange[geo.DisputeCase]{
		{"unknown kind", func(d *geo.DisputeCase) { d.Kind = "feud" }},
		{"unknown level", func(d *geo.DisputeCase) { d.Level = "province" }},
		{"no time", func(d *geo.DisputeCase) { d.ReportedAt = time.Time{} }},
		{"not attributed", func(d *geo.DisputeCase) { d.CommunityGridID, d.PoliceGridID = "", "" }},
		{"settled without method", func(d *geo.DisputeCase) { d.Level, d.SettledAt = geo.LevelGroup, d.ReportedAt }},
		{"settled before reported", func(d *geo.DisputeCase) {
			d.Level, d.Method, d.SettledAt = geo.LevelGroup, geo.Referral, d.ReportedAt.Add(-time.Hour)
		}},
		{"brand without its name", func(d *geo.DisputeCase) {
			d.Level, d.Method, d.SettledAt = geo.LevelGroup, geo.MediationBrand, d.ReportedAt
		}},
		{"open with a method", func(d *geo.DisputeCase) { d.Method = geo.Referral }},
		{"NaN location", func(d *geo.DisputeCase) { d.Location[0] = math.NaN() }},
		{"NUL in parties", func(d *geo.DisputeCase) { d.Parties = "a\x00b" }},
		{"summary too long", func(d *geo.DisputeCase) { d.Summary = string(slices.Repeat([]rune{'长'}, data.MaxDisputeSummary+1)) }},
	},
}

// isOpen and notOpen are the values of DisputeFilter.Open the filters take.
var isOpen, notOpen = true, false

// disputeT0 is the time of the suite's first dispute.
var disputeT0 = time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)

// sampleDisputes returns n attributed disputes, one every 5 hours, in
// three grids of two stations; every second is settled, at the levels in
// turn, a day and a bit after it was reported.
func sampleDisputes(n int) []geo.DisputeCase {
	grids := [][3]string{{"C1", "P1", "s1"}, {"C2", "P1", "s1"}, {"", "P2", "s2"}}
	out := make([]geo.DisputeCase, n)
	for i := range out {
		g := grids[i%3]
		d := geo.DisputeCase{
			ReportedAt: disputeT0.Add(time.Duration(i) * 5 * time.Hour), Location: orb.Point{109.3 + float64(i)*1e-4, 34.15},
			Kind: geo.DisputeKinds[i%len(geo.DisputeKinds)], Parties: fmt.Sprintf("张三%d、李四 13912345678", i), Summary: "宅基地边界",
			Level: geo.DisputeOpen, RecordedBy: "u-officer", CommunityGridID: g[0], PoliceGridID: g[1], StationID: g[2],
		}
		if i%2 == 1 {
			d.Level = geo.DisputeLevels[1+(i/2)%4]
			d.Method, d.SettledAt = geo.PeopleMediation, d.ReportedAt.Add(26*time.Hour)
			if i%4 == 1 {
				d.Method, d.MediationBrand = geo.MediationBrand, "朱先生说事"
			}
		}
		out[i] = d
	}
	return out
}

func sameDisputes(t testing.TB, want, got []geo.DisputeCase) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d disputes, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		for _, p := range [][2]*time.Time{{&w.ReportedAt, &g.ReportedAt}, {&w.SettledAt, &g.SettledAt}, {&w.RecordedAt, &g.RecordedAt}, {&w.UpdatedAt, &g.UpdatedAt}} {
			if !p[0].Equal(*p[1]) {
				t.Errorf("dispute %d: time %v, want %v", i, *p[1], *p[0])
			}
			*p[0], *p[1] = time.Time{}, time.Time{}
		}
		if w != g {
			t.Errorf("dispute %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func testDisputeLevel(t *testing.T, open func(*testing.T) data.DisputeStore) {
	st := open(t)
	ctx := context.Background()
	ds := sampleDisputes(1)
	disputeKind.addAll(t, st, ds)
	id := ds[0].ID
	level := func(l geo.DisputeLevel) *geo.DisputeLevel { return &l }
	method := func(m geo.SettleMethod) *geo.SettleMethod { return &m }
	settled := ds[0].ReportedAt.Add(50 * time.Hour)
	got, err := st.UpdateDispute(ctx, id, data.DisputePatch{Level: level(geo.LevelVillage), Method: method(geo.PeopleMediation), SettledAt: settled, At: settled.Add(time.Hour), By: "u1"})
	if err != nil {
		t.Fatalf("settling at village: %v", err)
	}
	if got.Level != geo.LevelVillage || !got.SettledAt.Equal(settled) || got.UpdatedBy != "u1" || !got.UpdatedAt.Equal(settled.Add(time.Hour)) {
		t.Errorf("settled: %+v", got)
	}
	if n, ok := got.DaysToSettle(); !ok || n != 2 {
		t.Errorf("days to settle %d, %v; want 2", n, ok)
	}
	for _, c := range []struct {
		name string
		p    data.DisputePatch
		want error
	}{
		{"back down to group", data.DisputePatch{Level: level(geo.LevelGroup), Method: method(geo.PeopleMediation)}, data.ErrConflict},
		{"reopened", data.DisputePatch{Level: level(geo.DisputeOpen)}, data.ErrConflict},
		{"settled before reported", data.DisputePatch{Level: level(geo.LevelCounty), Method: method(geo.Referral), SettledAt: ds[0].ReportedAt.Add(-time.Hour)}, data.ErrInvalid},
		{"brand without a name", data.DisputePatch{Method: method(geo.MediationBrand)}, data.ErrInvalid},
	} {
		if _, err := st.UpdateDispute(ctx, id, c.p); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := st.UpdateDispute(ctx, "999999", data.DisputePatch{Level: level(geo.LevelCounty)}); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("an unknown dispute: %v, want ErrNotFound", err)
	}
	up, err := st.UpdateDispute(ctx, id, data.DisputePatch{Level: level(geo.LevelTownship), Method: method(geo.JudicialOffice), By: "u2"})
	if err != nil || up.Level != geo.LevelTownship || up.Method != geo.JudicialOffice || up.UpdatedBy != "u2" {
		t.Fatalf("moving up to township: %+v, %v", up, err)
	}
	stored := disputeKind.queryAll(t, st, data.DisputeFilter{}, 0)
	sameDisputes(t, []geo.DisputeCase{up}, stored)
	one, err := st.Dispute(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sameDisputes(t, []geo.DisputeCase{up}, []geo.DisputeCase{one})
	if _, err := st.Dispute(ctx, "999999"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("reading an unknown dispute: %v, want ErrNotFound", err)
	}
}

func testDisputeSummary(t *testing.T, open func(*testing.T) data.DisputeStore) {
	st := open(t)
	may := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	june := may.AddDate(0, 1, 0)
	at := func(day, hour int) time.Time { return may.AddDate(0, 0, day-1).Add(time.Duration(hour) * time.Hour) }
	d := func(station, grid string, reported time.Time, level geo.DisputeLevel, settled time.Time) geo.DisputeCase {
		c := geo.DisputeCase{ReportedAt: reported, Kind: geo.NeighbourDispute, Level: level, SettledAt: settled, PoliceGridID: grid, StationID: station}
		if level.Settled() {
			c.Method = geo.PeopleMediation
		}
		return c
	}
	ds := []geo.DisputeCase{
		d("s1", "P1", at(2, 9), geo.LevelGroup, at(3, 10)),                        // reported and settled in May, kept low, 1 day
		d("s1", "P1", at(5, 9), geo.LevelVillage, at(5, 20)),                      // kept low, 0 days
		d("s1", "P2", at(10, 9), geo.LevelTownship, at(14, 9)),                    // passed up, 4 days
		d("s1", "P2", at(20, 9), geo.DisputeOpen, time.Time{}),                    // open
		d("s1", "P2", at(30, 9), geo.LevelCounty, june.Add(48*time.Hour)),         // reported in May, settled in June: open at May's end
		d("s1", "P1", may.Add(-72*time.Hour), geo.LevelGroup, at(1, 8)),           // reported in April, settled in May, 3 days
		d("s2", "P3", at(3, 9), geo.LevelCounty, at(13, 9)),                       // passed up, 10 days
		d("s2", "P3", june.Add(time.Hour), geo.LevelGroup, june.Add(2*time.Hour)), // June only
	}
	disputeKind.addAll(t, st, ds)
	got, err := data.SummarizeDisputes(context.Background(), st, may, june, data.ByStation, "")
	if err != nil {
		t.Fatal(err)
	}
	rate := func(x float64) *float64 { return &x }
	want := []data.DisputeTally{
		{Key: "s1", Reported: 5, Open: 2, Settled: 4, KeptLow: 3, KeptLowRate: rate(0.75), MeanDaysToSettle: rate(2),
			ByLevel: map[geo.DisputeLevel]int{geo.LevelGroup: 2, geo.LevelVillage: 1, geo.LevelTownship: 1}},
		{Key: "s2", Reported: 1, Open: 0, Settled: 1, KeptLow: 0, KeptLowRate: rate(0), MeanDaysToSettle: rate(10),
			ByLevel: map[geo.DisputeLevel]int{geo.LevelCounty: 1}},
	}
	sameTallies(t, want, got)
	byGrid, err := data.SummarizeDisputes(context.Background(), st, may, june, data.ByGrid, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(byGrid) != 2 || byGrid[0].Key != "P1" || byGrid[0].Settled != 3 || *byGrid[0].KeptLowRate != 1 || byGrid[1].Key != "P2" || byGrid[1].Reported != 3 || *byGrid[1].KeptLowRate != 0 {
		t.Errorf("station s1 by grid: %s", fmt.Sprint(byGrid))
	}
}

func sameTallies(t testing.TB, want, got []data.DisputeTally) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d tallies, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.Key != g.Key || w.Reported != g.Reported || w.Open != g.Open || w.Settled != g.Settled || w.KeptLow != g.KeptLow ||
			fmt.Sprint(w.ByLevel) != fmt.Sprint(g.ByLevel) || fmt.Sprint(*w.KeptLowRate) != fmt.Sprint(*g.KeptLowRate) ||
			fmt.Sprint(*w.MeanDaysToSettle) != fmt.Sprint(*g.MeanDaysToSettle) {
			t.Errorf("tally %d:\n got %+v (rate %v, days %v)\nwant %+v (rate %v, days %v)", i, g, *g.KeptLowRate, *g.MeanDaysToSettle, w, *w.KeptLowRate, *w.MeanDaysToSettle)
		}
	}
}
