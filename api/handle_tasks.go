package api

import (
	"context"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

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
	// Due is a date (2026-05-20: due by the end of that day, China time)
	// or an RFC 3339 time.
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

// TaskCollection answers GET /api/v1/tasks, one page at a time.
type TaskCollection struct {
	Tasks          []*TaskProperties `json:"tasks"`
	NumberReturned int               `json:"number_returned"`
	Links          []Link            `json:"links"`
}

// errNoTasks answers task routes on a server without a task store.
func errNoTasks() error {
	return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "this server keeps no task lists (it has no task store)"}
}

// taskJSON is t as the caller of ctx may see it, its status at now.
func (v *view) taskJSON(ctx context.Context, t *geo.Task, now time.Time) *TaskProperties {
	p := &TaskProperties{
		ID: t.ID, Station: t.StationID, Grid: t.GridID, Officer: t.OfficerID, Title: textFor(ctx, t.Title), Detail: textFor(ctx, t.Detail),
		Due: v.localTime(t.Due), Status: t.StatusAt(now), Late: t.Late(), DoneAt: v.optionalTime(t.DoneAt), DoneBy: t.DoneBy,
		RecordedAt: v.localTime(t.RecordedAt), RecordedBy: t.RecordedBy,
	}
	if m, ok := v.ix.Member(t.OfficerID); ok {
		p.OfficerName = m.Name
	}
	return p
}

func (s *Server) handleCreateTask(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.tasks == nil {
		return errNoTasks()
	}
	key, err := requestKey(r)
	if err != nil {
		return err
	}
	var in TaskRequest
	if err := decodeStrict(r, &in, "station, grid, officer, title, detail and due"); err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	t := geo.Task{StationID: strings.TrimSpace(in.Station), GridID: strings.TrimSpace(in.Grid), OfficerID: strings.TrimSpace(in.Officer),
		Title: strings.TrimSpace(in.Title), Detail: strings.TrimSpace(in.Detail)}
	if p, ok := principalFrom(r.Context()); ok && !p.anonymous() {
		t.RecordedBy = p.user.Name
		if p.user.Role == data.RoleOfficer {
			if t.StationID == "" {
				if m, ok := v.ix.Member(p.user.OfficerID); ok {
					t.StationID = m.StationID
				}
			}
			if err := s.officerMayChange(r, v, t.StationID, "a task of station "+t.StationID); err != nil {
				return err
			}
		}
	}
	if err := checkTaskRefs(v, &t, in.Due); err != nil {
		return err
	}
	res, err := s.tasks.AddTask(r.Context(), data.TaskWrite{Task: t, Key: key, Scope: keyScope(r.Context())})
	if err != nil {
		return err
	}
	p := v.taskJSON(r.Context(), &res.Task, s.patrols.opts.Now())
	p.Replayed = res.Replayed
	status := createdStatus(res.Replayed)
	httpx.WriteJSON(w, r, s.logger, status, httpx.ContentTypeJSON, p)
	return nil
}

