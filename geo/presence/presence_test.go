package presence

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

func rect(minLon, minLat, maxLon, maxLat float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{
		{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat},
	}}}
}

// testIndex: police grid P1 (community grids C1, C2) held by officer o1,
// police grid P2 held by auxiliary o2; o3 holds no grid.
func testIndex(tb testing.TB) *geo.Index {
	tb.Helper()
	ds := &geo.Dataset{
		Meta:     geo.Meta{Name: "presence test", Datum: "wgs84"},
		Stations: []geo.Station{{ID: "s", Name: "所", Region: geo.Plain, Location: orb.Point{109.31, 34.155}}},
		Grids: []geo.Grid{
			{ID: "P1", Level: geo.PoliceLevel, Name: "警格一", StationID: "s", Geometry: rect(109.30, 34.14, 109.32, 34.16)},
			{ID: "C1", Level: geo.CommunityLevel, Name: "网格一", StationID: "s", ParentID: "P1", Geometry: rect(109.30, 34.14, 109.31, 34.16)},
			{ID: "C2", Level: geo.CommunityLevel, Name: "网格二", StationID: "s", ParentID: "P1", Geometry: rect(109.31, 34.14, 109.32, 34.16)},
			{ID: "P2", Level: geo.PoliceLevel, Name: "警格二", StationID: "s", Geometry: rect(109.32, 34.14, 109.34, 34.16)},
		},
		Members: []geo.Member{
			{ID: "o1", Name: "王警官", Role: geo.CommunityOfficer, StationID: "s", GridIDs: []string{"P1"}},
			{ID: "o2", Name: "李辅警", Role: geo.AuxiliaryOfficer, StationID: "s", GridIDs: []string{"P2"}},
			{ID: "o3", Name: "赵警官", Role: geo.CommunityOfficer, StationID: "s"},
			{ID: "w1", Name: "张网格", Role: geo.GridWorker, GridIDs: []string{"C1"}},
		},
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

var day0 = time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)

// at makes a ping of officer in grid at day0 + d.
func at(officer, grid string, d time.Duration) geo.Ping {
	return geo.Ping{OfficerID: officer, At: day0.Add(d), GridID: grid}
}

// timeIn returns the officer's time in grid on the day starting at day.
func timeIn(s Summary, officer string, day time.Time, grid string) time.Duration {
	for _, od := range s.Officers {
		if od.Officer == officer && od.Day.Equal(day) {
			for _, g := range od.Grids {
				if g.GridID == grid {
					return g.Duration
				}
			}
		}
	}
	return 0
}

func officerDay(t *testing.T, s Summary, officer string, day time.Time) OfficerDay {
	t.Helper()
	for _, od := range s.Officers {
		if od.Officer == officer && od.Day.Equal(day) {
			return od
		}
	}
	t.Fatalf("no day %s for %s in %+v", day, officer, s.Officers)
	return OfficerDay{}
}

func gridVisits(t *testing.T, s Summary, id string) GridVisits {
	t.Helper()
	for _, g := range s.Grids {
		if g.GridID == id {
			return g
		}
	}
	t.Fatalf("no grid %s in %+v", id, s.Grids)
	return GridVisits{}
}

func TestDwellIsBoundedByTheNextPingAndTheGap(t *testing.T) {
	ix := testIndex(t)
	s := New(ix, day0, day0.Add(24*time.Hour), Options{MaxGap: 2 * time.Minute})
	h := time.Hour
	s.Add([]geo.Ping{
		at("o1", "C1", 8*h),
		at("o1", "C1", 8*h+time.Minute),    // C1 gets 1 min from the first ping
		at("o1", "C2", 8*h+2*time.Minute),  // C1 gets 1 more
		at("o1", "", 8*h+12*time.Minute),   // C2: capped at 2 min, 8 min unknown
		at("o1", "P2", 8*h+13*time.Minute), // outside: 1 min
		// the last ping stands for MaxGap
	})
	sum := s.Summary()
	for _, c := range []struct {
		grid string
		want time.Duration
	}{{"C1", 2 * time.Minute}, {"C2", 2 * time.Minute}, {"", time.Minute}, {"P2", 2 * time.Minute}} {
		if got := timeIn(sum, "o1", day0, c.grid); got != c.want {
			t.Errorf("time in %q = %v, want %v", c.grid, got, c.want)
		}
	}
	od := officerDay(t, sum, "o1", day0)
	if od.Present != 7*time.Minute || od.Unknown != 24*h-7*time.Minute {
		t.Errorf("present %v unknown %v, want 7m and the rest of the day", od.Present, od.Unknown)
	}
	if od.Grids[0].Duration < od.Grids[len(od.Grids)-1].Duration {
		t.Errorf("grids not ordered by time: %+v", od.Grids)
	}
	for _, g := range od.Grids {
		wantPolice := map[string]string{"C1": "P1", "C2": "P1", "P2": "P2", "": ""}[g.GridID]
		if g.PoliceGridID != wantPolice || g.Own != (wantPolice == "P1") {
			t.Errorf("grid %q: police %q own %v; want %q and own only in P1", g.GridID, g.PoliceGridID, g.Own, wantPolice)
		}
	}
}

func TestDaysSplitAtMidnightInTheLocation(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	from := time.Date(2025, 5, 1, 0, 0, 0, 0, cst)
	s := New(testIndex(t), from, from.Add(48*time.Hour), Options{MaxGap: time.Hour, Location: cst})
	last := from.Add(24*time.Hour - 10*time.Minute)
	var pings []geo.Ping
	for d := time.Duration(0); d <= 20*time.Minute; d += 5 * time.Minute {
		pings = append(pings, geo.Ping{OfficerID: "o2", At: last.Add(d), GridID: "P2"})
	}
	s.Add(pings)
	sum := s.Summary()
	if got := timeIn(sum, "o2", from, "P2"); got != 10*time.Minute {
		t.Errorf("first day: %v in P2, want 10m", got)
	}
	// 10 min of pings after midnight and the last ping's hour.
	if got := timeIn(sum, "o2", from.Add(24*time.Hour), "P2"); got != 70*time.Minute {
		t.Errorf("second day: %v in P2, want 1h10m", got)
	}
	if len(sum.Officers) != 2 || sum.Officers[0].Day.Location() != cst {
		t.Errorf("officer days %+v, want two in CST", sum.Officers)
	}
}

func TestVisitsAreOwnOfficersStaysOfTheMinimum(t *testing.T) {
	ix := testIndex(t)
	s := New(ix, day0, day0.Add(7*24*time.Hour), Options{MaxGap: 2 * time.Minute, MinVisit: 10 * time.Minute})
	var pings []geo.Ping
	stay := func(officer string, start time.Duration, grids ...string) {
		// one ping a minute, one grid after the other, 5 minutes each
		for i, g := range grids {
			for m := 0; m < 5; m++ {
				pings = append(pings, at(officer, g, start+time.Duration(i*5+m)*time.Minute))
			}
		}
	}
	stay("o1", 8*time.Hour, "C1", "C2")                    // 10 min in P1 across its community grids: a visit
	stay("o1", 24*time.Hour+8*time.Hour, "C1")             // 6 min: passing through
	stay("o1", 48*time.Hour+8*time.Hour, "C2", "C2", "C2") // 16 min: a visit, the last
	stay("o3", 72*time.Hour, "C1", "C1", "C1")             // not P1's officer
	stay("o2", 9*time.Hour, "P2", "P2")                    // o2's own grid: a visit
	// o2 again, broken by a silent gap: two stays of 5+2 minutes, no visit
	stay("o2", 96*time.Hour, "P2")
	stay("o2", 96*time.Hour+30*time.Minute, "P2")
	s.Add(pings)
	sum := s.Summary()

	p1 := gridVisits(t, sum, "P1")
	if p1.Visits != 2 || !p1.LastVisit.Equal(day0.Add(48*time.Hour+8*time.Hour+16*time.Minute)) || p1.LastVisitOfficer != "o1" {
		t.Errorf("P1 = %+v, want 2 visits, the last ending 2 days + 8h16m in, by o1", p1)
	}
	if p1.OwnTime != (11+6+16)*time.Minute || p1.OtherTime != 16*time.Minute {
		t.Errorf("P1 own %v other %v, want 33m and 16m (each last ping stands for MaxGap)", p1.OwnTime, p1.OtherTime)
	}
	p2 := gridVisits(t, sum, "P2")
	if p2.Visits != 1 || p2.LastVisitOfficer != "o2" {
		t.Errorf("P2 = %+v, want 1 visit by o2", p2)
	}
	if len(sum.Grids) != 2 {
		t.Errorf("grids %+v, want the two police grids", sum.Grids)
	}
	if got := sum.PerWeek(&p1); got != 2 {
		t.Errorf("P1 visits per week = %v, want 2 over one week", got)
	}
}

func TestWindowClipsAndLatePingsAreSkipped(t *testing.T) {
	ix := testIndex(t)
	from := day0.Add(8 * time.Hour)
	s := New(ix, from, from.Add(time.Hour), Options{MaxGap: 10 * time.Minute, MinVisit: 10 * time.Minute})
	s.Add([]geo.Ping{
		at("o1", "C1", 8*time.Hour-5*time.Minute), // before the window: stands for its first 5 minutes
		at("o1", "C1", 8*time.Hour+5*time.Minute),
		at("o1", "C1", 8*time.Hour+time.Minute), // late: skipped
		at("o1", "C1", 9*time.Hour-time.Minute), // its 10 minutes end at the window's end
	})
	sum := s.Summary()
	if sum.Skipped != 1 {
		t.Errorf("skipped %d, want 1", sum.Skipped)
	}
	if got := timeIn(sum, "o1", day0, "C1"); got != 5*time.Minute+10*time.Minute+time.Minute {
		t.Errorf("time in C1 = %v, want 16m inside the window", got)
	}
	od := officerDay(t, sum, "o1", day0)
	if od.Present+od.Unknown != time.Hour {
		t.Errorf("present %v + unknown %v, want the window's hour", od.Present, od.Unknown)
	}
	// The stay runs 8:00 (clipped) to 8:15, and 8:59 to 9:00 after the
	// gap: one visit.
	if p1 := gridVisits(t, sum, "P1"); p1.Visits != 1 {
		t.Errorf("P1 = %+v, want one visit", p1)
	}
}

func TestChunksAndInterleavingDoNotChangeTheSummary(t *testing.T) {
	ix := testIndex(t)
	grids := []string{"C1", "C2", "P2", "", "C1", "C1", "P2"}
	var pings []geo.Ping
	for i := range 3000 {
		for _, o := range []string{"o1", "o2", "o3"} {
			pings = append(pings, at(o, grids[(i/37+len(o))%len(grids)], time.Duration(i)*30*time.Second+time.Duration(i%11)*time.Second))
		}
	}
	opts := Options{MaxGap: time.Minute, MinVisit: 5 * time.Minute}
	whole := New(ix, day0, day0.Add(48*time.Hour), opts)
	whole.Add(pings)
	want := whole.Summary()

	// Officer by officer, in uneven chunks.
	chunked := New(ix, day0, day0.Add(48*time.Hour), opts)
	for _, o := range []string{"o3", "o1", "o2"} {
		var mine []geo.Ping
		for _, p := range pings {
			if p.OfficerID == o {
				mine = append(mine, p)
			}
		}
		for len(mine) > 0 {
			n := min(len(mine), 101)
			chunked.Add(mine[:n])
			mine = mine[n:]
		}
	}
	got := chunked.Summary()
	if len(got.Officers) != len(want.Officers) || len(got.Grids) != len(want.Grids) {
		t.Fatalf("chunked summary has %d officer days and %d grids, want %d and %d", len(got.Officers), len(got.Grids), len(want.Officers), len(want.Grids))
	}
	for i := range want.Officers {
		w, g := want.Officers[i], got.Officers[i]
		if w.Officer != g.Officer || !w.Day.Equal(g.Day) || w.Present != g.Present || w.Unknown != g.Unknown || len(w.Grids) != len(g.Grids) {
			t.Errorf("officer day %d: %+v, want %+v", i, g, w)
		}
	}
	for i := range want.Grids {
		if want.Grids[i] != got.Grids[i] {
			t.Errorf("grid %d: %+v, want %+v", i, got.Grids[i], want.Grids[i])
		}
	}
	if want.Grids[0].Visits == 0 {
		t.Errorf("the test data should make visits: %+v", want.Grids)
	}
}

func TestTarget(t *testing.T) {
	tg := Target{PerWeek: 3, MinPerWeek: 1}
	for _, c := range []struct {
		name           string
		workload, mean float64
		want           float64
	}{
		{"average grid", 2, 2, 3},
		{"twice the average", 4, 2, 6},
		{"a quiet grid gets the minimum", 0.1, 2, 1},
		{"no workload known", 5, 0, 3},
		{"rounded to a tenth", 1, 3, 1},
		{"rounded up to a tenth", 2.2, 2, 3.3},
	} {
		if got := tg.For(c.workload, c.mean); got != c.want {
			t.Errorf("%s: For(%v, %v) = %v, want %v", c.name, c.workload, c.mean, got, c.want)
		}
	}
	if err := (Target{PerWeek: 1, MinPerWeek: 2}).Check(); err == nil {
		t.Error("a minimum above the average target passed the check")
	}
	if err := (Target{PerWeek: -1}).Check(); err == nil {
		t.Error("a negative target passed the check")
	}
	if err := DefaultTarget().Check(); err != nil {
		t.Error(err)
	}
}
