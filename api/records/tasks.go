package records

import (
	"context"
	"strings"
	"time"

	"jingge/data"
	"jingge/geo"
)

// TaskRequest is the body of POST /api/v1/tasks.
type TaskRequest struct {
	// Station is whose list it is on; an officer may leave it out (their
	// own) and may give no other.
	Station string `json:"station"`
	// Grid and Officer say to whom it is assigned; at least one.
	Grid    string `json:"grid"`
	Officer string `json:"officer"`
	Title   string `json:"title"`
	Detail  string `json:"detail"`
	// Due is a date (2026-05-20: due by the end of that day, the
	// dataset's time) or an RFC 3339 time.
	Due string `json:"due"`
}

// TaskPatchRequest is the body of PATCH /api/v1/tasks/{id}: done true
// marks the task done, at done_at (now when left out).
type TaskPatchRequest struct {
	Done   *bool   `json:"done"`
	DoneAt *string `json:"done_at"`
}

// TaskProperties describe a task. Status is derived at the moment of the
// answer: open, overdue (not done, past due) or done; late says a done
// task was done after it fell due.
type TaskProperties struct {
	ID          string         `json:"id"`
	Station     string         `json:"station"`
	Grid        string         `json:"grid,omitempty"`
	Officer     string         `json:"officer,omitempty"`
	OfficerName string         `json:"officer_name,omitempty"`
	Title       string         `json:"title"`
	Detail      string         `json:"detail"`
	Due         string         `json:"due"`
	Status      geo.TaskStatus `json:"status"`
	Late        bool           `json:"late"`
	DoneAt      *string        `json:"done_at"`
	DoneBy      string         `json:"done_by,omitempty"`
	RecordedAt  string         `json:"recorded_at"`
	RecordedBy  string         `json:"recorded_by,omitempty"`
	// Replayed is set on the answer to a POST whose Idempotency-Key was
	// used before: nothing new was stored.
	Replayed bool `json:"replayed,omitempty"`
}

// TaskParams are the query parameters of a list of tasks.
var TaskParams = []string{"station", "grid", "officer", "month", "status", "limit", "cursor"}

// AddTask puts the task of body (a TaskRequest) on its station's list
// under key, or replays the task first put there under it; replayed says
// which. An officer adds to their own station's list only.
func (s *Service) AddTask(ctx context.Context, c Caller, body []byte, key string) (*TaskProperties, bool, error) {
	return keyed[TaskRequest, geo.Task, *TaskProperties]{
		members: "station, grid, officer, title, detail and due",
		build:   s.buildTask,
		store: func(ctx context.Context, t geo.Task, _ *TaskRequest, key, scope string) (geo.Task, bool, error) {
			res, err := s.o.Tasks.AddTask(ctx, data.TaskWrite{Task: t, Key: key, Scope: scope})
			return res.Task, res.Replayed, err
		},
		doc: func(c Caller, v *view, t *geo.Task, replayed bool) *TaskProperties {
			p := taskDoc(c, v, t, s.o.Now())
			p.Replayed = replayed
			return p
		},
	}.add(ctx, s, c, body, key)
}

// buildTask checks a request's fields, the caller's right to the station's
// list and that its station, grid and officer exist and agree
// (geo.Index.TaskRefProblems).
func (s *Service) buildTask(_ context.Context, c Caller, v *view, in *TaskRequest) (geo.Task, error) {
	t := geo.Task{StationID: strings.TrimSpace(in.Station), GridID: strings.TrimSpace(in.Grid), OfficerID: strings.TrimSpace(in.Officer),
		Title: strings.TrimSpace(in.Title), Detail: strings.TrimSpace(in.Detail), RecordedBy: c.Name}
	if c.officer() {
		if t.StationID == "" {
			if m, ok := v.ix.Member(c.OfficerID); ok {
				t.StationID = m.StationID
			}
		}
		if err := mayChange(c, v, t.StationID, "a task of station "+t.StationID); err != nil {
			return t, err
		}
	}
	var bad params
	if in.Due == "" {
		bad.add("due", "due is required: the date the task is due, such as 2026-05-20")
	} else if d, err := geo.ParseDue(in.Due, v.ix.Location()); err != nil {
		bad.add("due", "%s", strings.TrimPrefix(err.Error(), "geo: "))
	} else {
		t.Due = d
	}
	for _, p := range v.ix.TaskRefProblems(&t) {
		bad.add(p.Field, "%s", p.Reason)
	}
	return t, bad.err()
}