// checkTaskRefs reads the due date into t and checks that its station,
// grid and officer exist and agree (geo.Index.TaskRefProblems).
func checkTaskRefs(v *view, t *geo.Task, due string) error {
	var bad []httpx.InvalidParam
	if due == "" {
		bad = append(bad, httpx.InvalidParam{Name: "due", Reason: "due is required: the date the task is due, such as 2026-05-20"})
	} else if d, err := geo.ParseDue(due, v.ix.Location()); err != nil {
		bad = append(bad, httpx.InvalidParam{Name: "due", Reason: strings.TrimPrefix(err.Error(), "geo: ")})
	} else {
		t.Due = d
	}
	for _, p := range v.ix.TaskRefProblems(t) {
		bad = append(bad, httpx.InvalidParam{Name: p.Field, Reason: p.Reason})
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	return nil
}

func (s *Server) handleUpdateTask(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.tasks == nil {
		return errNoTasks()
	}
	var in TaskPatchRequest
	if err := decodeStrict(r, &in, "done and done_at"); err != nil {
		return err
	}
	if in.Done == nil || !*in.Done {
		return httpx.Invalid(httpx.InvalidParam{Name: "done", Reason: `send {"done": true} to mark the task done; a done task stays done`})
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	cur, err := s.tasks.Task(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.mayComplete(r, v, &cur); err != nil {
		return err
	}
	p := data.TaskPatch{At: s.patrols.opts.Now()}
	if pr, ok := principalFrom(r.Context()); ok && !pr.anonymous() {
		p.By = pr.user.Name
	}
	if in.DoneAt != nil {
		var bad []httpx.InvalidParam
		p.DoneAt = s.pastTime(v, "done_at", *in.DoneAt, 0, &bad)
		if len(bad) > 0 {
			return httpx.Invalid(bad...)
		}
	}
	t, err := s.tasks.UpdateTask(r.Context(), id, p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, v.taskJSON(r.Context(), &t, p.At))
	return nil
}

// mayComplete refuses an officer signed in the completion of a task not
// theirs: one assigned to them, or, assigned to no officer, to a grid of
// their own area. Planners and admins complete any.
func (s *Server) mayComplete(r *http.Request, v *view, t *geo.Task) error {
	p, ok := principalFrom(r.Context())
	if !ok || p.user.Role != data.RoleOfficer {
		return nil
	}
	me := p.user.OfficerID
	switch {
	case me == "":
		return forbidden("user " + p.user.Name + " is an officer without a member id and may complete no task; ask an admin to link it (jingge users add --officer)")
	case t.OfficerID == me:
		return nil
	case t.OfficerID == "" && s.patrols.rulesFor(v.ix).InArea(me, t.GridID):
		return nil
	}
	return forbidden(fmt.Sprintf("task %s is assigned to %s; officer %s completes the tasks assigned to them, or to a grid of their area without an officer", t.ID, taskAssignee(t), me))
}

func taskAssignee(t *geo.Task) string {
	if t.OfficerID != "" {
		return "officer " + t.OfficerID
	}
	return "grid " + t.GridID
}

// taskParams are the query parameters of GET /api/v1/tasks.
var taskParams = []string{"station", "grid", "officer", "month", "status", "limit", "cursor"}

func (s *Server) handleListTasks(w http.ResponseWriter, r *http.Request, q query) error {
	if s.tasks == nil {
		return errNoTasks()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	now := s.patrols.opts.Now()
	f := data.TaskFilter{StationID: q.get("station"), GridID: q.get("grid"), OfficerID: q.get("officer"), Now: now}
	var bad []httpx.InvalidParam
	if text, ok := q.lookup("month"); ok {
		if f.From, f.To, err = data.MonthBounds(strings.TrimSpace(text), v.ix.Location()); err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "month", Reason: fmt.Sprintf("month %q: write it as YYYY-MM, e.g. 2026-03", text)})
		}
	}
	if text := q.get("status"); text != "" {
		st, ok := geo.ParseTaskStatus(text)
		if !ok {
			bad = append(bad, httpx.InvalidParam{Name: "status", Reason: fmt.Sprintf("status must be open, overdue or done, got %q", text)})
		}
		f.Status = st
	}
	page, badPage := parsePage(q)
	bad = append(bad, badPage...)
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	if err := officerStationScope(r, v, &f.StationID); err != nil {
		return err
	}
	res, err := s.tasks.QueryTasks(r.Context(), f, page)
	if err != nil {
		return httpx.AboutParam(err, "cursor")
	}
	out := TaskCollection{Tasks: make([]*TaskProperties, len(res.Tasks)), NumberReturned: len(res.Tasks)}
	for i := range res.Tasks {
		out.Tasks[i] = v.taskJSON(r.Context(), &res.Tasks[i], now)
	}
	out.Links = pageLinks(r, res.Next)
	for i := range out.Links {
		out.Links[i].Type = httpx.ContentTypeJSON
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}
