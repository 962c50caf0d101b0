package data_test

import (
	"slices"
	"testing"

	"jingge/data"
	"jingge/data/storetest"
	"jingge/geo"
)

func TestFingerprint(t *testing.T) {
	ds := storetest.Small()
	base := data.Fingerprint(ds)
	if len(base) != 32 {
		t.Fatalf("fingerprint %q, want 32 hex digits", base)
	}
	reordered := storetest.Small()
	slices.Reverse(reordered.Grids)
	slices.Reverse(reordered.Members)
	slices.Reverse(reordered.Stations)
	reordered.Grids[0].Name = "renamed: names do not count"
	reordered.Meta.Name = "neither does the description"
	if got := data.Fingerprint(reordered); got != base {
		t.Errorf("order and names changed the fingerprint: %s, want %s", got, base)
	}
	for name, change := range map[string]func(d *geo.Dataset){
		"a grid's station":   func(d *geo.Dataset) { d.Grids[0].StationID = "s02" },
		"a grid's geometry":  func(d *geo.Dataset) { d.Grids[1].Geometry[0][0][0][0] += 1e-9 },
		"a population":       func(d *geo.Dataset) { d.Grids[2].Population++ },
		"a member's station": func(d *geo.Dataset) { d.Members[0].StationID = "s02" },
		"a member's grids":   func(d *geo.Dataset) { d.Members[0].GridIDs = d.Members[0].GridIDs[:1] },
		"a station's place":  func(d *geo.Dataset) { d.Stations[0].Location[0] += 1e-9 },
	} {
		d := storetest.Small()
		change(d)
		if data.Fingerprint(d) == base {
			t.Errorf("changing %s left the fingerprint as it was", name)
		}
	}
}

func TestCheckAssessmentEntries(t *testing.T) {
	ok := data.AssessmentEntry{StationID: "s01", Month: "2026-03", Familiarity: data.Ratio{Numerator: 3, Denominator: 4}}
	if p := data.CheckAssessmentEntries([]data.AssessmentEntry{ok}); len(p) != 0 {
		t.Errorf("a good entry: %v", p)
	}
	bad := ok
	bad.Month = "2026-13"
	bad.Satisfaction = data.Ratio{Numerator: 5, Denominator: 4}
	if p := data.CheckAssessmentEntries([]data.AssessmentEntry{ok, bad, ok}); len(p) != 3 {
		t.Errorf("a bad month, a numerator above its denominator and a repeat: %v", p)
	}
	for _, m := range []string{"2026-03", "0001-01", "9999-12"} {
		if !data.ValidMonth(m) {
			t.Errorf("ValidMonth(%q) = false", m)
		}
	}
	for _, m := range []string{"2026-3", "2026-00", "26-03", "2026-03-01", ""} {
		if data.ValidMonth(m) {
			t.Errorf("ValidMonth(%q) = true", m)
		}
	}
}
