package postgis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var _ data.TaskStore = (*Store)(nil)

// taskSelect lists the columns taskRow reads.
const taskSelect = `select id, station_id, coalesce(grid_id, ''), coalesce(officer_id, ''), title, detail, due, done_at, done_by, recorded_at, recorded_by from tasks`

// taskRow scans one row of taskSelect.
type taskRow struct {
	id     int64
	t      geo.Task
	doneAt *time.Time
}

func (r *taskRow) dest() []any {
	return []any{&r.id, &r.t.StationID, &r.t.GridID, &r.t.OfficerID, &r.t.Title, &r.t.Detail, &r.t.Due, &r.doneAt, &r.t.DoneBy, &r.t.RecordedAt, &r.t.RecordedBy}
}

func (r *taskRow) task() geo.Task {
	t := r.t
	t.ID = strconv.FormatInt(r.id, 10)
	t.Due, t.RecordedAt, t.DoneAt = t.Due.UTC(), t.RecordedAt.UTC(), utcOrZero(r.doneAt)
	return t
}

// AddTask implements data.TaskStore as AddVisit does for visits.
func (s *Store) AddTask(ctx context.Context, w data.TaskWrite) (data.TaskResult, error) {
	if err := data.CheckBatchKey(w.Key); err != nil {
		return data.TaskResult{}, err
	}
	t := w.Task
	if err := data.CheckTask(&t); err != nil {
		return data.TaskResult{}, fmt.Errorf("postgis: %w", err)
	}
	var digest []byte
	if w.Key != "" {
		digest = w.KeyDigest()
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return data.TaskResult{}, mapError("add task", err)
	}
	defer tx.Rollback(context.Background())
	if w.Key != "" {
		if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock(hashtextextended($1 || chr(1) || $2, 0))", w.Scope, w.Key); err != nil {
			return data.TaskResult{}, mapError("add task", err)
		}
		var prev []byte
		var id int64
		var r taskRow
		err := tx.QueryRow(ctx, "select digest, task_id from task_keys where scope = $1 and key = $2", w.Scope, w.Key).Scan(&prev, &id)
		switch {
		case err == nil:
			if err := tx.QueryRow(ctx, taskSelect+" where id = $1", id).Scan(r.dest()...); err != nil {
				return data.TaskResult{}, mapError("add task", err)
			}
			if !bytes.Equal(prev, digest) {
				return data.TaskResult{}, fmt.Errorf("postgis: add task: %w", data.KeyConflict(w.Key, r.t.RecordedAt))
			}
			return data.TaskResult{Task: r.task(), Replayed: true}, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return data.TaskResult{}, mapError("add task", err)
		}
	}
	var r taskRow
	err = tx.QueryRow(ctx, `with ins as (
	insert into tasks (station_id, grid_id, officer_id, title, detail, due, done_at, done_by, recorded_at, recorded_by)
	values ($1, nullif($2, ''), nullif($3, ''), $4, $5, $6, $7, $8, coalesce($9, now()), $10)
	returning *) `+strings.Replace(taskSelect, "from tasks", "from ins", 1),
		t.StationID, t.GridID, t.OfficerID, t.Title, t.Detail, t.Due, pgsql.NullTime(t.DoneAt), t.DoneBy, pgsql.NullTime(t.RecordedAt), t.RecordedBy).Scan(r.dest()...)
	if err != nil {
		return data.TaskResult{}, mapError("add task", err)
	}
	if w.Key != "" {
		if _, err := tx.Exec(ctx, "insert into task_keys (scope, key, digest, task_id) values ($1, $2, $3, $4)", w.Scope, w.Key, digest, r.id); err != nil {
			return data.TaskResult{}, mapError("add task", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return data.TaskResult{}, mapError("add task: commit", err)
	}
	return data.TaskResult{Task: r.task()}, nil
}

// UpdateTask implements data.TaskStore: the row is read under a lock,
// changed by data.ApplyTaskPatch and written back in one transaction, so
// of two completions at once the second finds the task done.
func (s *Store) UpdateTask(ctx context.Context, id string, p data.TaskPatch) (geo.Task, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return geo.Task{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no task " + id})
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return geo.Task{}, mapError("update task", err)
	}
	defer tx.Rollback(context.Background())
	var r taskRow
	if err := tx.QueryRow(ctx, taskSelect+" where id = $1 for update", n).Scan(r.dest()...); errors.Is(err, pgx.ErrNoRows) {
		return geo.Task{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no task " + id})
	} else if err != nil {
		return geo.Task{}, mapError("update task", err)
	}
	if p.At.IsZero() {
		if err := tx.QueryRow(ctx, "select now()").Scan(&p.At); err != nil {
			return geo.Task{}, mapError("update task", err)
		}
	}
	next, err := data.ApplyTaskPatch(r.task(), p)
	if err != nil {
		return geo.Task{}, fmt.Errorf("postgis: %w", err)
	}
	var out taskRow
	err = tx.QueryRow(ctx, `with up as (update tasks set done_at = $2, done_by = $3 where id = $1 returning *) `+strings.Replace(taskSelect, "from tasks", "from up", 1),
		n, next.DoneAt, next.DoneBy).Scan(out.dest()...)
	if err != nil {
		return geo.Task{}, mapError("update task", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return geo.Task{}, mapError("update task: commit", err)
	}
	return out.task(), nil
}

// Task implements data.TaskStore.
func (s *Store) Task(ctx context.Context, id string) (geo.Task, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	var r taskRow
	if err == nil {
		err = s.pool.QueryRow(ctx, taskSelect+" where id = $1", n).Scan(r.dest()...)
	}
	switch {
	case err == nil:
		return r.task(), nil
	case errors.Is(err, pgx.ErrNoRows), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		return geo.Task{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no task " + id})
	}
	return geo.Task{}, mapError("read task", err)
}

// QueryTasks implements data.TaskStore: one statement, latest due first.
func (s *Store) QueryTasks(ctx context.Context, f data.TaskFilter, p data.Page) (data.TaskPage, error) {
	c, err := data.ParseCursor(p.Cursor)
	if err != nil {
		return data.TaskPage{}, err
	}
	if f.Status != "" && f.Now.IsZero() {
		f.Now = time.Now()
	}
	limit := pageLimit(p)
	var args pgsql.Args
	sql := taskSelect + pgsql.TaskWhere(&f, c, &args) + " order by due desc, id desc limit " + args.Add(limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return data.TaskPage{}, mapError("query tasks", err)
	}
	out := data.TaskPage{Tasks: []geo.Task{}}
	var r taskRow
	var lastID int64
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		if len(out.Tasks) == limit {
			out.Next = data.Cursor{OccurredAt: out.Tasks[limit-1].Due, ID: lastID}.Encode()
			return nil
		}
		out.Tasks = append(out.Tasks, r.task())
		lastID = r.id
		return nil
	})
	if err != nil {
		return data.TaskPage{}, mapError("query tasks", err)
	}
	return out, nil
}
