package lantian_test

import (
	"strings"
	"testing"

	"jingge/data/lantian"
	"jingge/geo/roster"
)

// TestDemoRosterBreaks: under the default rules the demo county breaks
// only the rule its data leaves open on purpose: 横岭's 司法所 post is
// vacant, so each of its police grids lacks judicial office staff. Every
// other grid has its community officer, cadre and grid worker, and 玉山
// its full multi-force circle.
func TestDemoRosterBreaks(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	var hengling []string
	for _, g := range ds.Grids {
		if g.StationID == "hengling" && g.Level == "police" {
			hengling = append(hengling, g.ID)
		}
	}
	breaks := roster.Check(ds, roster.DefaultConfig())
	var got []string
	for _, b := range breaks {
		got = append(got, b.GridID+":"+b.RuleID)
		t.Log(b)
	}
	var want []string
	for _, id := range hengling {
		want = append(want, id+":multi-force-justice")
	}
	if len(hengling) == 0 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("demo breaks %v, want %v", got, want)
	}
}
