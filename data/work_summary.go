package data

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"jingge/geo"
)

// MonthBounds returns the first moment of month (YYYY-MM) in loc and the
// first moment of the next month: the half-open range a monthly summary
// counts.
func MonthBounds(month string, loc *time.Location) (from, to time.Time, err error) {
	if !ValidMonth(month) {
		return time.Time{}, time.Time{}, userError(ErrInvalid, "month %q: write it as YYYY-MM, e.g. 2026-03", month)
	}
	t, _ := time.ParseInLocation("2006-01", month, loc)
	return t, t.AddDate(0, 1, 0), nil
}

// DisputeTally counts the disputes of one station or grid in a range of
// time (a month). Reported counts those reported in it, and Open those of
// them still open at its end; Settled those settled in it, by level, and
// KeptLow those of them settled at group or village level.
type DisputeTally struct {
	Key      string `json:"key"` // the station's or grid's id
	Reported int    `json:"reported"`
	Open     int    `json:"open"`
	Settled  int    `json:"settled"`
	KeptLow  int    `json:"kept_low"`
	// ByLevel counts the settled ones by the level they were settled at.
	ByLevel map[geo.DisputeLevel]int `json:"by_level"`
	// KeptLowRate is the share not passed upward (不上交率): KeptLow /
	// Settled, nil when none was settled.
	KeptLowRate *float64 `json:"kept_low_rate"`
	// MeanDaysToSettle averages DaysToSettle of the settled ones; nil
	// when none was settled.
	MeanDaysToSettle *float64 `json:"mean_days_to_settle"`
}

// TallyDisputes counts ds by station (ByStation) or grid (any other
// grouping: the police grid, or the community grid of a dispute without
// one) over [from, to) as DisputeTally says, ignoring disputes neither reported nor settled in
// it. The tallies are sorted by key.
func TallyDisputes(ds []geo.DisputeCase, from, to time.Time, by GroupBy) []DisputeTally {
	tallies := map[string]*DisputeTally{}
	days := map[string]int{}
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }
	for i := range ds {
		d := &ds[i]
		reported, settled := in(d.ReportedAt), d.Level.Settled() && in(d.SettledAt)
		if !reported && !settled {
			continue
		}
		key := d.StationID
		if by != ByStation {
			key = d.GridID()
		}
		t := tallies[key]
		if t == nil {
			t = &DisputeTally{Key: key, ByLevel: map[geo.DisputeLevel]int{}}
			tallies[key] = t
		}
		if reported {
			t.Reported++
			if !d.Level.Settled() || !d.SettledAt.Before(to) {
				t.Open++
			}
		}
		if settled {
			t.Settled++
			t.ByLevel[d.Level]++
			if d.Level.KeptLow() {
				t.KeptLow++
			}
			n, _ := d.DaysToSettle()
			days[key] += n
		}
	}
	out := make([]DisputeTally, 0, len(tallies))
	for key, t := range tallies {
		if t.Settled > 0 {
			rate, mean := float64(t.KeptLow)/float64(t.Settled), float64(days[key])/float64(t.Settled)
			t.KeptLowRate, t.MeanDaysToSettle = &rate, &mean
		}
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b DisputeTally) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// SummarizeDisputes reads from st the disputes reported or settled in
// [from, to) (of station, when not empty) and tallies them by station or
// grid (TallyDisputes): the monthly 矛盾不上交率 of the assessment.
func SummarizeDisputes(ctx context.Context, st DisputeStore, from, to time.Time, by GroupBy, station string) ([]DisputeTally, error) {
	seen := map[string]bool{}
	var all []geo.DisputeCase
	for _, f := range []DisputeFilter{{From: from, To: to, StationID: station}, {SettledFrom: from, SettledTo: to, StationID: station}} {
		p := Page{Limit: MaxPageLimit}
		for {
			page, err := st.QueryDisputes(ctx, f, p)
			if err != nil {
				return nil, fmt.Errorf("data: summarizing disputes: %w", err)
			}
			for _, d := range page.Disputes {
				if !seen[d.ID] {
					seen[d.ID] = true
					all = append(all, d)
				}
			}
			if page.Next == "" {
				break
			}
			p.Cursor = page.Next
		}
	}
	return TallyDisputes(all, from, to, by), nil
}

// TaskTally counts the tasks of one station or grid falling due in a
// range of time (a month), as they stood at a moment (now): Done of them
// done by then, OnTime done by their due time, Overdue not done and past
// due, Open not done and not yet due.
type TaskTally struct {
	Key     string `json:"key"` // the station's or grid's id
	Due     int    `json:"due"`
	Done    int    `json:"done"`
	OnTime  int    `json:"on_time"`
	Overdue int    `json:"overdue"`
	Open    int    `json:"open"`
	// CompletionRate is Done / Due and OnTimeRate OnTime / Due; nil when
	// no task fell due.
	CompletionRate *float64 `json:"completion_rate"`
	OnTimeRate     *float64 `json:"on_time_rate"`
}

// TallyTasks counts the tasks of ts due in [from, to) by station
// (ByStation) or grid (any other grouping; a task without a grid counts
// under "") as they stood at now.
// The tallies are sorted by key.
func TallyTasks(ts []geo.Task, from, to, now time.Time, by GroupBy) []TaskTally {
	tallies := map[string]*TaskTally{}
	for i := range ts {
		t := &ts[i]
		if t.Due.Before(from) || !t.Due.Before(to) {
			continue
		}
		key := t.StationID
		if by != ByStation {
			key = t.GridID
		}
		tt := tallies[key]
		if tt == nil {
			tt = &TaskTally{Key: key}
			tallies[key] = tt
		}
		tt.Due++
		done := t.Done() && !t.DoneAt.After(now)
		switch {
		case done && !t.Late():
			tt.Done++
			tt.OnTime++
		case done:
			tt.Done++
		case !now.Before(t.Due):
			tt.Overdue++
		default:
			tt.Open++
		}
	}
	out := make([]TaskTally, 0, len(tallies))
	for _, t := range tallies {
		done, onTime := float64(t.Done)/float64(t.Due), float64(t.OnTime)/float64(t.Due)
		t.CompletionRate, t.OnTimeRate = &done, &onTime
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b TaskTally) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// SummarizeTasks reads from st the tasks due in [from, to) (of station,
// when not empty) and tallies them by station or grid as they stood at
// now (TallyTasks): the monthly task completion rate of the assessment.
func SummarizeTasks(ctx context.Context, st TaskStore, from, to, now time.Time, by GroupBy, station string) ([]TaskTally, error) {
	var all []geo.Task
	p := Page{Limit: MaxPageLimit}
	for {
		page, err := st.QueryTasks(ctx, TaskFilter{From: from, To: to, StationID: station}, p)
		if err != nil {
			return nil, fmt.Errorf("data: summarizing tasks: %w", err)
		}
		all = append(all, page.Tasks...)
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	return TallyTasks(all, from, to, now, by), nil
}
