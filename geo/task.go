package geo

import (
	"fmt"
	"strings"
	"time"
)

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

// ParseDue reads when a task is due: a date (2026-05-20) is due by the
// end of that day in loc, its last second; otherwise an RFC 3339 time.
func ParseDue(text string, loc *time.Location) (time.Time, error) {
	text = strings.TrimSpace(text)
	if d, err := time.ParseInLocation(time.DateOnly, text, loc); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return time.Time{}, fmt.Errorf("geo: due %q is neither a date such as 2026-05-20 nor an RFC 3339 time", text)
	}
	return t, nil
}

// FieldProblem names a field of a record and what is wrong with it.
type FieldProblem struct {
	Field, Reason string
}

// TaskRefProblems checks the references of t against ix: its station
// exists, it is assigned to a grid or an officer, the grid is one of the
// station's and the officer one of its members.
func (ix *Index) TaskRefProblems(t *Task) []FieldProblem {
	var out []FieldProblem
	if t.StationID == "" {
		out = append(out, FieldProblem{"station", "station is required: the id of the station whose list the task is on"})
	} else if _, ok := ix.Station(t.StationID); !ok {
		out = append(out, FieldProblem{"station", fmt.Sprintf("there is no station %q", t.StationID)})
	}
	if t.GridID == "" && t.OfficerID == "" {
		out = append(out, FieldProblem{"grid", "a task is assigned to a grid, an officer or both; give grid or officer"})
	}
	if t.GridID != "" {
		if g, ok := ix.Grid(t.GridID); !ok {
			out = append(out, FieldProblem{"grid", fmt.Sprintf("there is no grid %q", t.GridID)})
		} else if t.StationID != "" && g.StationID != t.StationID {
			out = append(out, FieldProblem{"grid", fmt.Sprintf("grid %s is of station %s, not of %s", t.GridID, g.StationID, t.StationID)})
		}
	}
	if t.OfficerID != "" {
		if m, ok := ix.Member(t.OfficerID); !ok {
			out = append(out, FieldProblem{"officer", fmt.Sprintf("there is no officer %q", t.OfficerID)})
		} else if t.StationID != "" && m.StationID != t.StationID {
			out = append(out, FieldProblem{"officer", fmt.Sprintf("officer %s is of station %s, not of %s", t.OfficerID, m.StationID, t.StationID)})
		}
	}
	if strings.TrimSpace(t.Title) == "" {
		out = append(out, FieldProblem{"title", "title is required: what is to be done"})
	}
	return out
}