// UpdateTask marks task id done by body (a TaskPatchRequest). An officer
// completes the tasks assigned to them, or to a grid of their area
// without an officer; planners and admins complete any. Under keep's key
// the store keeps keep's answer with the change (Keep), and a retry
// under the key fails with the data.Replay of the first answer.
func (s *Service) UpdateTask(ctx context.Context, c Caller, id string, body []byte, keep Keep[*TaskProperties]) (*TaskProperties, error) {
	var in TaskPatchRequest
	if err := decodeStrict(body, &in, "done and done_at"); err != nil {
		return nil, err
	}
	if in.Done == nil || !*in.Done {
		return nil, data.InvalidParams(data.Param{Name: "done", Reason: `send {"done": true} to mark the task done; a done task stays done`})
	}
	v, err := s.current()
	if err != nil {
		return nil, err
	}
	cur, err := s.o.Tasks.Task(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayComplete(c, v, &cur); err != nil {
		return nil, err
	}
	p := data.TaskPatch{At: s.o.Now(), By: c.Name, Key: keep.Key}
	p.Answer = answerOf(keep, func(t *geo.Task) *TaskProperties { return taskDoc(c, v, t, p.At) })
	if in.DoneAt != nil {
		var bad params
		p.DoneAt = s.pastTime(v, "done_at", *in.DoneAt, 0, "", &bad)
		if err := bad.err(); err != nil {
			return nil, err
		}
	}
	t, err := s.o.Tasks.UpdateTask(ctx, id, p)
	if err != nil {
		return nil, err
	}
	return taskDoc(c, v, &t, p.At), nil
}

// taskDoc is t as c may read it, its status at now.
func taskDoc(c Caller, v *view, t *geo.Task, now time.Time) *TaskProperties {
	return &TaskProperties{
		ID: t.ID, Station: t.StationID, Grid: t.GridID, Officer: t.OfficerID, OfficerName: v.memberName(t.OfficerID),
		Title: c.text(t.Title), Detail: c.text(t.Detail), Due: v.localTime(t.Due), Status: t.StatusAt(now), Late: t.Late(),
		DoneAt: v.optionalTime(t.DoneAt), DoneBy: t.DoneBy, RecordedAt: v.localTime(t.RecordedAt), RecordedBy: t.RecordedBy,
	}
}

// ListTasks answers a page of the tasks that q selects (TaskParams), their
// status as it stands now; an officer reads their own station's.
func (s *Service) ListTasks(ctx context.Context, c Caller, q Query) (Page[*TaskProperties], error) {
	now := s.o.Now()
	return listed[data.TaskFilter, geo.Task, *TaskProperties]{
		filter: func(q Query, v *view, bad *params) data.TaskFilter {
			f := data.TaskFilter{StationID: q.get("station"), GridID: q.get("grid"), OfficerID: q.get("officer"), Now: now}
			month(q, v, &f.From, &f.To, bad)
			if text := q.get("status"); text != "" {
				st, ok := geo.ParseTaskStatus(text)
				if !ok {
					bad.add("status", "status must be open, overdue or done, got %q", text)
				}
				f.Status = st
			}
			return f
		},
		scope: func(c Caller, v *view, f *data.TaskFilter) error { return stationScope(c, v, &f.StationID) },
		query: func(ctx context.Context, f data.TaskFilter, p data.Page) ([]geo.Task, string, error) {
			res, err := s.o.Tasks.QueryTasks(ctx, f, p)
			return res.Tasks, res.Next, err
		},
		doc: func(c Caller, v *view, t *geo.Task) *TaskProperties { return taskDoc(c, v, t, now) },
	}.list(ctx, s, c, q)
}
