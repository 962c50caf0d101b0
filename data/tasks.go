package data

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"jingge/geo"
)

// TaskWrite is one task to record.
type TaskWrite struct {
	// Task is valid (CheckTask); its ID is assigned by the store.
	Task geo.Task
	// Key, Scope and Digest make the write idempotent as for visits
	// (VisitWrite); nil Digest means TaskDigest(&Task).
	Key    string
	Scope  string
	Digest []byte
}

// KeyDigest returns the fingerprint a store keeps with w's key.
func (w *TaskWrite) KeyDigest() []byte {
	if w.Digest != nil {
		return w.Digest
	}
	return TaskDigest(&w.Task)
}

// TaskResult is what AddTask committed.
type TaskResult struct {
	Task     geo.Task // as stored, with its id
	Replayed bool
}

// TaskFilter selects tasks. Zero fields select everything; the fields
// that are set must all hold.
type TaskFilter struct {
	// From and To bound the task's due time: From <= due < To.
	From, To  time.Time
	StationID string
	GridID    string
	OfficerID string
	// Status selects the tasks with that status at Now (geo.Task.StatusAt).
	Status geo.TaskStatus
	Now    time.Time
}

// Match reports whether t passes f. Stores without a query engine use
// it; those with one must agree with it.
func (f *TaskFilter) Match(t *geo.Task) bool {
	switch {
	case !f.From.IsZero() && t.Due.Before(f.From),
		!f.To.IsZero() && !t.Due.Before(f.To),
		f.StationID != "" && t.StationID != f.StationID,
		f.GridID != "" && t.GridID != f.GridID,
		f.OfficerID != "" && t.OfficerID != f.OfficerID,
		f.Status != "" && t.StatusAt(f.Now) != f.Status:
		return false
	}
	return true
}

// TaskPage is one page of tasks, latest due first.
type TaskPage struct {
	Tasks []geo.Task
	// Next is the cursor of the following page; "" on the last page.
	Next string
}

// TaskPatch marks a task done (ApplyTaskPatch).
type TaskPatch struct {
	// DoneAt is when it was done; zero means At.
	DoneAt time.Time
	// At and By are when and by whom the change is made.
	At time.Time
	By string
	// Key, when set, makes the change idempotent as GridEdit.Key does:
	// the store keeps the answer Answer builds from the task as stored in
	// the same commit, and a change under a key kept already changes
	// nothing and fails with a *Replay of that answer (or a KeyConflict
	// for another request), even when the task has changed since.
	Key    *AnswerKey
	Answer func(geo.Task) Answer
}

// TaskStore keeps stations' task lists (任务清单). Ids are assigned by
// the store: decimal strings of positive integers, never reused. A write
// returns only after it is durable.
type TaskStore interface {
	// AddTask stores one task and returns it with its id. Content
	// problems (CheckTask) come back as a *RequestError of kind
	// ErrInvalid.
	AddTask(ctx context.Context, w TaskWrite) (TaskResult, error)
	// UpdateTask applies p to the task with id (ApplyTaskPatch) and
	// returns it as stored; ErrNotFound for an unknown id. A patch with
	// a Key is idempotent as TaskPatch.Key says: its key is looked up
	// before the task is.
	UpdateTask(ctx context.Context, id string, p TaskPatch) (geo.Task, error)
	// QueryTasks returns the tasks that pass f, latest due first (by due
	// time, then id), paged by a Cursor of the due time and id.
	QueryTasks(ctx context.Context, f TaskFilter, p Page) (TaskPage, error)
	// Task returns the task with id; ErrNotFound when there is none.
	Task(ctx context.Context, id string) (geo.Task, error)
}

// Limits of a task's texts, in characters.
const (
	MaxTaskTitle  = 200
	MaxTaskDetail = 2000
	MaxTaskID     = 64
)

// CheckTask returns a *RequestError of kind ErrInvalid naming the first
// problem of t, or nil: a station, a grid or an officer, a title, a due
// time, and texts within their limits that every store can keep.
func CheckTask(t *geo.Task) error {
	switch {
	case t.StationID == "":
		return userError(ErrInvalid, "a task needs the station whose list it is on")
	case t.GridID == "" && t.OfficerID == "":
		return userError(ErrInvalid, "a task is assigned to a grid, an officer or both; give grid or officer")
	case strings.TrimSpace(t.Title) == "":
		return userError(ErrInvalid, "a task needs a title saying what is to be done")
	case t.Due.IsZero():
		return userError(ErrInvalid, "a task needs the date it is due")
	}
	return checkTexts("task", textLimit{"station", t.StationID, MaxTaskID}, textLimit{"grid", t.GridID, MaxTaskID}, textLimit{"officer", t.OfficerID, MaxTaskID},
		textLimit{"title", t.Title, MaxTaskTitle}, textLimit{"detail", t.Detail, MaxTaskDetail}, textLimit{"done_by", t.DoneBy, MaxTaskID})
}

// ApplyTaskPatch returns cur marked done by p. A task is done once: a
// done task is refused with a *RequestError of kind ErrConflict, so two
// officers completing it keep the first completion.
func ApplyTaskPatch(cur geo.Task, p TaskPatch) (geo.Task, error) {
	if cur.Done() {
		return cur, userError(ErrConflict, "task %s was done at %s by %s; a task is done once", cur.ID, cur.DoneAt.UTC().Format(time.RFC3339), cur.DoneBy)
	}
	next := cur
	next.DoneAt, next.DoneBy = p.DoneAt, p.By
	if next.DoneAt.IsZero() {
		next.DoneAt = p.At
	}
	if next.DoneAt.IsZero() {
		return cur, userError(ErrInvalid, "a task is marked done at a time")
	}
	if err := CheckTask(&next); err != nil {
		return cur, err
	}
	return next, nil
}

// TaskDigest fingerprints what a task says (not its id or recording
// time).
func TaskDigest(t *geo.Task) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%q|%q|%q|%q|%q|%d|%d|%q", t.StationID, t.GridID, t.OfficerID, t.Title, t.Detail, t.Due.UnixMicro(), t.DoneAt.UnixMicro(), t.DoneBy)
	return h.Sum(nil)
}
