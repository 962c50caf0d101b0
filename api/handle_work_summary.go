package api

import (
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strings"
	"time"

	"jingge/data"
	"jingge/geo"
)

// summaryParams are the query parameters of the dispute and task summaries.
var summaryParams = []string{"month", "group_by", "station"}

// DisputeSummary answers GET /api/v1/disputes/summary.
type DisputeSummary struct {
	Month   string `json:"month"`
	GroupBy string `json:"group_by"`
	// Definition says how the rate is counted, for the page that shows it.
	Definition string       `json:"definition"`
	Rows       []DisputeRow `json:"rows"`
	Total      DisputeRow   `json:"total"`
}

// DisputeRow is one station's or grid's tally, named.
type DisputeRow struct {
	data.DisputeTally
	Name string `json:"name,omitempty"`
}

// TaskSummary answers GET /api/v1/tasks/summary.
type TaskSummary struct {
	Month      string    `json:"month"`
	GroupBy    string    `json:"group_by"`
	Definition string    `json:"definition"`
	Rows       []TaskRow `json:"rows"`
	Total      TaskRow   `json:"total"`
	// At is the moment the tasks were counted as they stood.
	At string `json:"at"`
}

// TaskRow is one station's or grid's tally, named.
type TaskRow struct {
	data.TaskTally
	Name string `json:"name,omitempty"`
}

// The definitions the summaries carry.
const (
	disputeDefinition = "kept_low_rate (不上交率) = disputes settled in the month at group (组) or village (村) level / all disputes settled in the month; " +
		"reported and open count those reported in the month (open: not settled by its end); a grid is the police grid, or the community grid of a dispute without one"
	taskDefinition = "completion_rate = tasks due in the month done by now / tasks due in the month; on_time_rate counts those done by their due time"
)

// summaryQuery reads month (this month, China time, when left out),
// group_by (station or grid) and station.
func summaryQuery(q query, v *view, now time.Time) (month string, from, to time.Time, by data.GroupBy, station string, err error) {
	var bad []httpx.InvalidParam
	month = strings.TrimSpace(q.get("month"))
	if month == "" {
		month = now.In(v.ix.Location()).Format("2006-01")
	}
	if from, to, err = data.MonthBounds(month, v.ix.Location()); err != nil {
		bad = append(bad, httpx.InvalidParam{Name: "month", Reason: fmt.Sprintf("month %q: write it as YYYY-MM, e.g. 2026-03", month)})
	}
	by = data.ByStation
	switch g := q.get("group_by"); g {
	case "", "station":
	case "grid":
		by = data.ByGrid
	default:
		bad = append(bad, httpx.InvalidParam{Name: "group_by", Reason: fmt.Sprintf("group_by must be station or grid, got %q", g)})
	}
	station = q.get("station")
	if station != "" {
		if _, ok := v.ix.Station(station); !ok {
			bad = append(bad, httpx.InvalidParam{Name: "station", Reason: fmt.Sprintf("there is no station %q", station)})
		}
	}
	if len(bad) > 0 {
		return "", time.Time{}, time.Time{}, "", "", httpx.Invalid(bad...)
	}
	return month, from, to, by, station, nil
}

// unitName is the name of the station or grid a tally counts.
func (v *view) unitName(by data.GroupBy, id string) string {
	if by == data.ByStation {
		if st, ok := v.ix.Station(id); ok {
			return st.Name
		}
		return ""
	}
	if g, ok := v.ix.Grid(id); ok {
		return g.Name
	}
	return ""
}

func (s *Server) handleDisputeSummary(w http.ResponseWriter, r *http.Request, q query) error {
	if s.disputes == nil {
		return errNoDisputes()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	month, from, to, by, station, err := summaryQuery(q, v, s.patrols.opts.Now())
	if err != nil {
		return err
	}
	tallies, err := data.SummarizeDisputes(r.Context(), s.disputes, from, to, by, station)
	if err != nil {
		return err
	}
	out := DisputeSummary{Month: month, GroupBy: string(by), Definition: disputeDefinition, Rows: make([]DisputeRow, len(tallies))}
	for i, t := range tallies {
		out.Rows[i] = DisputeRow{DisputeTally: t, Name: v.unitName(by, t.Key)}
	}
	out.Total = DisputeRow{DisputeTally: sumDisputeTallies(tallies)}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

// sumDisputeTallies adds ts into one tally with its rates.
func sumDisputeTallies(ts []data.DisputeTally) data.DisputeTally {
	sum := data.DisputeTally{Key: "total", ByLevel: map[geo.DisputeLevel]int{}}
	var days float64
	for _, t := range ts {
		sum.Reported += t.Reported
		sum.Open += t.Open
		sum.Settled += t.Settled
		sum.KeptLow += t.KeptLow
		for l, n := range t.ByLevel {
			sum.ByLevel[l] += n
		}
		if t.MeanDaysToSettle != nil {
			days += *t.MeanDaysToSettle * float64(t.Settled)
		}
	}
	if sum.Settled > 0 {
		rate, mean := float64(sum.KeptLow)/float64(sum.Settled), days/float64(sum.Settled)
		sum.KeptLowRate, sum.MeanDaysToSettle = &rate, &mean
	}
	return sum
}

func (s *Server) handleTaskSummary(w http.ResponseWriter, r *http.Request, q query) error {
	if s.tasks == nil {
		return errNoTasks()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	now := s.patrols.opts.Now()
	month, from, to, by, station, err := summaryQuery(q, v, now)
	if err != nil {
		return err
	}
	tallies, err := data.SummarizeTasks(r.Context(), s.tasks, from, to, now, by, station)
	if err != nil {
		return err
	}
	out := TaskSummary{Month: month, GroupBy: string(by), Definition: taskDefinition, Rows: make([]TaskRow, len(tallies)), At: v.localTime(now)}
	sum := data.TaskTally{Key: "total"}
	for i, t := range tallies {
		out.Rows[i] = TaskRow{TaskTally: t, Name: v.unitName(by, t.Key)}
		sum.Due += t.Due
		sum.Done += t.Done
		sum.OnTime += t.OnTime
		sum.Overdue += t.Overdue
		sum.Open += t.Open
	}
	if sum.Due > 0 {
		done, onTime := float64(sum.Done)/float64(sum.Due), float64(sum.OnTime)/float64(sum.Due)
		sum.CompletionRate, sum.OnTimeRate = &done, &onTime
	}
	out.Total = TaskRow{TaskTally: sum}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}
