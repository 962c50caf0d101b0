package memory

import (
	"context"
	"fmt"
	"strconv"
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
func (s *Store) AddTask(ctx context.Context, w data.TaskWrite) (_ data.TaskResult, err error) {
	if err := ctx.Err(); err != nil {
		return data.TaskResult{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	if err := data.CheckBatchKey(w.Key); err != nil {
		return data.TaskResult{}, err
	}
	task := w.Task
	if err := data.CheckTask(&task); err != nil {
		return data.TaskResult{}, fmt.Errorf("memory: %w", err)
	}
	if task.RecordedAt.IsZero() {
		task.RecordedAt = s.now()
	}
	task.Due, task.DoneAt, task.RecordedAt = storeTime(task.Due), storeTime(task.DoneAt), storeTime(task.RecordedAt)
	var digest []byte
	if w.Key != "" {
		digest = w.KeyDigest()
	}
	t := &s.tasks
	t.Mu.Lock()
	defer t.Mu.Unlock()
	stored, replayed, err := t.AddLocked(task, w.Scope, w.Key, digest)
	if err != nil {
		return data.TaskResult{Task: stored}, fmt.Errorf("memory: add task: %w", err)
	}
	if replayed {
		return data.TaskResult{Task: stored, Replayed: true}, nil
	}
	tk = s.jr.log(recTask, taskRecord{Task: stored, Scope: w.Scope, Key: w.Key, Digest: digest})
	return data.TaskResult{Task: stored}, nil
}

// UpdateTask implements data.TaskStore.
func (s *Store) UpdateTask(ctx context.Context, id string, p data.TaskPatch) (_ geo.Task, err error) {
	if err := ctx.Err(); err != nil {
		return geo.Task{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	if p.At.IsZero() {
		p.At = s.now()
	}
	p.At, p.DoneAt = storeTime(p.At), storeTime(p.DoneAt)
	t := &s.tasks
	t.Mu.Lock()
	defer t.Mu.Unlock()
	n, err := strconv.ParseInt(id, 10, 64)
	cur := t.ByIDLocked(n)
	if err != nil || cur == nil {
		return geo.Task{}, fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no task " + id})
	}
	next, err := data.ApplyTaskPatch(*cur, p)
	if err != nil {
		return geo.Task{}, fmt.Errorf("memory: %w", err)
	}
	*cur = next
	tk = s.jr.log(recTaskUpdate, taskUpdateRecord{Task: next})
	return next, nil
}

// QueryTasks implements data.TaskStore.
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
	if err := ctx.Err(); err != nil {
		return geo.Task{}, err
	}
	t := &s.tasks
	t.Mu.RLock()
	defer t.Mu.RUnlock()
	n, err := strconv.ParseInt(id, 10, 64)
	if task := t.ByIDLocked(n); err == nil && task != nil {
		return *task, nil
	}
	return geo.Task{}, fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no task " + id})
}
