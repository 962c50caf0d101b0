package memory

import (
	"context"
	"time"

	"jingge/data"
	"jingge/data/memory/worktable"
	"jingge/geo"
)

var _ data.TaskStore = (*Store)(nil)

// taskKind orders tasks by the time they fall due.
type taskKind struct{}

func (taskKind) SortTime(t *geo.Task) time.Time   { return t.Due }
func (taskKind) RecordedAt(t *geo.Task) time.Time { return t.RecordedAt }
func (taskKind) SetID(t *geo.Task, id string)     { t.ID = id }
func (taskKind) Name() string                     { return "task" }
func (taskKind) check(t geo.Task) error           { return data.CheckTask(&t) }

func (taskKind) keep(t geo.Task, now time.Time) geo.Task {
	if t.RecordedAt.IsZero() {
		t.RecordedAt = now
	}
	t.Due, t.DoneAt, t.RecordedAt = storeTime(t.Due), storeTime(t.DoneAt), storeTime(t.RecordedAt)
	return t
}

func (taskKind) addEntry(t geo.Task, scope, key string, digest []byte) (recordKind, any) {
	return recTask, taskRecord{Task: t, Scope: scope, Key: key, Digest: digest}
}

func (taskKind) updateEntry(t geo.Task) (recordKind, any) {
	return recTaskUpdate, taskUpdateRecord{Task: t}
}

// taskTable holds a store's tasks.
type taskTable = worktable.Table[geo.Task, taskKind]

// The journal records of tasks, numbered apart from durable_journal.go's
// list: see recordKind.
const (
	recTask       recordKind = 20
	recTaskUpdate recordKind = 21
)

type (
	taskRecord struct {
		Task   geo.Task // with its id and recording time
		Scope  string   // the idempotency key's caller
		Key    string
		Digest []byte
	}
	taskUpdateRecord struct {
		Task geo.Task // as it is after the change
	}
)

// AddTask implements data.TaskStore.
func (s *Store) AddTask(ctx context.Context, w data.TaskWrite) (data.TaskResult, error) {
	t, replayed, err := addWork(ctx, s, &s.tasks, w.Task, w.Scope, w.Key, w.KeyDigest)
	if err != nil {
		return data.TaskResult{}, err
	}
	return data.TaskResult{Task: t, Replayed: replayed}, nil
}

// UpdateTask implements data.TaskStore.
func (s *Store) UpdateTask(ctx context.Context, id string, p data.TaskPatch) (geo.Task, error) {
	if p.At.IsZero() {
		p.At = s.now()
	}
	p.At, p.DoneAt = storeTime(p.At), storeTime(p.DoneAt)
	return updateWork(ctx, s, &s.tasks, id, p.Key, p.Answer, func(cur geo.Task) (geo.Task, error) { return data.ApplyTaskPatch(cur, p) })
}

// QueryTasks implements data.TaskStore. A status filter without a time
// is read at the store's clock.
func (s *Store) QueryTasks(ctx context.Context, f data.TaskFilter, p data.Page) (data.TaskPage, error) {
	if err := ctx.Err(); err != nil {
		return data.TaskPage{}, err
	}
	if f.Status != "" && f.Now.IsZero() {
		f.Now = s.now()
	}
	rows, next, err := s.tasks.Page(p, f.Match)
	if err != nil {
		return data.TaskPage{}, err
	}
	return data.TaskPage{Tasks: rows, Next: next}, nil
}

// Task implements data.TaskStore.
func (s *Store) Task(ctx context.Context, id string) (geo.Task, error) {
	return workByID(ctx, &s.tasks, id)
}
