package lantian

import (
	"testing"
	"time"

	"jingge/geo"
)

func TestIncidentsStructure(t *testing.T) {
	ds, _ := mustLoad(t)
	inc, err := Incidents(ds, DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d incidents in the year before %s", len(inc), DefaultIncidentsEnd.Format(time.DateOnly))
	if len(inc) < 10000 || len(inc) > 30000 {
		t.Fatalf("%d incidents; a county of half a million expects 10k–30k a year", len(inc))
	}
	again, _ := Incidents(ds, DefaultSeed)
	if len(again) != len(inc) || again[len(again)/2] != inc[len(inc)/2] {
		t.Fatal("the same seed gave different incidents")
	}
	perTownship := map[string]int{}
	popTownship := map[string]int{}
	for _, g := range ds.Grids {
		if g.Level == geo.CommunityLevel {
			popTownship[g.Township] += g.Population
		}
	}
	weekend, weekday := map[bool]int{}, map[bool]int{}
	for i, x := range inc {
		if x.CommunityGridID == "" || x.StationID == "" {
			t.Fatalf("incident %s is not attributed", x.ID)
		}
		if i > 0 && x.OccurredAt.Before(inc[i-1].OccurredAt) {
			t.Fatal("incidents are not sorted by time")
		}
		if x.OccurredAt.Before(DefaultIncidentsEnd.AddDate(0, 0, -365)) || !x.OccurredAt.Before(DefaultIncidentsEnd) {
			t.Fatalf("incident %s at %s is outside the year", x.ID, x.OccurredAt)
		}
		if x.Severity < 1 || x.Severity > 5 || x.ReportedAt.Before(x.OccurredAt) {
			t.Fatalf("incident %+v", x)
		}
		township := x.CommunityGridID[:9]
		perTownship[township]++
		wd := x.OccurredAt.Weekday()
		we := wd == time.Saturday || wd == time.Sunday
		if township == tangyuTownship {
			weekend[we]++
		} else {
			weekday[we]++
		}
	}
	rate := func(code string) float64 { return float64(perTownship[code]) / float64(popTownship[code]) }
	// The plain's county seat is busier per head than a mountain township.
	if rate("610122001") <= rate("610122109") {
		t.Errorf("蓝关 rate %.4f should exceed 葛牌 %.4f", rate("610122001"), rate("610122109"))
	}
	// 汤峪 has its tourist weekends: more incidents per weekend day than per weekday.
	if float64(weekend[true])/2 <= float64(weekend[false])/5 {
		t.Errorf("汤峪 weekend days %d vs weekdays %d: no tourist peak", weekend[true], weekend[false])
	}
}

// TestIncidentsUntilWithinADay: an end in the middle of a day keeps the
// year before that day exactly as a midnight end gives it, and adds that
// day's incidents that occurred and were reported before the end.
func TestIncidentsUntilWithinADay(t *testing.T) {
	ds, _ := mustLoad(t)
	midnight := time.Date(2026, 11, 20, 0, 0, 0, 0, chinaTime)
	end := midnight.Add(17*time.Hour + 30*time.Minute)
	year, err := IncidentsUntil(ds, DefaultSeed, midnight)
	if err != nil {
		t.Fatal(err)
	}
	more, err := IncidentsUntil(ds, DefaultSeed, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(more) <= len(year) {
		t.Fatalf("%d incidents until %s, %d until midnight: the day so far added none", len(more), end, len(year))
	}
	for i := range year {
		if more[i] != year[i] {
			t.Fatalf("incident %d differs: %+v, at midnight %+v", i, more[i], year[i])
		}
	}
	ids := map[string]bool{}
	for _, inc := range more {
		if ids[inc.ID] {
			t.Fatalf("id %s twice", inc.ID)
		}
		ids[inc.ID] = true
	}
	for _, inc := range more[len(year):] {
		if inc.OccurredAt.Before(midnight) || !inc.OccurredAt.Before(end) || inc.ReportedAt.After(end) {
			t.Fatalf("%s occurred %s, reported %s: not in the day before %s", inc.ID, inc.OccurredAt, inc.ReportedAt, end)
		}
	}
}
