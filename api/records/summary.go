package records

import (
	"context"
	"strings"
	"time"

	"jingge/data"
	"jingge/geo"
)

// SummaryParams are the query parameters of the dispute and task summaries.
var SummaryParams = []string{"month", "group_by", "station"}

// DisputeSummary answers GET /api/v1/disputes/summary.
type DisputeSummary struct {
	Month   string `json:"month"`
	GroupBy string `json:"group_by"`
	// Definition says how the rate is counted, for the page that shows it;
	// DefinitionZH says it in Chinese.
	Definition   string       `json:"definition"`
	DefinitionZH string       `json:"definition_zh"`
	Rows         []DisputeRow `json:"rows"`
	Total        DisputeRow   `json:"total"`
}

// DisputeRow is one station's or grid's tally, named.
type DisputeRow struct {
	data.DisputeTally
	Name string `json:"name,omitempty"`
}

// TaskSummary answers GET /api/v1/tasks/summary.
type TaskSummary struct {
	Month        string    `json:"month"`
	GroupBy      string    `json:"group_by"`
	Definition   string    `json:"definition"`
	DefinitionZH string    `json:"definition_zh"`
	Rows         []TaskRow `json:"rows"`
	Total        TaskRow   `json:"total"`
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

	disputeDefinitionZH = "不上交率 = 当月在组、村两级化解的纠纷 / 当月化解的全部纠纷；受理数与未结数计当月受理的纠纷（未结：到月底仍未化解）；网格为警格，纠纷无警格时为其社区网格"
	taskDefinitionZH    = "完成率 = 当月到期且已完成的任务 / 当月到期的任务；按时完成率只计在到期时间前完成的任务"
)

// summaryQuery is what a summary counts: a month, grouped by station or
// grid, of one station or all.
type summaryQuery struct {
	month    string
	from, to time.Time
	by       data.GroupBy
	station  string
}

// readSummary reads month (this month, the dataset's time, when left out),
// group_by (station or grid) and station.
func readSummary(q Query, v *view, now time.Time) (summaryQuery, error) {
	var bad params
	var sq summaryQuery
	sq.month = strings.TrimSpace(q.get("month"))
	if sq.month == "" {
		sq.month = now.In(v.ix.Location()).Format("2006-01")
	}
	var err error
	if sq.from, sq.to, err = data.MonthBounds(sq.month, v.ix.Location()); err != nil {
		bad.add("month", "month %q: write it as YYYY-MM, e.g. 2026-03", sq.month)
	}
	sq.by = data.ByStation
	switch g := q.get("group_by"); g {
	case "", "station":
	case "grid":
		sq.by = data.ByGrid
	default:
		bad.add("group_by", "group_by must be station or grid, got %q", g)
	}
	sq.station = q.get("station")
	if sq.station != "" {
		if _, ok := v.ix.Station(sq.station); !ok {
			bad.add("station", "there is no station %q", sq.station)
		}
	}
	return sq, bad.err()
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

// SummarizeDisputes counts the disputes of the month and group q names
// (SummaryParams), each row named, with their total.
func (s *Service) SummarizeDisputes(ctx context.Context, q Query) (DisputeSummary, error) {
	v, err := s.current()
	if err != nil {
		return DisputeSummary{}, err
	}
	sq, err := readSummary(q, v, s.o.Now())
	if err != nil {
		return DisputeSummary{}, err
	}
	tallies, err := data.SummarizeDisputes(ctx, s.o.Disputes, sq.from, sq.to, sq.by, sq.station)
	if err != nil {
		return DisputeSummary{}, err
	}
	out := DisputeSummary{Month: sq.month, GroupBy: string(sq.by), Definition: disputeDefinition, DefinitionZH: disputeDefinitionZH, Rows: make([]DisputeRow, len(tallies))}
	for i, t := range tallies {
		out.Rows[i] = DisputeRow{DisputeTally: t, Name: v.unitName(sq.by, t.Key)}
	}
	out.Total = DisputeRow{DisputeTally: sumDisputeTallies(tallies)}
	return out, nil
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

// SummarizeTasks counts the tasks due in the month and group q names
// (SummaryParams) as they stand now, each row named, with their total.
func (s *Service) SummarizeTasks(ctx context.Context, q Query) (TaskSummary, error) {
	v, err := s.current()
	if err != nil {
		return TaskSummary{}, err
	}
	now := s.o.Now()
	sq, err := readSummary(q, v, now)
	if err != nil {
		return TaskSummary{}, err
	}
	tallies, err := data.SummarizeTasks(ctx, s.o.Tasks, sq.from, sq.to, now, sq.by, sq.station)
	if err != nil {
		return TaskSummary{}, err
	}
	out := TaskSummary{Month: sq.month, GroupBy: string(sq.by), Definition: taskDefinition, DefinitionZH: taskDefinitionZH, Rows: make([]TaskRow, len(tallies)), At: v.localTime(now)}
	sum := data.TaskTally{Key: "total"}
	for i, t := range tallies {
		out.Rows[i] = TaskRow{TaskTally: t, Name: v.unitName(sq.by, t.Key)}
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
	return out, nil
}
