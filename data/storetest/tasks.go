package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"jingge/data"
	"jingge/geo"
)

// TaskOpener returns a new, isolated store holding no tasks; it closes
// the store when the test ends.
type TaskOpener func(t *testing.T) data.TaskStore

// RunTasks runs the task cases against the stores open returns.
func RunTasks(t *testing.T, open TaskOpener, parallel bool) {
	runWork(t, &taskKind, open, parallel,
		workCase[data.TaskStore]{"DoneOnce", testTaskDoneOnce},
		workCase[data.TaskStore]{"MonthlySummary", testTaskSummary},
		workCase[data.TaskStore]{"KeyedDoneReplays", testTaskKeyedDone})
}

// taskKind is tasks as the shared cases read them.
var taskKind = workKind[data.TaskStore, geo.Task, data.TaskFilter]{
	name:   "task",
	sample: sampleTasks,
	add: func(st data.TaskStore, w workWrite[geo.Task]) (geo.Task, bool, error) {
		res, err := st.AddTask(context.Background(), data.TaskWrite{Task: w.v, Scope: w.scope, Key: w.key, Digest: w.digest})
		return res.Task, res.Replayed, err
	},
	query: func(st data.TaskStore, f data.TaskFilter, p data.Page) ([]geo.Task, string, error) {
		page, err := st.QueryTasks(context.Background(), f, p)
		return page.Tasks, page.Next, err
	},
	match:      (*data.TaskFilter).Match,
	same:       sameTasks,
	id:         func(t *geo.Task) string { return t.ID },
	stored:     func(t *geo.Task, as geo.Task) { t.ID, t.RecordedAt = as.ID, as.RecordedAt },
	recordedAt: func(t *geo.Task) time.Time { return t.RecordedAt },
	shift:      func(t *geo.Task, d time.Duration) { t.Due = t.Due.Add(d) },
	vary:       func(t *geo.Task) { t.Title = "另一项" },
	filters: []data.TaskFilter{
		{StationID: "s1"}, {GridID: "P2"}, {OfficerID: "o1"}, {GridID: "nowhere"},
		{From: taskT0.Add(20 * time.Hour), To: taskT0.Add(90 * time.Hour)},
		{Status: geo.TaskDone, Now: taskNow}, {Status: geo.TaskOverdue, Now: taskNow}, {Status: geo.TaskOpen, Now: taskNow, StationID: "s2"},
	},
	invalid: []workChange[geo.Task]{
		{"no station", func(t *geo.Task) { t.StationID = "" }},
		{"assigned to no one", func(t *geo.Task) { t.GridID, t.OfficerID = "", "" }},
		{"no title", func(t *geo.Task) { t.Title = "  " }},
		{"no due date", func(t *geo.Task) { t.Due = time.Time{} }},
		{"NUL in detail", func(t *geo.Task) { t.Detail = "a\x00b" }},
		{"title too long", func(t *geo.Task) { t.Title = string(slices.Repeat([]rune{'长'}, data.MaxTaskTitle+1)) }},
	},
}

// taskT0 is the due time of the suite's first task; the status filters
// are read at taskNow.
var (
	taskT0  = time.Date(2025, 5, 1, 16, 0, 0, 0, time.UTC)
	taskNow = taskT0.Add(100 * time.Hour)
)

// sampleTasks returns n tasks of two stations, due one every 9 hours,
// assigned to a grid, an officer or both in turn; every third is done.
func sampleTasks(n int) []geo.Task {
	out := make([]geo.Task, n)
	for i := range out {
		t := geo.Task{
			StationID: []string{"s1", "s2"}[i%2], Title: fmt.Sprintf("走访重点人员 %d", i), Detail: "核实住址",
			Due: taskT0.Add(time.Duration(i) * 9 * time.Hour), RecordedBy: "u-planner",
		}
		switch i % 3 {
		case 0:
			t.GridID = "P1"
		case 1:
			t.OfficerID = "o1"
		default:
			t.GridID, t.OfficerID = "P2", "o2"
		}
		if i%3 == 2 {
			t.DoneAt, t.DoneBy = t.Due.Add(time.Duration(i%2*2-1)*time.Hour), "u-o2"
		}
		out[i] = t
	}
	return out
}

