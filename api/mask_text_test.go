package api

import (
	"context"
	"jingge/api/httpx"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jingge/api/apitest"
	"jingge/api/planning"
	"jingge/data"
)

// TestIncidentSummaryPhonesMasked stores an incident whose summary and
// source hold phone numbers and reads it as each role: viewers and
// planners, who see members' numbers masked, see these masked in the
// list and the single GET; admins see them in full.
func TestIncidentSummaryPhonesMasked(t *testing.T) {
	f := newRoleFixture(t)
	const summary = "报警人 138-1234-5678 称，座机(029)8888-1234，网格61012200100701，2026-05-01"
	const masked = "报警人 138-****-5678 称，座机(029)****-1234，网格61012200100701，2026-05-01"
	body := `{"incidents":[` + incidentJSONAt(apitest.InCommunity, `,"summary":"`+summary+`","source":"13900001111"`) + `]}`
	rec := f.sendBody(t, http.MethodPost, "/api/v1/incidents", data.RoleAdmin, body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /api/v1/incidents: %d %s", rec.Code, rec.Body.String())
	}
	var created CreatedIncidents
	decodeJSON(t, rec, &created)
	id := created.Incidents[0].ID
	for _, role := range data.Roles {
		if role == data.RoleOfficer || role == data.RoleMetrics {
			continue // officers and scrapers may not read incidents
		}
		wantSummary, wantSource := masked, "139****1111"
		if role.SeesFullPhones() {
			wantSummary, wantSource = summary, "13900001111"
		}
		var list IncidentCollection
		decodeJSON(t, f.send(t, http.MethodGet, "/api/v1/incidents", role), &list)
		if len(list.Features) != 1 {
			t.Fatalf("%s: %d incidents listed", role, len(list.Features))
		}
		var one httpx.Feature[*IncidentProperties]
		decodeJSON(t, f.send(t, http.MethodGet, "/api/v1/incidents/"+id, role), &one)
		for what, p := range map[string]*IncidentProperties{"list": list.Features[0].Properties, "get": one.Properties} {
			if p.Summary != wantSummary || p.Source != wantSource {
				t.Errorf("%s, %s: summary %q source %q, want %q and %q", role, what, p.Summary, p.Source, wantSummary, wantSource)
			}
		}
	}
}

// TestPlanNotePhonesMasked reads a plan whose note holds a phone number
// as a planner (masked) and as an admin (in full), through every route
// that shows the note.
func TestPlanNotePhonesMasked(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	rec := f.do(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 3, "note": "问张三 13812341234"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /api/v1/plan/plans: %d %s", rec.Code, rec.Body.String())
	}
	var doc planning.Document
	decodeJSON(t, rec, &doc)
	for _, role := range []data.Role{data.RolePlanner, data.RoleAdmin} {
		want := "问张三 138****1234"
		if role.SeesFullPhones() {
			want = "问张三 13812341234"
		}
		as := func(target string) *httptest.ResponseRecorder {
			t.Helper()
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req = req.WithContext(context.WithValue(req.Context(), principalKey{}, &principal{user: data.User{Name: "u", Role: role}}))
			rec := httptest.NewRecorder()
			f.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s as %s: %d %s", target, role, rec.Code, rec.Body.String())
			}
			return rec
		}
		var got planning.Document
		decodeJSON(t, as("/api/v1/plan/plans/"+doc.ID), &got)
		var list planning.List
		decodeJSON(t, as("/api/v1/plan/plans"), &list)
		var cmp planning.PlanComparison
		decodeJSON(t, as("/api/v1/plan/compare?a="+doc.ID+"&b="+doc.ID), &cmp)
		if got.Note != want || len(list.Plans) != 1 || list.Plans[0].Note != want || cmp.A.Note != want || cmp.B.Note != want {
			t.Errorf("%s: plan note %q, listed %+v, compared %q and %q; want %q", role, got.Note, list.Plans, cmp.A.Note, cmp.B.Note, want)
		}
		if strings.Contains(got.Note, "2341") != role.SeesFullPhones() {
			t.Errorf("%s: %q", role, got.Note)
		}
		if report := as("/api/v1/plan/plans/" + doc.ID + "/report").Body.String(); strings.Contains(report, "13812341234") != role.SeesFullPhones() {
			t.Errorf("%s: the report shows the note as %q", role, report)
		}
	}
}
