package roster

import (
	"strings"
	"testing"

	"jingge/geo"
)

func tiny() *geo.Dataset {
	return &geo.Dataset{
		Grids: []geo.Grid{
			{ID: "P1", Name: "警格一", Level: geo.PoliceLevel, StationID: "a"},
			{ID: "P2", Name: "警格二", Level: geo.PoliceLevel, StationID: "b"},
			{ID: "C1", Name: "网格一", Level: geo.CommunityLevel, StationID: "a", ParentID: "P1"},
		},
		Members: []geo.Member{
			{ID: "m1", Role: geo.CommunityOfficer, GridIDs: []string{"P1"}},
			// A cadre who is also the grid worker: one member, two roles.
			{ID: "m2", Role: geo.VillageCadre, Roles: []geo.Role{geo.GridWorker}, GridIDs: []string{"C1"}},
			{ID: "m3", Role: geo.JusticeStaff, GridIDs: []string{"P1"}},
		},
	}
}

func TestCheck(t *testing.T) {
	cfg := Config{Rules: []Rule{
		{ID: "officer", Level: geo.PoliceLevel, Role: geo.CommunityOfficer, Min: 1},
		{ID: "cadre", Level: geo.CommunityLevel, Role: geo.VillageCadre, Min: 1},
		{ID: "worker", Level: geo.CommunityLevel, Role: geo.GridWorker, Min: 1},
		{ID: "justice-b", Level: geo.PoliceLevel, Role: geo.JusticeStaff, Min: 1, Stations: []string{"b"}},
		{ID: "two-officers-a", Level: geo.PoliceLevel, Role: geo.CommunityOfficer, Min: 2, Stations: []string{"a"}},
	}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range Check(tiny(), cfg) {
		got = append(got, b.GridID+":"+b.RuleID)
	}
	// P2 has no officer and no justice staff; P1 has one officer of two;
	// C1's cadre counts as its grid worker too.
	if want := "P1:two-officers-a P2:officer P2:justice-b"; strings.Join(got, " ") != want {
		t.Errorf("breaks %q, want %q", strings.Join(got, " "), want)
	}
}

func TestValidate(t *testing.T) {
	bad := Config{Rules: []Rule{
		{ID: "", Level: geo.PoliceLevel, Role: geo.CommunityOfficer, Min: 1},
		{ID: "x", Level: "county", Role: geo.CommunityOfficer, Min: 1},
		{ID: "x", Level: geo.PoliceLevel, Role: "sheriff", Min: 0},
	}}
	err := bad.Validate()
	for _, want := range []string{"give it an id", `level "county"`, "used twice", `role "sheriff"`, "min 0"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v; want it to say %q", err, want)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("the default rules: %v", err)
	}
	if _, err := LoadConfig(strings.NewReader(`{"rules": [{"id": "a", "level": "police", "role": "community_officer", "min": 1, "minimum": 2}]}`)); err == nil {
		t.Error("LoadConfig took an unknown field")
	}
}

func TestNewBreaks(t *testing.T) {
	before := []Break{{GridID: "P1", RuleID: "officer", Have: 1, Min: 2}, {GridID: "P2", RuleID: "officer", Have: 0, Min: 1}}
	after := []Break{
		{GridID: "P1", RuleID: "officer", Have: 0, Min: 2}, // shorter than it was
		{GridID: "P2", RuleID: "officer", Have: 0, Min: 1}, // as short as it was
		{GridID: "P3", RuleID: "officer", Have: 0, Min: 1}, // new
	}
	var got []string
	for _, b := range NewBreaks(before, after) {
		got = append(got, b.GridID)
	}
	if strings.Join(got, " ") != "P1 P3" {
		t.Errorf("new breaks %v, want P1 P3", got)
	}
}
