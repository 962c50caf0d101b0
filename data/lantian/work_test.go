package lantian_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/geo"
)

// TestSyntheticWorkFillsEveryMonth checks the demo year's disputes and
// tasks: deterministic, valid, marked synthetic, and giving every station
// a 不上交率 and a completion rate in each of the year's last 12 months.
func TestSyntheticWorkFillsEveryMonth(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	end := lantian.DefaultIncidentsEnd
	disputes, err := lantian.DisputesUntil(ds, lantian.DefaultSeed, end)
	if err != nil {
		t.Fatal(err)
	}
	tasks := lantian.TasksUntil(ds, lantian.DefaultSeed, end)
	again, _ := lantian.DisputesUntil(ds, lantian.DefaultSeed, end)
	if !slices.Equal(disputes, again) || !slices.Equal(tasks, lantian.TasksUntil(ds, lantian.DefaultSeed, end)) {
		t.Fatal("the same seed gave other records")
	}
	t.Logf("%d disputes, %d tasks", len(disputes), len(tasks))
	for i := range disputes {
		if err := data.CheckDispute(&disputes[i]); err != nil || disputes[i].RecordedBy != lantian.SyntheticRecorder {
			t.Fatalf("dispute %d %+v: %v", i, disputes[i], err)
		}
	}
	for i := range tasks {
		if err := data.CheckTask(&tasks[i]); err != nil || tasks[i].RecordedBy != lantian.SyntheticRecorder || !tasks[i].DoneAt.Before(end) && tasks[i].Done() {
			t.Fatalf("task %d %+v: %v", i, tasks[i], err)
		}
	}
	zone, _ := ds.Meta.Location()
	first := time.Date(end.In(zone).Year(), end.In(zone).Month(), 1, 0, 0, 0, 0, zone).AddDate(0, -12, 0)
	kept, settled := 0, 0
	for month := first; month.Before(end); month = month.AddDate(0, 1, 0) {
		next := month.AddDate(0, 1, 0)
		dt := data.TallyDisputes(disputes, month, next, data.ByStation)
		tt := data.TallyTasks(tasks, month, next, end, data.ByStation)
		if len(dt) != len(ds.Stations) || len(tt) != len(ds.Stations) {
			t.Errorf("%s: disputes in %d and tasks in %d of %d stations", month.Format("2006-01"), len(dt), len(tt), len(ds.Stations))
			continue
		}
		for _, r := range dt {
			if r.KeptLowRate == nil {
				t.Errorf("%s: station %s settled no dispute", month.Format("2006-01"), r.Key)
				continue
			}
			kept, settled = kept+r.KeptLow, settled+r.Settled
		}
		for _, r := range tt {
			if r.Due == 0 {
				t.Errorf("%s: station %s had no task due", month.Format("2006-01"), r.Key)
			}
		}
	}
	if rate := float64(kept) / float64(settled); rate < 0.7 || rate > 0.9 {
		t.Errorf("the year's 不上交率 is %.2f; the synthetic levels aim at about 0.8", rate)
	}
	levels := map[geo.DisputeLevel]int{}
	for _, d := range disputes {
		levels[d.Level]++
	}
	if levels[geo.DisputeOpen] == 0 || levels[geo.LevelCounty] == 0 {
		t.Errorf("levels %v: want some still open and some passed to the county", levels)
	}
	t.Log(fmt.Sprint(levels))
}

// TestSyntheticTasksLikeABureausList checks that the demo's tasks look
// like a bureau's list at any end: some of every month done late, but
// within weeks; none due more than six weeks before end still open; and a
// few overdue, fewer than one per ten police grids.
func TestSyntheticTasksLikeABureausList(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	zone, _ := ds.Meta.Location()
	policeGrids := 0
	for _, g := range ds.Grids {
		if g.Level == geo.PoliceLevel {
			policeGrids++
		}
	}
	for _, end := range []time.Time{lantian.DefaultIncidentsEnd, time.Date(2026, 12, 7, 0, 0, 0, 0, zone), time.Date(2027, 3, 20, 0, 0, 0, 0, zone)} {
		t.Run(end.Format(time.DateOnly), func(t *testing.T) {
			tasks := lantian.TasksUntil(ds, lantian.DefaultSeed, end)
			overdue := 0
			lateIn := map[string]int{}
			for _, k := range tasks {
				switch {
				case !k.Done() && k.Due.Before(end.AddDate(0, 0, -42)):
					t.Errorf("task of %s due %s is still open at %s", k.GridID, k.Due.Format(time.DateTime), end.Format(time.DateOnly))
				case !k.Done() && k.Due.Before(end):
					overdue++
				case k.Late():
					lateIn[k.Due.In(zone).Format("2006-01")]++
					if k.DoneAt.Sub(k.Due) > 42*24*time.Hour {
						t.Errorf("task of %s due %s was done %s late", k.GridID, k.Due.Format(time.DateTime), k.DoneAt.Sub(k.Due))
					}
				}
			}
			if overdue == 0 || overdue*10 >= policeGrids {
				t.Errorf("%d tasks overdue at %s in %d police grids; want a few, fewer than one per ten grids", overdue, end.Format(time.DateOnly), policeGrids)
			}
			first := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, zone).AddDate(0, -11, 0)
			for month := first; month.Before(end.AddDate(0, -1, 0)); month = month.AddDate(0, 1, 0) {
				if n := lateIn[month.Format("2006-01")]; n == 0 {
					t.Errorf("no task due in %s was done late", month.Format("2006-01"))
				}
			}
			t.Logf("%d tasks, %d overdue, done late by month %v", len(tasks), overdue, lateIn)
		})
	}
}
