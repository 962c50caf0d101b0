package planning

import (
	"context"
	"fmt"
	"slices"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/plan"
)

// maxTrendMonths bounds GET /api/v1/assessment/trend: five years.
const maxTrendMonths = 60

// AssessmentEntries is the body of PUT /api/v1/assessment/entries and the
// answer of GET /api/v1/assessment/entries.
type AssessmentEntries struct {
	Entries []data.AssessmentEntry `json:"entries"`
}

// AssessmentSaved answers the writes of entries.
type AssessmentSaved struct {
	Saved int `json:"saved"`
	// Months lists the months the entries are for, ascending.
	Months []string `json:"months"`
}

// AssessmentResult answers GET /api/v1/assessment/{month} (one month) and
// GET /api/v1/assessment/trend (a range).
type AssessmentResult struct {
	From    plan.Month         `json:"from"`
	To      plan.Month         `json:"to"`
	Weights plan.MetricWeights `json:"weights"`
	// IncidentsFrom is the first month whose incidents are taken as
	// complete; comparisons with earlier months are not made.
	IncidentsFrom plan.Month        `json:"incidents_from"`
	StationNames  map[string]string `json:"station_names"`
	plan.Assessment
}

// Assess scores every station for every month from..to.
func (p *Planner) Assess(ctx context.Context, from, to plan.Month) (AssessmentResult, error) {
	ix := p.live.Load()
	if ix == nil {
		return AssessmentResult{}, errNoIndex
	}
	if to.Before(from) {
		return AssessmentResult{}, data.InvalidParams(data.Param{Name: "to", Reason: fmt.Sprintf("to (%s) is before from (%s)", to, from)})
	}
	var months []plan.Month
	for m := from; !to.Before(m); m = m.AddMonths(1) {
		if len(months) == maxTrendMonths {
			return AssessmentResult{}, data.InvalidParams(data.Param{Name: "to", Reason: fmt.Sprintf("at most %d months at a time", maxTrendMonths)})
		}
		months = append(months, m)
	}
	cfg := p.cfg.Assessment
	loc := ix.Location()
	start := from.AddMonths(-12)
	window := time.Date(start.Year, start.Month, 1, 0, 0, 0, 0, loc)
	end := to.AddMonths(1)
	var incidents []geo.Incident
	if p.incidents != nil {
		var err error
		if incidents, err = p.incidents.Incidents(ctx, window, time.Date(end.Year, end.Month, 1, 0, 0, 0, 0, loc)); err != nil {
			return AssessmentResult{}, fmt.Errorf("planning: assessment: reading incidents: %w", err)
		}
	}
	ds := ix.Dataset()
	in := plan.AssessmentInput{Months: months, Incidents: incidents, IncidentsFrom: recordStart(incidents, start, loc), Zone: loc}
	if p.visits != nil {
		rec, err := p.visitRecord(ctx, ix, from, to, incidents)
		if err != nil {
			return AssessmentResult{}, err
		}
		in.Measures = plan.VisitMeasures(cfg, rec)
	}
	if p.tasks != nil {
		tasks, err := allTasks(ctx, p.tasks, data.TaskFilter{
			From: time.Date(from.Year, from.Month, 1, 0, 0, 0, 0, loc),
			To:   time.Date(end.Year, end.Month, 1, 0, 0, 0, 0, loc),
		})
		if err != nil {
			return AssessmentResult{}, fmt.Errorf("planning: assessment: reading tasks: %w", err)
		}
		if in.Measures == nil {
			in.Measures = map[string]plan.Measure{}
		}
		in.Measures[plan.MetricControlTasks] = plan.TaskMeasure(tasks, p.now(), loc)
	}
	known := map[string]bool{}
	out := AssessmentResult{From: from, To: to, Weights: cfg.Weights, StationNames: map[string]string{}}
	for _, st := range ds.Stations {
		in.Stations = append(in.Stations, st.ID)
		known[st.ID] = true
		out.StationNames[st.ID] = st.Name
	}
	if p.assessments != nil {
		entries, err := p.assessments.Assessment(ctx, from.String(), to.String())
		if err != nil {
			return AssessmentResult{}, ContentError(err)
		}
		for _, e := range entries {
			m, err := plan.ParseMonth(e.Month)
			if err != nil || !known[e.StationID] {
				continue // a retired station's entries are not scored
			}
			in.Entered = append(in.Entered, plan.EnteredValues{StationID: e.StationID, Month: m,
				Familiarity: plan.Ratio(e.Familiarity), RiskWarning: plan.Ratio(e.RiskWarning),
				ControlTasks: plan.Ratio(e.ControlTasks), Satisfaction: plan.Ratio(e.Satisfaction),
				ScoredBy: e.ScoredBy, EnteredBy: e.UpdatedBy, EnteredAt: e.UpdatedAt})
		}
	}
	a, err := plan.Assess(cfg, in)
	if err != nil {
		return AssessmentResult{}, planError(err)
	}
	out.Assessment = a
	out.IncidentsFrom = in.IncidentsFrom
	return out, nil
}

