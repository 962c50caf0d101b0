package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/records"
	"jingge/data"
)

// sendKeyed is sendBody under the Idempotency-Key key.
func (f *roleFixture) sendKeyed(t *testing.T, method, target string, role data.Role, key, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	req.Header.Set(headerIdempotencyKey, key)
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	return rec
}

// TestTaskDoneKeyed: a phone that marked a task done under a key and
// lost the answer sends it again and gets the first answer byte for
// byte, not "done already"; the task is done once, at the first time.
func TestTaskDoneKeyed(t *testing.T) {
	now := time.Date(2026, 5, 15, 12, 0, 0, 0, chinaZone(t))
	clock := now
	f := newRoleFixtureWith(t, Config{PatrolOptions: PatrolOptions{Now: func() time.Time { return clock }}})
	rec := f.sendBody(t, http.MethodPost, "/api/v1/tasks", data.RolePlanner, `{"station":"`+apitest.StationA+`","officer":"m1","title":"走访独居老人","due":"2026-05-20"}`)
	var task records.TaskProperties
	decodeJSON(t, rec, &task)
	target := "/api/v1/tasks/" + task.ID
	first := f.sendKeyed(t, http.MethodPatch, target, data.RoleOfficer, "done-7f3a", `{"done":true}`)
	if first.Code != http.StatusOK {
		t.Fatalf("keyed PATCH: status %d: %s", first.Code, first.Body.String())
	}
	var done records.TaskProperties
	decodeJSON(t, first, &done)
	if done.Status != "done" || done.DoneAt == nil || done.DoneBy != "u-officer" {
		t.Fatalf("done: %+v", done)
	}
	// An hour later the phone retries; the clock moved, the answer must not.
	clock = now.Add(time.Hour)
	again := f.sendKeyed(t, http.MethodPatch, target, data.RoleOfficer, "done-7f3a", `{"done":true}`)
	if again.Code != http.StatusOK || !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) || again.Header().Get("Content-Type") != first.Header().Get("Content-Type") {
		t.Errorf("retry: status %d %s\n%s\nwant 200 and the first answer\n%s", again.Code, again.Header().Get("Content-Type"), again.Body, first.Body)
	}
	// Without a key a second completion is refused, as before.
	expectProblem(t, f.sendBody(t, http.MethodPatch, target, data.RoleOfficer, `{"done":true}`), http.StatusConflict)
	// The same key with another body is the key's conflict.
	p := expectProblem(t, f.sendKeyed(t, http.MethodPatch, target, data.RoleOfficer, "done-7f3a", `{"done":true,"done_at":"2026-05-15T09:00:00+08:00"}`), http.StatusConflict)
	if !strings.Contains(p.Detail, "done-7f3a") {
		t.Errorf("key conflict: %q, want the key named", p.Detail)
	}
	// Keys are the user's: the planner's key of the same name is another
	// change, refused for what it is.
	p = expectProblem(t, f.sendKeyed(t, http.MethodPatch, target, data.RolePlanner, "done-7f3a", `{"done":true}`), http.StatusConflict)
	if !strings.Contains(p.Detail, "done once") {
		t.Errorf("the planner's change under the officer's key: %q, want the task's own conflict", p.Detail)
	}
	p = expectProblem(t, f.sendKeyed(t, http.MethodPatch, target, data.RoleOfficer, "my key", `{"done":true}`), http.StatusBadRequest)
	if !strings.Contains(p.Detail, "Idempotency-Key") && (len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != "Idempotency-Key") {
		t.Errorf("a key with a space: %+v, want Idempotency-Key named", p)
	}
	var list taskCollectionJSON
	decodeJSON(t, f.send(t, http.MethodGet, "/api/v1/tasks?status=done", data.RoleViewer), &list)
	if list.NumberReturned != 1 || list.Tasks[0].DoneAt == nil || *list.Tasks[0].DoneAt != *done.DoneAt || list.Tasks[0].DoneBy != "u-officer" {
		t.Errorf("done tasks: %+v, want the one done at %s by u-officer", list.Tasks, *done.DoneAt)
	}
}

// TestDisputeChangeKeyed: a dispute's change retried under its key after
// the dispute moved on is answered as the first time and moves nothing
// back.
func TestDisputeChangeKeyed(t *testing.T) {
	f := newRoleFixtureWith(t, Config{})
	rec := f.sendBody(t, http.MethodPost, "/api/v1/disputes", data.RoleOfficer, disputeJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"kind":"debt"`))
	var d disputeFeatureJSON
	decodeJSON(t, rec, &d)
	target := "/api/v1/disputes/" + d.ID
	body := `{"level":"group","method":"people_mediation"}`
	first := f.sendKeyed(t, http.MethodPatch, target, data.RoleOfficer, "settle-1", body)
	if first.Code != http.StatusOK {
		t.Fatalf("keyed PATCH: status %d: %s", first.Code, first.Body.String())
	}
	if rec := f.sendBody(t, http.MethodPatch, target, data.RolePlanner, `{"level":"township","method":"judicial_office"}`); rec.Code != http.StatusOK {
		t.Fatalf("moving on: status %d: %s", rec.Code, rec.Body.String())
	}
	again := f.sendKeyed(t, http.MethodPatch, target, data.RoleOfficer, "settle-1", body)
	if again.Code != http.StatusOK || !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) {
		t.Errorf("retry after the dispute moved on: status %d\n%s\nwant 200 and the first answer\n%s", again.Code, again.Body, first.Body)
	}
	expectProblem(t, f.sendKeyed(t, http.MethodPatch, target, data.RoleOfficer, "settle-1", `{"level":"village","method":"people_mediation"}`), http.StatusConflict)
	var list disputeCollectionJSON
	decodeJSON(t, f.send(t, http.MethodGet, "/api/v1/disputes", data.RoleViewer), &list)
	if list.NumberReturned != 1 || list.Features[0].Properties.Level != "township" {
		t.Errorf("after the replay: %+v, want the dispute at township level", list.Features)
	}
}
