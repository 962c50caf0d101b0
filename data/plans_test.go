package data_test

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"

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
		"a grid's station":         func(d *geo.Dataset) { d.Grids[0].StationID = "s02" },
		"a grid's geometry":        func(d *geo.Dataset) { d.Grids[1].Geometry[0][0][0][0] += 1e-9 },
		"a population":             func(d *geo.Dataset) { d.Grids[2].Population++ },
		"a member's station":       func(d *geo.Dataset) { d.Members[0].StationID = "s02" },
		"a member's grids":         func(d *geo.Dataset) { d.Members[0].GridIDs = d.Members[0].GridIDs[:1] },
		"a station's place":        func(d *geo.Dataset) { d.Stations[0].Location[0] += 1e-9 },
		"a grid's terrain":         func(d *geo.Dataset) { d.Grids[0].Terrain = geo.Mountain },
		"a member's further roles": func(d *geo.Dataset) { d.Members[0].Roles = []geo.Role{geo.Volunteer} },
	} {
		d := storetest.Small()
		change(d)
		if data.Fingerprint(d) == base {
			t.Errorf("changing %s left the fingerprint as it was", name)
		}
	}
}

// TestFingerprintOfGridTerrains pins the fingerprint of a dataset without
// grid terrains to the value it had before grids had terrains, so plans
// saved then stay applicable, and checks that terrains count once given.
func TestFingerprintOfGridTerrains(t *testing.T) {
	tiny := func() *geo.Dataset {
		return &geo.Dataset{
			Stations: []geo.Station{{ID: "s", Region: geo.Plain, Location: orb.Point{109.25, 34.125}}},
			Grids: []geo.Grid{
				{ID: "g", Level: geo.PoliceLevel, StationID: "s", Population: 1200,
					Geometry: orb.MultiPolygon{{{{109, 34}, {109.5, 34}, {109.5, 34.25}, {109, 34.25}, {109, 34}}}}},
				{ID: "h", Level: geo.PoliceLevel, StationID: "s",
					Geometry: orb.MultiPolygon{{{{109.5, 34}, {110, 34}, {110, 34.25}, {109.5, 34.25}, {109.5, 34}}}}},
			},
			Members: []geo.Member{{ID: "m", Role: geo.CommunityOfficer, StationID: "s", GridIDs: []string{"g"}}},
		}
	}
	const before = "b3088fe841dfe54c87f6ee8d506cfc22" // computed by the Fingerprint of before grid terrains
	if got := data.Fingerprint(tiny()); got != before {
		t.Errorf("a dataset without grid terrains has fingerprint %s, want %s as before grids had terrains", got, before)
	}
	seen := map[string]string{before: "none"}
	for name, terrains := range map[string][2]geo.Terrain{
		"g plain":            {geo.Plain, ""},
		"g mountain":         {geo.Mountain, ""},
		"h plain":            {"", geo.Plain},
		"g and h plain":      {geo.Plain, geo.Plain},
		"g hill and h plain": {geo.Hill, geo.Plain},
		"g plain and h hill": {geo.Plain, geo.Hill},
	} {
		ds := tiny()
		ds.Grids[0].Terrain, ds.Grids[1].Terrain = terrains[0], terrains[1]
		fp := data.Fingerprint(ds)
		if other, dup := seen[fp]; dup {
			t.Errorf("terrains %s and %s give the same fingerprint %s", name, other, fp)
		}
		seen[fp] = name
	}
}

// TestApplyToDatasetKeepsTerrain: a grid that changes station keeps the
// terrain it had; one that stays is left as it is.
func TestApplyToDatasetKeepsTerrain(t *testing.T) {
	ds := storetest.Small()
	var police, village, still int = -1, -1, -1
	for i, g := range ds.Grids {
		switch {
		case g.Level == geo.PoliceLevel && g.StationID == "s01" && police < 0:
			police = i
		case g.Level == geo.PoliceLevel && still < 0:
			still = i
		}
	}
	for i, g := range ds.Grids {
		if g.ParentID == ds.Grids[police].ID && village < 0 {
			village = i
		}
	}
	if police < 0 || village < 0 || still < 0 {
		t.Fatal("storetest.Small has no police grid of s01 with a village and another police grid")
	}
	var s01, s02 geo.Terrain
	for _, s := range ds.Stations {
		switch s.ID {
		case "s01":
			s01 = s.Region
		case "s02":
			s02 = s.Region
		}
	}
	if s01 == s02 {
		t.Fatalf("stations s01 and s02 share region %s; the test needs two", s01)
	}
	cases := []struct {
		name                    string
		police, village         geo.Terrain // before
		wantPolice, wantVillage geo.Terrain
	}{
		{"no terrain: the old station's region", "", "", s01, s01},
		{"the police grid's own", geo.Hill, "", geo.Hill, geo.Hill},
		{"each its own", geo.Hill, geo.Mountain, geo.Hill, geo.Mountain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := storetest.Small()
			d.Grids[police].Terrain, d.Grids[village].Terrain = c.police, c.village
			var a data.PlanApplication
			for _, g := range d.Grids {
				if g.ID == d.Grids[police].ID || g.ParentID == d.Grids[police].ID {
					a.Grids = append(a.Grids, data.GridReassignment{GridID: g.ID, StationID: "s02"})
				}
			}
			a.Grids = append(a.Grids, data.GridReassignment{GridID: d.Grids[still].ID, StationID: d.Grids[still].StationID})
			if p := data.ApplyToDataset(d, a); len(p) > 0 {
				t.Fatal(p)
			}
			if g := d.Grids[police]; g.StationID != "s02" || g.Terrain != c.wantPolice {
				t.Errorf("police grid: station %s terrain %q, want s02 and %q", g.StationID, g.Terrain, c.wantPolice)
			}
			if g := d.Grids[village]; g.StationID != "s02" || g.Terrain != c.wantVillage {
				t.Errorf("village: station %s terrain %q, want s02 and %q", g.StationID, g.Terrain, c.wantVillage)
			}
			if g := d.Grids[still]; g.Terrain != "" {
				t.Errorf("a grid that stays got terrain %q", g.Terrain)
			}
		})
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
