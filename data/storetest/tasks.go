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
	cases := []struct {
		name string
		fn   func(t *testing.T, open TaskOpener)
	}{
		{"AddAndRead", testTaskAddAndRead},
		{"Filters", testTaskFilters},
		{"PagingIsStable", testTaskPaging},
		{"IdempotentAndScoped", testTaskIdempotent},
		{"InvalidIsRefused", testTaskInvalid},
		{"DoneOnce", testTaskDoneOnce},
		{"MonthlySummary", testTaskSummary},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			c.fn(t, open)
		})
	}
}

// taskT0 is the due time of the suite's first task.
var taskT0 = time.Date(2025, 5, 1, 16, 0, 0, 0, time.UTC)

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

// addTasks stores ts, fills in their ids and recording times.
func addTasks(t testing.TB, st data.TaskStore, ts []geo.Task) {
	t.Helper()
	for i := range ts {
		res, err := st.AddTask(context.Background(), data.TaskWrite{Task: ts[i]})
		if err != nil {
			t.Fatalf("AddTask %d: %v", i, err)
		}
		if res.Replayed || res.Task.ID == "" || res.Task.RecordedAt.IsZero() {
			t.Fatalf("AddTask %d returned %+v", i, res)
		}
		ts[i].ID, ts[i].RecordedAt = res.Task.ID, res.Task.RecordedAt
	}
}

// queryTasks reads every page of f.
func queryTasks(t testing.TB, st data.TaskStore, f data.TaskFilter, limit int) []geo.Task {
	t.Helper()
	var out []geo.Task
	p := data.Page{Limit: limit}
	for range 1000 {
		page, err := st.QueryTasks(context.Background(), f, p)
		if err != nil {
			t.Fatalf("QueryTasks: %v", err)
		}
		out = append(out, page.Tasks...)
		if page.Next == "" {
			return out
		}
		p.Cursor = page.Next
	}
	t.Fatal("QueryTasks pages without end")
	return nil
}

func tasksLatestFirst(ts []geo.Task, f data.TaskFilter) []geo.Task {
	var out []geo.Task
	for i := len(ts) - 1; i >= 0; i-- {
		if f.Match(&ts[i]) {
			out = append(out, ts[i])
		}
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

func testTaskAddAndRead(t *testing.T, open TaskOpener) {
	st := open(t)
	ts := sampleTasks(9)
	addTasks(t, st, ts)
	sameTasks(t, tasksLatestFirst(ts, data.TaskFilter{}), queryTasks(t, st, data.TaskFilter{}, 0))
}

func testTaskFilters(t *testing.T, open TaskOpener) {
	st := open(t)
	ts := sampleTasks(30)
	addTasks(t, st, ts)
	now := taskT0.Add(100 * time.Hour)
	for _, f := range []data.TaskFilter{
		{StationID: "s1"}, {GridID: "P2"}, {OfficerID: "o1"}, {GridID: "nowhere"},
		{From: taskT0.Add(20 * time.Hour), To: taskT0.Add(90 * time.Hour)},
		{Status: geo.TaskDone, Now: now}, {Status: geo.TaskOverdue, Now: now}, {Status: geo.TaskOpen, Now: now, StationID: "s2"},
	} {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			sameTasks(t, tasksLatestFirst(ts, f), queryTasks(t, st, f, 0))
		})
	}
}

func testTaskPaging(t *testing.T, open TaskOpener) {
	st := open(t)
	ts := sampleTasks(25)
	addTasks(t, st, ts[:20])
	first, err := st.QueryTasks(context.Background(), data.TaskFilter{}, data.Page{Limit: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Tasks) != 6 || first.Next == "" {
		t.Fatalf("first page: %d tasks, next %q", len(first.Tasks), first.Next)
	}
	addTasks(t, st, ts[20:])
	got := slices.Clone(first.Tasks)
	p := data.Page{Limit: 6, Cursor: first.Next}
	for p.Cursor != "" {
		page, err := st.QueryTasks(context.Background(), data.TaskFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Tasks...)
		p.Cursor = page.Next
	}
	sameTasks(t, tasksLatestFirst(ts[:20], data.TaskFilter{}), got)
}

func testTaskIdempotent(t *testing.T, open TaskOpener) {
	st := open(t)
	ctx := context.Background()
	task := sampleTasks(1)[0]
	first, err := st.AddTask(ctx, data.TaskWrite{Task: task, Key: "k1", Scope: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.AddTask(ctx, data.TaskWrite{Task: task, Key: "k1", Scope: "alice"})
	if err != nil || !again.Replayed || again.Task.ID != first.Task.ID {
		t.Fatalf("the same task again under its key: %+v, %v; want a replay of %s", again, err, first.Task.ID)
	}
	other := task
	other.Title = "另一项"
	if _, err := st.AddTask(ctx, data.TaskWrite{Task: other, Key: "k1", Scope: "alice"}); !errors.Is(err, data.ErrConflict) {
		t.Errorf("another task under a used key: %v, want ErrConflict", err)
	}
	if bob, err := st.AddTask(ctx, data.TaskWrite{Task: other, Key: "k1", Scope: "bob"}); err != nil || bob.Replayed {
		t.Errorf("bob's key k1: %+v, %v; want a task of its own", bob, err)
	}
}

func testTaskInvalid(t *testing.T, open TaskOpener) {
	st := open(t)
	for _, c := range []struct {
		name string
		mod  func(t *geo.Task)
	}{
		{"no station", func(t *geo.Task) { t.StationID = "" }},
		{"assigned to no one", func(t *geo.Task) { t.GridID, t.OfficerID = "", "" }},
		{"no title", func(t *geo.Task) { t.Title = "  " }},
		{"no due date", func(t *geo.Task) { t.Due = time.Time{} }},
		{"NUL in detail", func(t *geo.Task) { t.Detail = "a\x00b" }},
		{"title too long", func(t *geo.Task) { t.Title = string(slices.Repeat([]rune{'长'}, data.MaxTaskTitle+1)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			task := sampleTasks(1)[0]
			c.mod(&task)
			if _, err := st.AddTask(context.Background(), data.TaskWrite{Task: task}); !errors.Is(err, data.ErrInvalid) {
				t.Errorf("AddTask: %v, want ErrInvalid", err)
			}
		})
	}
}

func testTaskDoneOnce(t *testing.T, open TaskOpener) {
	st := open(t)
	ctx := context.Background()
	ts := sampleTasks(1)
	addTasks(t, st, ts)
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
	sameTasks(t, []geo.Task{got}, queryTasks(t, st, data.TaskFilter{}, 0))
	one, err := st.Task(ctx, ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	sameTasks(t, []geo.Task{got}, []geo.Task{one})
	if _, err := st.Task(ctx, "x"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("reading task x: %v, want ErrNotFound", err)
	}
}

func testTaskSummary(t *testing.T, open TaskOpener) {
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
	addTasks(t, st, ts)
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
