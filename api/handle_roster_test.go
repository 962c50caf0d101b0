package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/roster"
)

// TestRosterReportLantian: the report over the demo county lists exactly
// 横岭's police grids under the 司法所 rule (its post is vacant in the
// demo data; every other grid is staffed as the default rules ask).
func TestRosterReportLantian(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := newPlanFixture(t, ds, nil, withRoster(roster.DefaultConfig()))
	var rep struct {
		Rules  []roster.Rule
		Breaks []roster.Break
	}
	f.decode(t, http.MethodGet, "/api/v1/roster/report", "", http.StatusOK, &rep)
	var want []string
	for _, g := range ds.Grids {
		if g.StationID == "hengling" && g.Level == geo.PoliceLevel {
			want = append(want, g.ID+" multi-force-justice")
		}
	}
	var got []string
	for _, b := range rep.Breaks {
		got = append(got, b.GridID+" "+b.RuleID)
		if b.Have != 0 || b.Min != 1 || b.Role != geo.JusticeStaff || b.GridName == "" {
			t.Errorf("break %+v", b)
		}
	}
	if len(rep.Rules) != 5 || len(want) == 0 || strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("%d rules, breaks %v; want 5 rules and %v", len(rep.Rules), got, want)
	}
}

// TestApplyRefusedByRoster: a plan that leaves police grids without
// their community officer is refused with a problem naming the grids and
// the rule; with override_roster it is applied, the answer lists what
// was overridden, and the audit log records it.
func TestApplyRefusedByRoster(t *testing.T) {
	ds, inc := balancedTestData(t)
	rules := roster.Config{Rules: []roster.Rule{{ID: "police-grid-officer", Level: geo.PoliceLevel, Role: geo.CommunityOfficer, Min: 1}}}
	pf := newPlanFixture(t, ds, inc, withRoster(rules))
	auth := memory.NewAuth(0)
	ctx := context.Background()
	if err := auth.CreateUser(ctx, data.User{Name: "chief", Role: data.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	secret, hash, id := data.NewSecret(data.KindToken)
	if err := auth.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "chief", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	h := newTestServerLive(t, pf.live, Config{Planner: pf.srv.planner, Access: &Access{Store: auth}}).Handler()
	send := func(method, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := send(http.MethodPost, "/api/v1/plan/plans", `{"seed": 1}`)
	var doc struct{ ID string }
	decodeJSON(t, rec, &doc)

	p := expectProblem(t, send(http.MethodPost, "/api/v1/plan/plans/"+doc.ID+"/apply", ""), http.StatusConflict)
	if !strings.HasSuffix(p.Type, "roster-rules") || !strings.Contains(p.Detail, "police-grid-officer") || !strings.Contains(p.Detail, "override_roster") {
		t.Fatalf("refusal %+v: want type roster-rules naming the rule and the override", p)
	}
	var named []string
	for _, g := range ds.Grids {
		if g.Level == geo.PoliceLevel && strings.Contains(p.Detail, "police "+g.ID+" ") {
			named = append(named, g.ID)
		}
	}
	if len(named) == 0 {
		t.Fatalf("refusal names no police grid: %s", p.Detail)
	}
	// One invalid param per break, named by the grid, for a page to list.
	if len(p.InvalidParams) < len(named) {
		t.Fatalf("refusal has %d invalid_params for %d grids named: %+v", len(p.InvalidParams), len(named), p.InvalidParams)
	}
	for _, ip := range p.InvalidParams {
		if ip.Code != "roster_rule" || ip.Name == "" || ip.Reason == "" {
			t.Fatalf("invalid param %+v: want a grid's name, the break and code roster_rule", ip)
		}
	}
	var plan struct{ Status string }
	decodeJSON(t, send(http.MethodGet, "/api/v1/plan/plans/"+doc.ID, ""), &plan)
	if plan.Status == "applied" {
		t.Fatal("a refused plan was applied")
	}

	rec = send(http.MethodPost, "/api/v1/plan/plans/"+doc.ID+"/apply", `{"override_roster": true}`)
	var res struct {
		Plan             struct{ Status string }
		RosterOverridden []roster.Break `json:"roster_overridden"`
	}
	decodeJSON(t, rec, &res)
	if res.Plan.Status != "applied" || len(res.RosterOverridden) != len(named) {
		t.Fatalf("override: status %q, %d breaks overridden, want applied and %d (%v)", res.Plan.Status, len(res.RosterOverridden), len(named), named)
	}
	entries, err := auth.QueryAudit(ctx, data.AuditQuery{Action: "applyPlanRosterOverride"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Actor != "chief" || !strings.Contains(entries[0].Detail, named[0]+" police-grid-officer") {
		t.Errorf("audit entries %+v, want one by chief naming %s and the rule", entries, named[0])
	}
}