func sameTasks(t testing.TB, want, got []geo.Task) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d tasks, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		for _, p := range [][2]*time.Time{{&w.Due, &g.Due}, {&w.DoneAt, &g.DoneAt}, {&w.RecordedAt, &g.RecordedAt}} {
			if !p[0].Equal(*p[1]) {
				t.Errorf("task %d: time %v, want %v", i, *p[1], *p[0])
			}
			*p[0], *p[1] = time.Time{}, time.Time{}
		}
		if w != g {
			t.Errorf("task %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func testTaskDoneOnce(t *testing.T, open func(*testing.T) data.TaskStore) {
	st := open(t)
	ctx := context.Background()
	ts := sampleTasks(1)
	taskKind.addAll(t, st, ts)
	doneAt := ts[0].Due.Add(-2 * time.Hour)
	got, err := st.UpdateTask(ctx, ts[0].ID, data.TaskPatch{DoneAt: doneAt, By: "u-o1"})
	if err != nil || !got.DoneAt.Equal(doneAt) || got.DoneBy != "u-o1" || got.Late() {
		t.Fatalf("marking done: %+v, %v", got, err)
	}
	if _, err := st.UpdateTask(ctx, ts[0].ID, data.TaskPatch{By: "u-o2"}); !errors.Is(err, data.ErrConflict) {
		t.Errorf("done again: %v, want ErrConflict", err)
	}
	if _, err := st.UpdateTask(ctx, "999999", data.TaskPatch{By: "u-o2"}); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("an unknown task: %v, want ErrNotFound", err)
	}
	sameTasks(t, []geo.Task{got}, taskKind.queryAll(t, st, data.TaskFilter{}, 0))
	one, err := st.Task(ctx, ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	sameTasks(t, []geo.Task{got}, []geo.Task{one})
	if _, err := st.Task(ctx, "x"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("reading task x: %v, want ErrNotFound", err)
	}
}

func testTaskSummary(t *testing.T, open func(*testing.T) data.TaskStore) {
	st := open(t)
	may := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	june := may.AddDate(0, 1, 0)
	now := may.AddDate(0, 0, 20) // May 21
	day := func(d int) time.Time { return may.AddDate(0, 0, d) }
	task := func(station string, due, done time.Time) geo.Task {
		return geo.Task{StationID: station, GridID: "P-" + station, Title: "任务", Due: due, DoneAt: done}
	}
	ts := []geo.Task{
		task("s1", day(5), day(4)),              // done on time
		task("s1", day(6), day(8)),              // done late
		task("s1", day(10), time.Time{}),        // overdue
		task("s1", day(25), time.Time{}),        // open, due later in May
		task("s1", day(27), day(19)),            // done early
		task("s1", june.Add(time.Hour), day(1)), // due in June: not counted
		task("s2", day(3), time.Time{}),         // overdue
	}
	taskKind.addAll(t, st, ts)
	got, err := data.SummarizeTasks(context.Background(), st, may, june, now, data.ByStation, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("tallies %+v, want s1 and s2", got)
	}
	s1, s2 := got[0], got[1]
	if s1.Key != "s1" || s1.Due != 5 || s1.Done != 3 || s1.OnTime != 2 || s1.Overdue != 1 || s1.Open != 1 || *s1.CompletionRate != 0.6 || *s1.OnTimeRate != 0.4 {
		t.Errorf("s1: %+v (completion %v, on time %v)", s1, *s1.CompletionRate, *s1.OnTimeRate)
	}
	if s2.Key != "s2" || s2.Due != 1 || s2.Overdue != 1 || *s2.CompletionRate != 0 {
		t.Errorf("s2: %+v", s2)
	}
}
