package planning

import (
	"context"
	"strconv"

	"jingge/geo/plan"
)

// PlanComparison answers GET /api/v1/plan/compare: two plans side by side.
type PlanComparison struct {
	A PlanSide `json:"a"`
	B PlanSide `json:"b"`
	// Figures are the plan-wide figures of both, B − A in Delta.
	Figures []FigureComparison `json:"figures"`
	// Stations are the per-station figures of both, in dataset order.
	Stations []StationComparison `json:"stations"`
	// Grids lists the police grids whose station differs between the two.
	Grids []GridDifference `json:"grids"`
}

// PlanSide is one of the two plans compared.
type PlanSide struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
	// MeasuredNow is true when the figures were measured against the data
	// in force now (same incidents, same reference time for both sides);
	// false for a stale plan, whose figures are those it was proposed with.
	MeasuredNow bool            `json:"measured_now"`
	Measures    plan.Measures   `json:"measures"`
	Deployment  plan.Deployment `json:"deployment"`
}

// FigureComparison is one plan-wide figure of both plans.
type FigureComparison struct {
	Figure string  `json:"figure"`
	A      float64 `json:"a"`
	B      float64 `json:"b"`
	Delta  float64 `json:"delta"`
}

// StationComparison is one station under both plans.
type StationComparison struct {
	StationID string               `json:"station"`
	Name      string               `json:"name"`
	A         plan.StationMeasures `json:"a"`
	B         plan.StationMeasures `json:"b"`
}

// GridDifference is a police grid held by different stations in the two
// plans.
type GridDifference struct {
	GridID string `json:"grid"`
	Name   string `json:"name"`
	A      string `json:"a"`
	B      string `json:"b"`
}

// Compare puts plans a and b ("current" for today's deployment) side by
// side. Plans made against the dataset in force are measured now, so both
// sides count the same incidents; stale plans show the figures they were
// proposed with.
func (p *Planner) Compare(ctx context.Context, a, b string) (PlanComparison, error) {
	m, err := p.current(ctx)
	if err != nil {
		return PlanComparison{}, err
	}
	side := func(id string) (PlanSide, error) {
		doc, err := p.Plan(ctx, id)
		if err != nil {
			return PlanSide{}, err
		}
		s := PlanSide{ID: doc.ID, Status: doc.Status, Note: doc.Note, Measures: doc.After, Deployment: doc.Deployment}
		if !doc.Stale {
			if ms, err := m.model.Measure(doc.Deployment); err == nil {
				s.Measures, s.MeasuredNow = ms, true
			}
		}
		return s, nil
	}
	out := PlanComparison{Figures: []FigureComparison{}, Stations: []StationComparison{}, Grids: []GridDifference{}}
	if out.A, err = side(a); err != nil {
		return PlanComparison{}, err
	}
	if out.B, err = side(b); err != nil {
		return PlanComparison{}, err
	}
	fig := func(name string, f func(plan.Measures) float64) {
		x, y := f(out.A.Measures), f(out.B.Measures)
		out.Figures = append(out.Figures, FigureComparison{Figure: name, A: x, B: y, Delta: y - x})
	}
	fig("cv", func(ms plan.Measures) float64 { return ms.Balance.CV })
	fig("gini", func(ms plan.Measures) float64 { return ms.Balance.Gini })
	fig("max_min_ratio", func(ms plan.Measures) float64 { return ms.Balance.MaxMinRatio })
	fig("mean_load_per_officer", func(ms plan.Measures) float64 { return ms.Balance.MeanLoadPerOfficer })
	fig("mean_polsby_popper", func(ms plan.Measures) float64 { return ms.MeanPolsbyPopper })
	fig("mean_response_minutes", func(ms plan.Measures) float64 { return ms.Response.MeanMinutes })
	fig("p90_response_minutes", func(ms plan.Measures) float64 { return ms.Response.P90Minutes })
	for k := range m.model.Config().Travel.BandsMinutes {
		name := "share_within_" + trimFloat(m.model.Config().Travel.BandsMinutes[k]) + "_minutes"
		fig(name, func(ms plan.Measures) float64 {
			if k < len(ms.Response.Within) {
				return ms.Response.Within[k].Share
			}
			return 0
		})
	}
	fig("grids_moved", func(ms plan.Measures) float64 { return float64(ms.Change.GridsMoved) })
	fig("officers_moved", func(ms plan.Measures) float64 { return float64(ms.Change.OfficersMoved) })
	fig("contiguous", func(ms plan.Measures) float64 {
		if ms.Contiguous {
			return 1
		}
		return 0
	})
	byStation := func(ms plan.Measures) map[string]plan.StationMeasures {
		out := make(map[string]plan.StationMeasures, len(ms.Stations))
		for _, s := range ms.Stations {
			out[s.StationID] = s
		}
		return out
	}
	sa, sb := byStation(out.A.Measures), byStation(out.B.Measures)
	for _, st := range m.ix.Dataset().Stations {
		x, y := sa[st.ID], sb[st.ID]
		x.StationID, y.StationID = st.ID, st.ID
		out.Stations = append(out.Stations, StationComparison{StationID: st.ID, Name: st.Name, A: x, B: y})
	}
	for _, g := range m.ix.Dataset().Grids {
		if g.ParentID != "" {
			continue
		}
		x, y := out.A.Deployment.Grids[g.ID], out.B.Deployment.Grids[g.ID]
		if x != y {
			out.Grids = append(out.Grids, GridDifference{GridID: g.ID, Name: g.Name, A: x, B: y})
		}
	}
	return out, nil
}

// trimFloat writes f in as few digits as it takes: 5, 7.5.
func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