// recordStart is the first month whose incidents are taken as complete:
// the month of the earliest incident when that is the first month read
// (the record may reach further back), else the month after it (the
// record began during that month).
func recordStart(incidents []geo.Incident, firstRead plan.Month, loc *time.Location) plan.Month {
	if len(incidents) == 0 {
		return firstRead
	}
	earliest := incidents[0].OccurredAt
	for _, inc := range incidents[1:] {
		if inc.OccurredAt.Before(earliest) {
			earliest = inc.OccurredAt
		}
	}
	m := plan.MonthOf(earliest, loc)
	if m == firstRead {
		return m
	}
	return m.AddMonths(1)
}

// PutAssessment saves entered metrics after checking their stations
// against the index in force; a station may be given by id or by name.
func (p *Planner) PutAssessment(ctx context.Context, rows []AssessmentRow, actor string) (AssessmentSaved, error) {
	return p.PutAssessmentKeyed(ctx, rows, actor, nil, nil)
}

// PutAssessmentKeyed is PutAssessment under an idempotency key, as
// ApplyKeyed is Apply: a retry under key fails with the store's
// *data.Replay of the first answer (or its KeyConflict), unchanged.
func (p *Planner) PutAssessmentKeyed(ctx context.Context, rows []AssessmentRow, actor string, key *data.AnswerKey, answer func(AssessmentSaved) data.Answer) (AssessmentSaved, error) {
	if p.assessments == nil {
		return AssessmentSaved{}, errNoAssessmentStore
	}
	ix := p.live.Load()
	if ix == nil {
		return AssessmentSaved{}, errNoIndex
	}
	byName := map[string]string{}
	for _, st := range ix.Stations() {
		byName[st.Name] = st.ID
	}
	var bad []data.Param
	entries := make([]data.AssessmentEntry, len(rows))
	monthSet := map[string]bool{}
	for i, r := range rows {
		e, problems := resolveEntry(ix, byName, r, i)
		bad = append(bad, problems...)
		entries[i] = e
		monthSet[e.Month] = true
	}
	if len(bad) > 0 {
		return AssessmentSaved{}, data.InvalidParams(bad...)
	}
	out := AssessmentSaved{Saved: len(entries), Months: []string{}}
	for m := range monthSet {
		out.Months = append(out.Months, m)
	}
	slices.Sort(out.Months)
	w := data.AssessmentWrite{Entries: entries, Actor: actor}
	if key != nil {
		w.Key, w.Answer = key, func() data.Answer { return answer(out) }
	}
	if err := p.assessments.PutAssessment(ctx, w); err != nil {
		if data.IsKeyed(err) {
			return AssessmentSaved{}, err
		}
		return AssessmentSaved{}, ContentError(err)
	}
	return out, nil
}

// Entries returns the entered metrics of the months from..to ("" is open).
func (p *Planner) Entries(ctx context.Context, from, to string) (AssessmentEntries, error) {
	out := AssessmentEntries{Entries: []data.AssessmentEntry{}}
	if p.assessments == nil {
		return out, nil
	}
	entries, err := p.assessments.Assessment(ctx, from, to)
	if err != nil {
		return AssessmentEntries{}, ContentError(err)
	}
	out.Entries = append(out.Entries, entries...)
	return out, nil
}

// resolveEntry turns the station and scoring station of row i, each given
// by id or name, into ids, and lists the row's problems: unknown stations,
// and for a JSON entry (a CSV's lines were checked as read) every rule it
// breaks, each named by its member and code.
func resolveEntry(ix *geo.Index, byName map[string]string, r AssessmentRow, i int) (data.AssessmentEntry, []data.Param) {
	e := r.Entry
	var bad []data.Param
	where := func(member string) string {
		if r.Line > 0 {
			return fmt.Sprintf("line %d", r.Line)
		}
		return fmt.Sprintf("entries[%d]%s", i, member)
	}
	if _, ok := ix.Station(e.StationID); !ok {
		if id, ok := byName[e.StationID]; ok {
			e.StationID = id
		} else {
			w := where("")
			bad = append(bad, data.Param{Name: w, Reason: fmt.Sprintf("%s: no station %q (give a station's id or name; GET /api/v1/stations lists them)", w, e.StationID)})
		}
	}
	if _, ok := ix.Station(e.ScoredBy); !ok && e.ScoredBy != "" {
		if id, ok := byName[e.ScoredBy]; ok {
			e.ScoredBy = id
		} else {
			w := where(".scored_by")
			bad = append(bad, data.Param{Name: w, Reason: fmt.Sprintf("%s: no station %q to have scored it (give the scoring station's id or name; GET /api/v1/stations lists them)", w, e.ScoredBy), Code: data.IssueUnknownScorer})
		}
	}
	if r.Line == 0 {
		// A JSON entry's members are named here, each with its rule's
		// code, so a page can put the message by the field.
		for _, is := range data.AssessmentIssues(e) {
			name := fmt.Sprintf("entries[%d].%s", i, is.Field)
			bad = append(bad, data.Param{Name: name, Reason: fmt.Sprintf("entries[%d] (%s, %s): %s", i, e.StationID, e.Month, is.Reason), Code: is.Code})
		}
	} else if e.ScoredBy != "" && e.ScoredBy == e.StationID && r.Entry.ScoredBy != r.Entry.StationID {
		// One given by name and the other by id: the CSV reader could
		// not tell they are the same station.
		w := where("")
		bad = append(bad, data.Param{Name: w, Reason: fmt.Sprintf("%s: station %q scores itself; name the station that scored it", w, e.StationID), Code: data.IssueScoredBySelf})
	}
	return e, bad
}
