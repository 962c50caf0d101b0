package api

import (
	"jingge/api/httpx"
	"net/http"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/records"
	"jingge/data"
)

type taskCollectionJSON struct {
	Tasks          []records.TaskProperties
	NumberReturned int `json:"number_returned"`
	Links          []httpx.Link
}

func TestTasksByRole(t *testing.T) {
	now := time.Date(2026, 5, 15, 12, 0, 0, 0, chinaZone(t))
	f := newRoleFixtureWith(t, Config{PatrolOptions: PatrolOptions{Now: func() time.Time { return now }}})
	post := func(role data.Role, body string, want int) records.TaskProperties {
		t.Helper()
		rec := f.sendBody(t, http.MethodPost, "/api/v1/tasks", role, body)
		if rec.Code != want {
			t.Fatalf("%s posts %s: status %d, want %d: %s", role, body, rec.Code, want, rec.Body.String())
		}
		var out records.TaskProperties
		if want == http.StatusCreated {
			decodeJSON(t, rec, &out)
		}
		return out
	}
	// An officer (m1, of station A) puts tasks on their own station's list.
	mine := post(data.RoleOfficer, `{"officer":"m1","title":"走访独居老人","due":"2026-05-20"}`, http.StatusCreated)
	if mine.Station != apitest.StationA || mine.Status != "open" || mine.Due != "2026-05-20T23:59:59+08:00" || mine.OfficerName != "王警官" {
		t.Errorf("officer's task %+v", mine)
	}
	post(data.RoleOfficer, `{"station":"`+apitest.StationB+`","grid":"`+apitest.PoliceB+`","title":"x","due":"2026-05-20"}`, http.StatusForbidden)
	gridTask := post(data.RolePlanner, `{"station":"`+apitest.StationA+`","grid":"`+apitest.PoliceA+`","title":"排查出租屋","due":"2026-05-10"}`, http.StatusCreated)
	if gridTask.Status != "overdue" {
		t.Errorf("a task due on the 10th, on the 15th: %+v, want overdue", gridTask)
	}
	other := post(data.RolePlanner, `{"station":"`+apitest.StationB+`","officer":"m5","title":"消防检查","due":"2026-05-31"}`, http.StatusCreated)
	post(data.RoleViewer, `{"station":"`+apitest.StationA+`","grid":"`+apitest.PoliceA+`","title":"x","due":"2026-05-20"}`, http.StatusForbidden)
	// Bad references and dates are named.
	for body, param := range map[string]string{
		`{"station":"` + apitest.StationA + `","grid":"` + apitest.PoliceB + `","title":"x","due":"2026-05-20"}`: "grid",
		`{"station":"` + apitest.StationA + `","officer":"m5","title":"x","due":"2026-05-20"}`:                   "officer",
		`{"station":"` + apitest.StationA + `","grid":"` + apitest.PoliceA + `","title":"x","due":"soon"}`:       "due",
		`{"station":"` + apitest.StationA + `","title":"x","due":"2026-05-20"}`:                                  "grid",
		`{"station":"nowhere","grid":"` + apitest.PoliceA + `","title":"x","due":"2026-05-20"}`:                  "station",
	} {
		rec := f.sendBody(t, http.MethodPost, "/api/v1/tasks", data.RolePlanner, body)
		p := expectProblem(t, rec, http.StatusBadRequest)
		if len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != param {
			t.Errorf("%s: %+v, want %s named", body, p.InvalidParams, param)
		}
	}
	// Completion: the assigned officer, or one of the grid's area; once.
	patch := func(role data.Role, id, body string, want int) records.TaskProperties {
		t.Helper()
		rec := f.sendBody(t, http.MethodPatch, "/api/v1/tasks/"+id, role, body)
		if rec.Code != want {
			t.Fatalf("%s PATCH task %s %s: status %d, want %d: %s", role, id, body, rec.Code, want, rec.Body.String())
		}
		var out records.TaskProperties
		if want == http.StatusOK {
			decodeJSON(t, rec, &out)
		}
		return out
	}
	patch(data.RoleOfficer, other.ID, `{"done":true}`, http.StatusForbidden)
	patch(data.RoleOfficer, mine.ID, `{"done":false}`, http.StatusBadRequest)
	done := patch(data.RoleOfficer, mine.ID, `{"done":true}`, http.StatusOK)
	if done.Status != "done" || done.Late || done.DoneBy != "u-officer" {
		t.Errorf("done: %+v", done)
	}
	patch(data.RolePlanner, mine.ID, `{"done":true}`, http.StatusConflict)
	late := patch(data.RoleOfficer, gridTask.ID, `{"done":true}`, http.StatusOK)
	if !late.Late {
		t.Errorf("a task done after it fell due: %+v, want late", late)
	}
	patch(data.RolePlanner, "99999", `{"done":true}`, http.StatusNotFound)

	list := func(role data.Role, target string, want int) taskCollectionJSON {
		t.Helper()
		rec := f.send(t, http.MethodGet, target, role)
		if rec.Code != want {
			t.Fatalf("%s GET %s: status %d, want %d: %s", role, target, rec.Code, want, rec.Body.String())
		}
		var out taskCollectionJSON
		if want == http.StatusOK {
			decodeJSON(t, rec, &out)
		}
		return out
	}
	if all := list(data.RoleViewer, "/api/v1/tasks?month=2026-05", http.StatusOK); all.NumberReturned != 3 || all.Tasks[0].ID != other.ID {
		t.Errorf("May's tasks: %+v, want 3, latest due first", all.Tasks)
	}
	if open := list(data.RoleViewer, "/api/v1/tasks?status=open", http.StatusOK); open.NumberReturned != 1 || open.Tasks[0].ID != other.ID {
		t.Errorf("open tasks: %+v", open.Tasks)
	}
	if own := list(data.RoleOfficer, "/api/v1/tasks", http.StatusOK); own.NumberReturned != 2 {
		t.Errorf("an officer reads %d tasks, want their station's 2", own.NumberReturned)
	}
	list(data.RoleOfficer, "/api/v1/tasks?station="+apitest.StationB, http.StatusForbidden)
	list(data.RoleViewer, "/api/v1/tasks?status=late", http.StatusBadRequest)

	rec := f.send(t, http.MethodGet, "/api/v1/tasks/summary?month=2026-05", data.RoleViewer)
	var sum records.TaskSummary
	decodeJSON(t, rec, &sum)
	if rec.Code != http.StatusOK || len(sum.Rows) != 2 || sum.Rows[1].Key != apitest.StationA || sum.Rows[1].Due != 2 || sum.Rows[1].Done != 2 || sum.Rows[1].OnTime != 1 ||
		*sum.Rows[1].CompletionRate != 1 || *sum.Rows[1].OnTimeRate != 0.5 || sum.Rows[0].Open != 1 || sum.Total.Due != 3 {
		t.Errorf("summary: status %d, %+v", rec.Code, sum)
	}
}
