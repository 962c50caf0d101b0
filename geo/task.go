package geo

import "time"

// TaskStatus is where a task stands at a moment: derived from its due and
// done times, never stored.
type TaskStatus string

// The states of a task.
const (
	TaskOpen    TaskStatus = "open"    // not done, not yet due
	TaskOverdue TaskStatus = "overdue" // not done, past due
	TaskDone    TaskStatus = "done"    // done (on time or late: see Task.Late)
)

// Task is one item of a station's task list (任务清单), assigned to a grid,
// an officer or both, with a due time; DoneAt is zero until it is done.
type Task struct {
	ID        string `json:"id"`
	StationID string `json:"station"`
	// GridID and OfficerID say to whom it is assigned; at least one is set.
	GridID    string `json:"grid,omitempty"`
	OfficerID string `json:"officer,omitempty"`
	Title     string `json:"title"`
	Detail    string `json:"detail,omitempty"`
	// Due is the moment it falls due: a task due on a day is due at the
	// end of that day, China time.
	Due    time.Time `json:"due"`
	DoneAt time.Time `json:"done_at"`
	DoneBy string    `json:"done_by,omitempty"`
	// RecordedAt and RecordedBy say who wrote the record when.
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by,omitempty"`
}

// Done reports whether the task was done.
func (t *Task) Done() bool { return !t.DoneAt.IsZero() }

// Late reports whether the task was done after it fell due.
func (t *Task) Late() bool { return t.Done() && t.DoneAt.After(t.Due) }

// StatusAt is the task's status at now: done once done, else overdue
// from its due time on, else open.
func (t *Task) StatusAt(now time.Time) TaskStatus {
	switch {
	case t.Done():
		return TaskDone
	case !now.Before(t.Due):
		return TaskOverdue
	}
	return TaskOpen
}

// ParseTaskStatus accepts a status's code.
func ParseTaskStatus(s string) (TaskStatus, bool) {
	switch st := TaskStatus(s); st {
	case TaskOpen, TaskOverdue, TaskDone:
		return st, true
	}
	return "", false
}
