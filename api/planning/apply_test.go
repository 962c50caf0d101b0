package planning

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/plan"
)

// TestPlanChangesPicksMembers checks which members applying a plan moves:
// officers serving a moving grid go with it, then auxiliary officers before
// community officers, the highest id first; officers who stay lose the
// grids that leave; village members follow their village.
func TestPlanChangesPicksMembers(t *testing.T) {
	ds := storetest.Small() // P0-0, P0-1 in s01; P1-0, P1-1 in s02; one community officer each
	ds.Members = append(ds.Members,
		geo.Member{ID: "x1", Role: geo.AuxiliaryOfficer, StationID: "s01", GridIDs: []string{"P0-0"}},
		geo.Member{ID: "x2", Role: geo.AuxiliaryOfficer, StationID: "s01", GridIDs: []string{"P0-0"}},
		geo.Member{ID: "x9", Role: geo.AuxiliaryOfficer, StationID: "s01", GridIDs: []string{"P0-0"}},
		geo.Member{ID: "x5", Role: geo.AuxiliaryOfficer, StationID: "s01", GridIDs: []string{"P0-1"}},
		geo.Member{ID: "y1", Role: geo.CommunityOfficer, GridIDs: []string{"P0-1"}}, // placed by its grid
		geo.Member{ID: "gw", Role: geo.GridWorker, StationID: "s01", GridIDs: []string{"C0-2"}},
	)
	ix := mustIndex(t, ds)
	roles := []geo.Role{geo.CommunityOfficer, geo.AuxiliaryOfficer}
	today := func() plan.Deployment {
		d := plan.Deployment{Grids: map[string]string{}, Officers: map[string]int{"s01": 7, "s02": 2}}
		for _, g := range ds.Grids {
			if g.Level == geo.PoliceLevel {
				d.Grids[g.ID] = g.StationID
			}
		}
		return d
	}
	summary := func(changes []MemberChange) []string {
		var out []string
		for _, c := range changes {
			out = append(out, fmt.Sprintf("%s:%s:%s->%s:%s", c.MemberID, c.Kind, c.From, c.To, strings.Join(c.GridsAfter, "+")))
		}
		return out
	}
	cases := []struct {
		name  string
		grids map[string]string
		moves []plan.OfficerMove
		want  []string
	}{
		{"officers only: auxiliaries, highest id first", nil, []plan.OfficerMove{{From: "s01", To: "s02", Count: 2}},
			[]string{"x9:reassigned:s01->s02:", "x5:reassigned:s01->s02:"}},
		{"a grid and its officers", map[string]string{"P0-1": "s02"}, []plan.OfficerMove{{From: "s01", To: "s02", Count: 3}},
			[]string{"m-P0-1:reassigned:s01->s02:P0-1+C0-2", "x5:reassigned:s01->s02:P0-1", "y1:reassigned:s01->s02:P0-1", "gw:follows_grid:s01->s02:C0-2"}},
		{"a grid without officers", map[string]string{"P0-1": "s02"}, nil,
			[]string{"m-P0-1:unlinked:s01->s01:", "x5:unlinked:s01->s01:", "y1:unlinked:s01->s01:", "gw:follows_grid:s01->s02:C0-2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := today()
			for g, s := range c.grids {
				d.Grids[g] = s
			}
			for _, mv := range c.moves {
				d.Officers[mv.From] -= mv.Count
				d.Officers[mv.To] += mv.Count
			}
			a, changes, err := planChanges(ix, d, c.moves, roles)
			if err != nil {
				t.Fatal(err)
			}
			got := summary(changes)
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("changes\n got %q\nwant %q", got, want)
			}
			for _, r := range a.Members {
				if !slices.ContainsFunc(changes, func(c MemberChange) bool { return c.MemberID == r.MemberID }) {
					t.Errorf("member %s is written but not reported", r.MemberID)
				}
			}
			for _, r := range a.Members {
				if r.MemberID == "y1" && r.StationID != "" && c.name == "a grid and its officers" {
					t.Errorf("y1 moves with its grid and needs no station of its own, got %q", r.StationID)
				}
			}
			// Without the plan's moves the same counts are reached by pairing.
			if _, again, err := planChanges(ix, d, nil, roles); err != nil || len(again) != len(changes) {
				t.Errorf("without the move list: %d changes, %v", len(again), err)
			}
		})
	}
	d := today()
	d.Officers["s02"] = 30
	if _, _, err := planChanges(ix, d, nil, roles); err == nil || !strings.Contains(err.Error(), "does not hire") {
		t.Errorf("a plan with more officers than there are: %v", err)
	}
}

func mustIndex(tb testing.TB, ds *geo.Dataset) *geo.Index {
	tb.Helper()
	ix, err := geo.NewIndex(ds)
	if err != nil {
		tb.Fatalf("NewIndex: %v", err)
	}
	return ix
}
