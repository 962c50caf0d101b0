package plan

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The goal of the planner on the bundled Lantian data and its year of
// synthetic incidents: cut the coefficient of variation of load per officer
// by at least 40% while moving at most 10% of police grids and 10% of
// officers, with every station in one piece.
func TestProposeLantianGoal(t *testing.T) {
	m := lantianModel(t, DefaultConfig())
	cur := m.Current()
	p, err := m.Propose(cur, ProposeOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, a := p.Before, p.After
	cut := 1 - a.Balance.CV/b.Balance.CV
	totalOfficers := 0
	for _, n := range cur.Officers {
		totalOfficers += n
	}
	t.Logf("Lantian, %d police grids, %d officers, %d incidents", len(m.units), totalOfficers, m.Incidents())
	t.Logf("CV of load per officer %.3f -> %.3f (cut %.0f%%); Gini %.3f -> %.3f; max/min %.2f -> %.2f",
		b.Balance.CV, a.Balance.CV, 100*cut, b.Balance.Gini, a.Balance.Gini, b.Balance.MaxMinRatio, a.Balance.MaxMinRatio)
	t.Logf("moves: %d police grids (%.1f%%), %d officers (%.1f%%)",
		a.Change.GridsMoved, 100*a.Change.GridShare, a.Change.OfficersMoved, 100*a.Change.OfficerShare)
	t.Logf("response: mean %.2f -> %.2f min, p90 %.2f -> %.2f min; within 5/10/15/30 min %s -> %s",
		b.Response.MeanMinutes, a.Response.MeanMinutes, b.Response.P90Minutes, a.Response.P90Minutes, shares(b.Response), shares(a.Response))
	t.Logf("mean Polsby–Popper %.3f -> %.3f; objective %.4f -> %.4f", b.MeanPolsbyPopper, a.MeanPolsbyPopper, b.Objective, a.Objective)
	for _, mv := range p.GridMoves {
		t.Logf("  grid %s %s: %s -> %s (%d villages, load %.0f)", mv.GridID, mv.Name, mv.From, mv.To, len(mv.CommunityGrids), mv.Workload)
	}
	for _, mv := range p.OfficerMoves {
		t.Logf("  %d officer(s) %s -> %s", mv.Count, mv.From, mv.To)
	}

	if cut < 0.40 {
		t.Errorf("CV cut by %.1f%%, want at least 40%%", 100*cut)
	}
	if a.Change.GridShare > 0.10 {
		t.Errorf("%.1f%% of police grids moved, want at most 10%%", 100*a.Change.GridShare)
	}
	if a.Change.OfficerShare > 0.10 {
		t.Errorf("%.1f%% of officers moved, want at most 10%%", 100*a.Change.OfficerShare)
	}
	if !a.Contiguous {
		t.Error("a station is not in one piece")
	}
	after := 0
	for _, s := range a.Stations {
		after += s.Officers
		if s.Grids == 0 {
			t.Errorf("station %s is empty", s.StationID)
		}
	}
	if after != totalOfficers {
		t.Errorf("%d officers after, %d before", after, totalOfficers)
	}
	if len(p.GridMoves) != a.Change.GridsMoved {
		t.Errorf("%d grid moves listed, %d measured", len(p.GridMoves), a.Change.GridsMoved)
	}
	// The proposal's figures are the figures of its deployment.
	again, err := m.Measure(p.Deployment)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, a) {
		t.Error("Measure(proposal) differs from the proposal's After")
	}
	// The same seed gives the same proposal.
	p2, _ := m.Propose(cur, ProposeOptions{Seed: 1})
	if !reflect.DeepEqual(p, p2) {
		t.Error("the same seed gave a different proposal")
	}
}

func shares(r Response) string {
	var parts []string
	for _, w := range r.Within {
		parts = append(parts, fmt.Sprintf("%.0f%%", 100*w.Share))
	}
	return strings.Join(parts, "/")
}

func TestProposeRespectsOptions(t *testing.T) {
	m := lantianModel(t, DefaultConfig())
	cur := m.Current()
	tests := []struct {
		name  string
		opt   ProposeOptions
		check func(t *testing.T, p Proposal)
	}{
		{name: "officers only", opt: ProposeOptions{MaxGridMoves: -1}, check: func(t *testing.T, p Proposal) {
			if len(p.GridMoves) != 0 {
				t.Errorf("%d grid moves", len(p.GridMoves))
			}
		}},
		{name: "grids only", opt: ProposeOptions{MaxOfficerMoves: -1, Seed: 2}, check: func(t *testing.T, p Proposal) {
			if len(p.OfficerMoves) != 0 || p.After.Change.OfficersMoved != 0 {
				t.Errorf("%d officer moves", len(p.OfficerMoves))
			}
			if p.After.Balance.CV >= p.Before.Balance.CV {
				t.Errorf("grid moves alone did not lower the CV: %.3f -> %.3f", p.Before.Balance.CV, p.After.Balance.CV)
			}
		}},
		{name: "locked station", opt: ProposeOptions{LockedStations: []string{"chengguan"}}, check: func(t *testing.T, p Proposal) {
			if p.Deployment.Officers["chengguan"] != cur.Officers["chengguan"] {
				t.Error("a locked station's officers changed")
			}
			for _, mv := range p.GridMoves {
				if mv.From == "chengguan" || mv.To == "chengguan" {
					t.Errorf("grid %s moved across the locked station", mv.GridID)
				}
			}
		}},
		{name: "higher minimum", opt: ProposeOptions{MinOfficersPerStation: 8}, check: func(t *testing.T, p Proposal) {
			for _, s := range p.After.Stations {
				if s.Officers < min(8, cur.Officers[s.StationID]) {
					t.Errorf("station %s has %d officers", s.StationID, s.Officers)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := m.Propose(cur, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !p.After.Contiguous {
				t.Error("a station is not in one piece")
			}
			tc.check(t, p)
		})
	}
}
