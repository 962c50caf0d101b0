package postgis

import (
	"context"
	"strconv"
	"time"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var _ data.TaskStore = (*Store)(nil)

// tasksTable is the tasks' table, latest due first.
var tasksTable = workTable[geo.Task]{
	name: "task", table: "tasks", keys: "task_keys", keyColumn: "task_id",
	columns:    `id, station_id, coalesce(grid_id, ''), coalesce(officer_id, ''), title, detail, due, done_at, done_by, recorded_at, recorded_by`,
	order:      "due desc, id desc",
	sortTime:   func(t *geo.Task) time.Time { return t.Due },
	recordedAt: func(t *geo.Task) time.Time { return t.RecordedAt },
	check:      data.CheckTask,
	insert: func(t *geo.Task) (string, []any) {
		return `insert into tasks (station_id, grid_id, officer_id, title, detail, due, done_at, done_by, recorded_at, recorded_by)
	values ($1, nullif($2, ''), nullif($3, ''), $4, $5, $6, $7, $8, coalesce($9, now()), $10)`,
			[]any{t.StationID, t.GridID, t.OfficerID, t.Title, t.Detail, t.Due, pgsql.NullTime(t.DoneAt), t.DoneBy, pgsql.NullTime(t.RecordedAt), t.RecordedBy}
	},
	newRow: func() workRow[geo.Task] { return &taskRow{} },
}

// taskRow scans one row of tasks' columns.
type taskRow struct {
	id     int64
	t      geo.Task
	doneAt *time.Time
}

func (r *taskRow) dest() []any {
	return []any{&r.id, &r.t.StationID, &r.t.GridID, &r.t.OfficerID, &r.t.Title, &r.t.Detail, &r.t.Due, &r.doneAt, &r.t.DoneBy, &r.t.RecordedAt, &r.t.RecordedBy}
}

func (r *taskRow) record() (int64, geo.Task) {
	t := r.t
	t.ID = strconv.FormatInt(r.id, 10)
	t.Due, t.RecordedAt, t.DoneAt = t.Due.UTC(), t.RecordedAt.UTC(), utcOrZero(r.doneAt)
	return r.id, t
}

// AddTask implements data.TaskStore as AddVisit does for visits
// (workTable.add).
func (s *Store) AddTask(ctx context.Context, w data.TaskWrite) (data.TaskResult, error) {
	t, replayed, err := tasksTable.add(ctx, s, w.Task, w.Scope, w.Key, w.KeyDigest)
	if err != nil {
		return data.TaskResult{}, err
	}
	return data.TaskResult{Task: t, Replayed: replayed}, nil
}

// UpdateTask implements data.TaskStore (workTable.update): the row is
// read under a lock, changed by data.ApplyTaskPatch and written back in
// one transaction, so of two completions at once the second finds the
// task done.
func (s *Store) UpdateTask(ctx context.Context, id string, p data.TaskPatch) (geo.Task, error) {
	return tasksTable.update(ctx, s, id, p.Key, p.Answer, &p.At,
		func(cur geo.Task) (geo.Task, error) { return data.ApplyTaskPatch(cur, p) },
		func(next *geo.Task) (string, []any) {
			return "done_at = $2, done_by = $3", []any{next.DoneAt, next.DoneBy}
		})
}

// Task implements data.TaskStore.
func (s *Store) Task(ctx context.Context, id string) (geo.Task, error) {
	return tasksTable.byID(ctx, s, id)
}

// QueryTasks implements data.TaskStore (workTable.page). A status filter
// without a time is read at the server's clock.
func (s *Store) QueryTasks(ctx context.Context, f data.TaskFilter, p data.Page) (data.TaskPage, error) {
	if f.Status != "" && f.Now.IsZero() {
		f.Now = time.Now()
	}
	rows, next, err := tasksTable.page(ctx, s, p, func(c data.Cursor, args *pgsql.Args) string { return pgsql.TaskWhere(&f, c, args) })
	if err != nil {
		return data.TaskPage{}, err
	}
	return data.TaskPage{Tasks: rows, Next: next}, nil
}
