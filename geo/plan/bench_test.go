package plan

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"jingge/data/lantian"
)

// Measuring a plan against a prepared Model, beside the naive baseline
// that prepares everything (workloads, boundaries, adjacency, incident
// placement) for every plan.
func BenchmarkMeasureLantian(b *testing.B) {
	ix, inc := lantianData(b)
	m := lantianModel(b, DefaultConfig())
	cur := m.Current()
	b.Run("model", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Measure(cur); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("from-scratch", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := NewModel(ix, inc, lantian.DefaultIncidentsEnd, DefaultConfig())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.Measure(cur); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkNewModelLantian(b *testing.B) {
	ix, inc := lantianData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewModel(ix, inc, lantian.DefaultIncidentsEnd, DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

// Evaluating one candidate grid move: the search's incremental update
// beside recomputing the objective of the whole plan.
func BenchmarkMoveEvalLantian(b *testing.B) {
	m := lantianModel(b, DefaultConfig())
	p, _ := m.resolve(m.Current())
	lockedU, lockedS := make([]bool, len(m.units)), make([]bool, len(m.stations))
	a := newAnnealer(m, p, lockedU, lockedS, len(m.units), 1)
	// A fixed list of feasible moves.
	var moves [][2]int
	for u := range m.units {
		for _, nb := range m.adj[u] {
			if _, ok := a.try(u, a.station[nb.unit]); ok {
				moves = append(moves, [2]int{u, int(a.station[nb.unit])})
			}
		}
	}
	if len(moves) == 0 {
		b.Fatal("no feasible move")
	}
	b.Run("incremental", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			mv := moves[i%len(moves)]
			if _, ok := a.try(mv[0], int32(mv[1])); !ok {
				b.Fatal("infeasible")
			}
			i++
		}
	})
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		q := p.clone()
		i := 0
		for b.Loop() {
			mv := moves[i%len(moves)]
			old := q.station[mv[0]]
			q.station[mv[0]] = int32(mv[1])
			t := m.totals(q)
			m.response(q, t.respSum)
			_ = m.objective(q, t, p.station, m.currentResp)
			q.station[mv[0]] = old
			i++
		}
	})
}

func BenchmarkProposeLantian(b *testing.B) {
	m := lantianModel(b, DefaultConfig())
	cur := m.Current()
	var p Proposal
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if p, err = m.Propose(cur, ProposeOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(100*(1-p.After.Balance.CV/p.Before.Balance.CV), "cv-cut-%")
}

// Grid reassignment with the default search length (2,000 proposed moves
// per police grid) on Lantian and on synthetic regions of 2,500 and
// 10,000 police grids (geotest lattices, 25 and 100 stations).
func BenchmarkReassign(b *testing.B) {
	type size struct {
		name string
		m    func(b *testing.B) *Model
	}
	sizes := []size{
		{"lantian-92", func(b *testing.B) *Model { return lantianModel(b, DefaultConfig()) }},
		{"lattice-2500", func(b *testing.B) *Model { return regionModel(b, 50, 5) }},
		{"lattice-10000", func(b *testing.B) *Model { return regionModel(b, 100, 10) }},
	}
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			m := sz.m(b)
			cur := m.Current()
			var r Reassignment
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if r, err = m.ReassignGrids(cur, ReassignOptions{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(r.Moves)), "moves")
			b.ReportMetric(r.Search.Objective/r.Search.StartObjective, "objective-ratio")
		})
	}
}

func regionModel(b *testing.B, n, k int) *Model {
	b.Helper()
	ix, inc := region(b, n, k, 1)
	m, err := NewModel(ix, inc, timeOfEnd, DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkCoverageLantian(b *testing.B) {
	m := lantianModel(b, DefaultConfig())
	stations := m.StationOrigins()
	rng := rand.New(rand.NewPCG(1, 1))
	var patrols []Origin
	for i := range 200 { // 200 officers on patrol, near random stations
		s := stations[rng.IntN(len(stations))].Location
		s[0] += (rng.Float64() - 0.5) * 0.1
		s[1] += (rng.Float64() - 0.5) * 0.1
		patrols = append(patrols, Origin{ID: fmt.Sprintf("p%d", i), Kind: "patrol", Location: s})
	}
	for _, c := range []struct {
		name    string
		origins []Origin
	}{{"stations-15", stations}, {"patrols-200", patrols}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Coverage(c.origins); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAssessLantian(b *testing.B) {
	ix, inc := lantianData(b)
	var stations []string
	for _, s := range ix.Stations() {
		stations = append(stations, s.ID)
	}
	first := MonthOf(inc[0].OccurredAt, cst)
	var months []Month
	for k := 1; k <= 11; k++ {
		months = append(months, first.AddMonths(k))
	}
	in := AssessmentInput{Stations: stations, Months: months, Incidents: inc, Zone: time.FixedZone("CST", 8*3600)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Assess(DefaultAssessmentConfig(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// Outlines of all 15 stations of a plan, for drawing it.
func BenchmarkStationOutlinesLantian(b *testing.B) {
	m := lantianModel(b, DefaultConfig())
	cur := m.Current()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.StationOutlines(cur); err != nil {
			b.Fatal(err)
		}
	}
}
