package planning

import (
	"context"
	"fmt"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/plan"
)

// visitRecord reads what the visit-based measures need for the months
// from..to: the visits from the month before from (the warning window
// reaches back into it) to the end of to, and where the visit record
// starts. The record is complete from the month after its earliest visit
// (it began during that month), or from the first month read when an
// older visit exists; so whether a month is measured depends only on the
// stored visits, not on the range asked for.
func (p *Planner) visitRecord(ctx context.Context, ix *geo.Index, from, to plan.Month, incidents []geo.Incident) (plan.VisitRecord, error) {
	loc := ix.Location()
	rec := plan.VisitRecord{Incidents: incidents, Zone: loc, Residents: stationResidents(ix.Dataset())}
	first := from.AddMonths(-1)
	start := time.Date(first.Year, first.Month, 1, 0, 0, 0, 0, loc)
	end := to.AddMonths(1)
	var err error
	if rec.Visits, err = allVisits(ctx, p.visits, data.VisitFilter{From: start, To: time.Date(end.Year, end.Month, 1, 0, 0, 0, 0, loc)}); err != nil {
		return plan.VisitRecord{}, fmt.Errorf("planning: assessment: reading visits: %w", err)
	}
	older, err := p.visits.QueryVisits(ctx, data.VisitFilter{To: start}, data.Page{Limit: 1})
	if err != nil {
		return plan.VisitRecord{}, fmt.Errorf("planning: assessment: reading visits: %w", err)
	}
	switch {
	case len(older.Visits) > 0:
		rec.From = first
	case len(rec.Visits) > 0:
		earliest := rec.Visits[0].At
		for _, v := range rec.Visits[1:] {
			if v.At.Before(earliest) {
				earliest = v.At
			}
		}
		rec.From = plan.MonthOf(earliest, loc).AddMonths(1)
	}
	return rec, nil
}

// allVisits reads every visit that passes f, page by page.
func allVisits(ctx context.Context, st data.VisitStore, f data.VisitFilter) ([]geo.Visit, error) {
	var out []geo.Visit
	page := data.Page{Limit: data.MaxPageLimit}
	for {
		vp, err := st.QueryVisits(ctx, f, page)
		if err != nil {
			return nil, err
		}
		out = append(out, vp.Visits...)
		if vp.Next == "" {
			return out, nil
		}
		page.Cursor = vp.Next
	}
}

// stationResidents sums the population of each station's community grids,
// or of its police grids where its community grids record none.
func stationResidents(ds *geo.Dataset) map[string]int {
	community, police := map[string]int{}, map[string]int{}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.Level == geo.CommunityLevel {
			community[g.StationID] += g.Population
		} else {
			police[g.StationID] += g.Population
		}
	}
	for s, n := range police {
		if community[s] == 0 {
			community[s] = n
		}
	}
	return community
}

// allTasks reads every task that passes f, page by page.
func allTasks(ctx context.Context, st data.TaskStore, f data.TaskFilter) ([]geo.Task, error) {
	var out []geo.Task
	page := data.Page{Limit: data.MaxPageLimit}
	for {
		tp, err := st.QueryTasks(ctx, f, page)
		if err != nil {
			return nil, err
		}
		out = append(out, tp.Tasks...)
		if tp.Next == "" {
			return out, nil
		}
		page.Cursor = tp.Next
	}
}
