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
