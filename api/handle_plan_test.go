package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"jingge/api/httpx"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/planning"
	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/patrol"
)

func TestPlanCurrent(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	var cur planning.PlanCurrent
	f.decode(t, http.MethodGet, "/api/v1/plan/current", "", http.StatusOK, &cur)
	if cur.Dataset != data.Fingerprint(ds) {
		t.Errorf("dataset %s, want the fingerprint of the dataset served, %s", cur.Dataset, data.Fingerprint(ds))
	}
	if !cur.ReferenceTime.Equal(planNow.Truncate(3600e9)) || cur.Incidents != len(inc) {
		t.Errorf("reference time %v, incidents %d; want %v and %d", cur.ReferenceTime, cur.Incidents, planNow, len(inc))
	}
	if len(cur.Grids) != 24 || len(cur.Measures.Stations) != 3 || len(cur.StationNames) != 3 {
		t.Errorf("%d grids, %d stations, %d names; want 24, 3, 3", len(cur.Grids), len(cur.Measures.Stations), len(cur.StationNames))
	}
	officers := 0
	for _, s := range cur.Measures.Stations {
		officers += s.Officers
	}
	if len(cur.Officers) != officers || officers != 24+8*3+8 {
		t.Errorf("%d officers listed, %d counted; want %d", len(cur.Officers), officers, 24+8*3+8)
	}
	for _, o := range cur.Officers {
		for _, s := range cur.Measures.Stations {
			if s.StationID == o.StationID && o.Load != s.LoadPerOfficer {
				t.Errorf("officer %s carries %v, their station %v per officer", o.ID, o.Load, s.LoadPerOfficer)
			}
		}
	}
	if cur.Measures.Balance.CV < 0.3 {
		t.Errorf("the test county's CV is %.3f; it should be unbalanced (≥ 0.3) for a plan to improve", cur.Measures.Balance.CV)
	}
	var cfg map[string]any
	f.decode(t, http.MethodGet, "/api/v1/plan/config", "", http.StatusOK, &cfg)
	for _, k := range []string{"workload", "travel", "search", "assessment"} {
		if cfg[k] == nil {
			t.Errorf("GET /api/v1/plan/config has no %s", k)
		}
	}
}

func TestProposeSaveListCompare(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	rec := f.do(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 3, "note": "西移东调", "weights": {"response": 1.5}}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST /api/v1/plan/plans: %d %s", rec.Code, rec.Body.String())
	}
	var doc planning.Document
	decodeJSON(t, rec, &doc)
	if rec.Header().Get("Location") != "/api/v1/plan/plans/"+doc.ID || doc.ID != "1" {
		t.Errorf("Location %q, id %q; want /api/v1/plan/plans/1", rec.Header().Get("Location"), doc.ID)
	}
	if doc.Status != "proposed" || doc.Stale || doc.Note != "西移东调" || doc.Options.Seed != 3 || doc.Objective.Response != 1.5 || doc.Objective.Balance != 1 {
		t.Errorf("plan: status %s stale %v note %q seed %d objective %+v", doc.Status, doc.Stale, doc.Note, doc.Options.Seed, doc.Objective)
	}
	if doc.After.Balance.CV >= doc.Before.Balance.CV || !doc.After.Contiguous || len(doc.OfficerMoves) == 0 {
		t.Errorf("proposal: CV %.3f -> %.3f, contiguous %v, %d officer moves; want a better, contiguous plan that moves officers",
			doc.Before.Balance.CV, doc.After.Balance.CV, doc.After.Contiguous, len(doc.OfficerMoves))
	}
	wantChanged := 0
	for _, mv := range doc.GridMoves {
		wantChanged += 1 + len(mv.CommunityGrids)
	}
	if len(doc.ChangedGrids) != wantChanged {
		t.Errorf("%d changed grids, want %d (police grids moved and their villages)", len(doc.ChangedGrids), wantChanged)
	}

	var again planning.Document
	f.decode(t, http.MethodGet, "/api/v1/plan/plans/1", "", http.StatusOK, &again)
	a, _ := json.Marshal(again)
	b, _ := json.Marshal(doc)
	if !bytes.Equal(a, b) {
		t.Errorf("GET /api/v1/plan/plans/1 differs from the POST answer:\n%s\n%s", a, b)
	}
	// The same options on the same data give the same plan.
	var twin planning.Document
	f.decode(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 3, "note": "西移东调", "weights": {"response": 1.5}}`, http.StatusOK, &twin)
	if twin.ID != "2" || !slices.Equal(twin.ChangedGrids, doc.ChangedGrids) || twin.After.Balance.CV != doc.After.Balance.CV {
		t.Errorf("the same request gave plan %s with %v, CV %v; want plan 2 equal to plan 1", twin.ID, twin.ChangedGrids, twin.After.Balance.CV)
	}

	var list planning.List
	f.decode(t, http.MethodGet, "/api/v1/plan/plans?limit=1", "", http.StatusOK, &list)
	if len(list.Plans) != 1 || list.Plans[0].ID != "2" || list.Plans[0].CVAfter != doc.After.Balance.CV || list.Plans[0].GridsMoved != doc.After.Change.GridsMoved {
		t.Errorf("plan list %+v; want plan 2 with its figures", list.Plans)
	}

	var cmp planning.PlanComparison
	f.decode(t, http.MethodGet, "/api/v1/plan/compare?b=1", "", http.StatusOK, &cmp)
	if cmp.A.ID != "current" || cmp.B.ID != "1" || !cmp.A.MeasuredNow || !cmp.B.MeasuredNow {
		t.Errorf("compare sides %s/%v and %s/%v; want current and 1, both measured now", cmp.A.ID, cmp.A.MeasuredNow, cmp.B.ID, cmp.B.MeasuredNow)
	}
	sameFigures(t, "compare b and the plan's after", cmp.B.Measures, doc.After)
	if len(cmp.Grids) != len(doc.GridMoves) || len(cmp.Stations) != 3 || cmp.Figures[0].Figure != "cv" || cmp.Figures[0].Delta >= 0 {
		t.Errorf("compare: %d grids differ (want %d), %d stations, first figure %+v", len(cmp.Grids), len(doc.GridMoves), len(cmp.Stations), cmp.Figures[0])
	}
	var same planning.PlanComparison
	f.decode(t, http.MethodGet, "/api/v1/plan/compare?a=1&b=2", "", http.StatusOK, &same)
	if len(same.Grids) != 0 {
		t.Errorf("plans 1 and 2 differ in %d grids, want none", len(same.Grids))
	}
}

func TestProposeRejectsBadInput(t *testing.T) {
	f := newPlanFixture(t, apitest.Small(), nil)
	cases := []struct{ name, body, want string }{
		{"not JSON", `{"seed":`, "not the JSON"},
		{"unknown member", `{"sede": 1}`, "sede"},
		{"two values", `{} {}`, "more than one"},
		{"unknown locked grid", `{"locked_grids": ["nowhere"], "min_officers_per_station": -1}`, `locked grid "nowhere" does not exist`},
		{"unknown locked station", `{"locked_stations": ["nowhere"]}`, `locked station "nowhere" does not exist`},
		{"too long a search", `{"iterations": 100000000}`, "iterations"},
		{"cap below -1", `{"max_grid_moves": -2}`, "max_grid_moves"},
		{"negative weight", `{"weights": {"balance": -1}}`, "weights.balance"},
		{"a seed that is not a number", `{"seed": "x"}`, "not the JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := expectProblem(t, f.do(t, http.MethodPost, "/api/v1/plan/plans", c.body), http.StatusBadRequest)
			if !strings.Contains(p.Detail, c.want) {
				t.Errorf("detail %q does not mention %q", p.Detail, c.want)
			}
		})
	}
	if list, _ := f.store.Plans(context.Background(), 0); len(list) != 0 {
		t.Errorf("%d plans saved by bad requests", len(list))
	}
}

func TestPlanNotFound(t *testing.T) {
	f := newPlanFixture(t, apitest.Small(), nil)
	for _, target := range []string{"/api/v1/plan/plans/7", "/api/v1/plan/plans/x", "/api/v1/plan/plans/7/moves.csv",
		"/api/v1/plan/plans/7/stations.csv", "/api/v1/plan/plans/7/report", "/api/v1/plan/compare?b=7"} {
		expectProblem(t, f.do(t, http.MethodGet, target, ""), http.StatusNotFound)
	}
	expectProblem(t, f.do(t, http.MethodPost, "/api/v1/plan/plans/7/apply", ""), http.StatusNotFound)
	expectProblem(t, f.do(t, http.MethodPost, "/api/v1/plan/plans/current/apply", ""), http.StatusBadRequest)
	expectProblem(t, f.do(t, http.MethodGet, "/api/v1/plan/compare?a=current", ""), http.StatusBadRequest)
	expectProblem(t, f.do(t, http.MethodGet, "/api/v1/plan/plans?limit=0", ""), http.StatusBadRequest)
}

// TestApplyThenMeasure applies a plan through the API and measures again:
// the figures of the new deployment are the plan's proposed figures, the
// grids have new versions and the officers moved are the ones the rule
// picks.
func TestApplyThenMeasure(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	var doc planning.Document
	f.decode(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 1}`, http.StatusOK, &doc)
	if len(doc.GridMoves) == 0 || len(doc.OfficerMoves) == 0 {
		t.Fatalf("the proposal moves %d grids and %d officer groups; the test needs both", len(doc.GridMoves), len(doc.OfficerMoves))
	}
	var res planning.ApplyResult
	f.decode(t, http.MethodPost, "/api/v1/plan/plans/"+doc.ID+"/apply", "", http.StatusOK, &res)
	if res.Plan.Status != "applied" || res.Plan.AppliedAt == nil || len(res.Grids) != len(doc.ChangedGrids) {
		t.Fatalf("apply result: status %s, %d grids (want %d)", res.Plan.Status, len(res.Grids), len(doc.ChangedGrids))
	}
	for _, g := range res.Grids {
		if g.Version != 2 || g.To != doc.Deployment.Grids[g.GridID] && g.Level == geo.PoliceLevel {
			t.Errorf("applied grid %+v, want version 2 under its planned station", g)
		}
	}
	cur := f.waitDataset(t, res.Dataset)
	sameFigures(t, "measures after applying and the plan's proposed measures", cur.Measures, doc.After)
	if cur.Measures.Change.GridsMoved != 0 || cur.Measures.Change.OfficersMoved != 0 {
		t.Errorf("after applying, today differs from itself: %+v", cur.Measures.Change)
	}
	for id, st := range doc.Deployment.Grids {
		if cur.Deployment.Grids[id] != st {
			t.Errorf("grid %s is under %s, the plan says %s", id, cur.Deployment.Grids[id], st)
		}
	}
	// As many officers left each station as the plan says.
	moved := map[string]int{}
	for _, m := range res.Members {
		if m.Kind == planning.MemberReassigned {
			moved[m.From]++
		}
	}
	for _, mv := range doc.OfficerMoves {
		moved[mv.From] -= mv.Count
	}
	for st, n := range moved {
		if n != 0 {
			t.Errorf("station %s: %d more officers moved than the plan says", st, n)
		}
	}
	h, err := f.store.GridHistory(context.Background(), doc.GridMoves[0].GridID)
	if err != nil || len(h) != 2 || h[1].Grid.StationID != doc.GridMoves[0].To {
		t.Errorf("history of moved grid %s: %+v, %v", doc.GridMoves[0].GridID, h, err)
	}

	var after planning.Document
	f.decode(t, http.MethodGet, "/api/v1/plan/plans/"+doc.ID, "", http.StatusOK, &after)
	if after.Status != "applied" || !after.Stale || after.AppliedAt == nil {
		t.Errorf("applied plan shows status %s, stale %v, applied at %v", after.Status, after.Stale, after.AppliedAt)
	}
	p := expectProblem(t, f.do(t, http.MethodPost, "/api/v1/plan/plans/"+doc.ID+"/apply", ""), http.StatusConflict)
	if p.Type != httpx.ProblemType("plan-applied") {
		t.Errorf("applying twice: problem type %s", p.Type)
	}
}

func TestApplyStalePlan(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	var doc planning.Document
	f.decode(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 1}`, http.StatusOK, &doc)
	var other planning.Document
	f.decode(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 2, "max_grid_moves": -1}`, http.StatusOK, &other)
	var res planning.ApplyResult
	f.decode(t, http.MethodPost, "/api/v1/plan/plans/"+other.ID+"/apply", "", http.StatusOK, &res)
	f.waitDataset(t, res.Dataset)
	before, _ := f.store.Snapshot(context.Background())
	p := expectProblem(t, f.do(t, http.MethodPost, "/api/v1/plan/plans/"+doc.ID+"/apply", ""), http.StatusConflict)
	if p.Type != httpx.ProblemType("plan-stale") || !strings.Contains(p.Detail, "new proposal") {
		t.Errorf("stale plan: %+v", p)
	}
	after, _ := f.store.Snapshot(context.Background())
	storetest.SameDataset(t, before, after)
	var got planning.Document
	f.decode(t, http.MethodGet, "/api/v1/plan/plans/"+doc.ID, "", http.StatusOK, &got)
	if !got.Stale || got.Status != "proposed" {
		t.Errorf("the refused plan: status %s, stale %v; want proposed and stale", got.Status, got.Stale)
	}
	var cmp planning.PlanComparison
	f.decode(t, http.MethodGet, "/api/v1/plan/compare?b="+doc.ID, "", http.StatusOK, &cmp)
	if cmp.B.MeasuredNow || !cmp.A.MeasuredNow {
		t.Errorf("a stale plan compared: measured now %v; want its stored figures", cmp.B.MeasuredNow)
	}
}

// TestApplyIsAtomic makes the store's application fail after the grid
// changes (a member who does not exist, a grid list naming a grid that does
// not exist): nothing changes, the plan stays unapplied and applies later.
func TestApplyIsAtomic(t *testing.T) {
	ds, inc := balancedTestData(t)
	var faulty *faultyPlans
	f := newPlanFixture(t, ds, inc, func(po *planning.Options, st *memory.PlanStore) {
		faulty = &faultyPlans{PlanStore: st}
		po.Plans = faulty
	})
	var doc planning.Document
	f.decode(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 1}`, http.StatusOK, &doc)
	ch, err := f.store.Watch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		corrupt func(*data.PlanApplication)
		status  int
	}{
		{"an unknown member last", func(a *data.PlanApplication) {
			a.Members = append(a.Members, data.MemberReassignment{MemberID: "ghost", StationID: "s01"})
		}, http.StatusConflict},
		{"a member in an unknown grid", func(a *data.PlanApplication) {
			a.Members[len(a.Members)-1].GridIDs = append(a.Members[len(a.Members)-1].GridIDs, "P99-99")
		}, http.StatusBadRequest},
	} {
		faulty.corrupt = c.corrupt
		expectProblem(t, f.do(t, http.MethodPost, "/api/v1/plan/plans/"+doc.ID+"/apply", ""), c.status)
		got, _ := f.store.Snapshot(context.Background())
		storetest.SameDataset(t, ds, got)
		if pl, _ := f.store.Plan(context.Background(), doc.ID); pl.Applied() {
			t.Fatalf("%s: the plan is marked applied", c.name)
		}
		if h, _ := f.store.GridHistory(context.Background(), doc.GridMoves[0].GridID); len(h) != 1 {
			t.Fatalf("%s: the moved grid has %d versions", c.name, len(h))
		}
	}
	select {
	case <-ch:
		t.Error("a failed application woke the watchers")
	default:
	}
	faulty.err = fmt.Errorf("memory: apply plan: %w: the database is gone", data.ErrUnavailable)
	rec := f.do(t, http.MethodPost, "/api/v1/plan/plans/"+doc.ID+"/apply", "")
	expectProblem(t, rec, http.StatusServiceUnavailable)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("a 503 without Retry-After")
	}
	faulty.corrupt, faulty.err = nil, nil
	f.decode(t, http.MethodPost, "/api/v1/plan/plans/"+doc.ID+"/apply", "", http.StatusOK, nil)
}

func TestPlanWithoutStore(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/plan/plans", "{}")
	expectProblem(t, rec, http.StatusServiceUnavailable)
	expectProblem(t, serve(t, s.Handler(), http.MethodPut, "/api/v1/assessment/entries", `{"entries": []}`), http.StatusServiceUnavailable)
	var list planning.List
	rec = serve(t, s.Handler(), http.MethodGet, "/api/v1/plan/plans", "")
	decodeJSON(t, rec, &list)
	if rec.Code != http.StatusOK || len(list.Plans) != 0 {
		t.Errorf("listing plans without a store: %d %s", rec.Code, rec.Body.String())
	}
	notReady := New(Config{})
	for _, target := range []string{"/api/v1/plan/current", "/api/v1/plan/coverage", "/api/v1/plan/plans/current", "/api/v1/assessment/2026-03"} {
		rec := serve(t, notReady.Handler(), http.MethodGet, target, "")
		expectProblem(t, rec, http.StatusServiceUnavailable)
		if rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: a 503 without Retry-After", target)
		}
	}
}

func TestPlanExportCSV(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	var doc planning.Document
	f.decode(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 1}`, http.StatusOK, &doc)
	read := func(target string) [][]string {
		t.Helper()
		rec := f.do(t, http.MethodGet, target, "")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != contentTypeCSV || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment;") {
			t.Fatalf("%s: %d %q %q", target, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
		}
		body, ok := strings.CutPrefix(rec.Body.String(), "\uFEFF")
		if !ok {
			t.Fatalf("%s does not start with a UTF-8 byte-order mark, so Excel would garble its Chinese", target)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		return rows
	}
	moves := read("/api/v1/plan/plans/1/moves.csv")
	if len(moves) != 1+len(doc.GridMoves)+len(doc.OfficerMoves) || moves[0][0] != "kind" {
		t.Fatalf("moves.csv has %d rows, want a header and %d moves", len(moves), len(doc.GridMoves)+len(doc.OfficerMoves))
	}
	g := doc.GridMoves[0]
	if r := moves[1]; r[0] != "grid" || r[1] != g.GridID || r[4] != g.From || r[6] != g.To || r[3] != strings.Join(g.CommunityGrids, " ") || r[5] != "第"+g.From[2:]+"派出所" {
		t.Errorf("first grid row %q, want %+v", r, g)
	}
	last := moves[len(moves)-1]
	o := doc.OfficerMoves[len(doc.OfficerMoves)-1]
	if last[0] != "officers" || last[4] != o.From || last[6] != o.To || last[8] != fmt.Sprint(o.Count) {
		t.Errorf("last officer row %q, want %+v", last, o)
	}
	stations := read("/api/v1/plan/plans/1/stations.csv")
	if len(stations) != 4 || stations[0][0] != "station" || stations[1][0] != "s01" || stations[1][7] != fmt.Sprint(doc.After.Stations[0].Officers) {
		t.Errorf("stations.csv = %q", stations)
	}
	current := read("/api/v1/plan/plans/current/moves.csv")
	if len(current) != 1 {
		t.Errorf("the current deployment has %d move rows, want only the header", len(current)-1)
	}
}

// TestPlanReport checks the printable report's structure: well-formed
// markup, the plan's figures and moves in tables, both languages, and no
// reference to anything outside the page.
func TestPlanReport(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	var doc planning.Document
	f.decode(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 1, "note": "<script>alert(1)</script>"}`, http.StatusOK, &doc)
	for _, c := range []struct {
		query, lang, heading string
		words                []string
	}{
		{"", "zh-CN", "警力与警格调整方案 #1", []string{"人均工作量变异系数", "警力调整", "警格调整", "第1派出所"}},
		{"?lang=zh", "zh-CN", "警力与警格调整方案 #1", []string{"调整前", "调整后"}},
		{"?lang=en", "en", "Officer and police-grid plan #1", []string{"CV of load per officer", "Officer moves", "Police-grid moves", "Before", "After"}},
	} {
		rec := f.do(t, http.MethodGet, "/api/v1/plan/plans/1/report"+c.query, "")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != contentTypeHTML {
			t.Fatalf("report%s: %d %q", c.query, rec.Code, rec.Header().Get("Content-Type"))
		}
		page := rec.Body.String()
		r := walkHTML(t, page)
		if r.lang != c.lang || r.h1 != c.heading {
			t.Errorf("report%s: lang %q, heading %q; want %q, %q", c.query, r.lang, r.h1, c.lang, c.heading)
		}
		if r.tables["grid-moves"] != len(doc.GridMoves)+1 || r.tables["officer-moves"] != len(doc.OfficerMoves)+1 || r.tables["stations"] != 4 {
			t.Errorf("report%s: table rows %v; want grid moves %d, officer moves %d, stations 3, each with a header", c.query, r.tables, len(doc.GridMoves), len(doc.OfficerMoves))
		}
		if !hasAll(page, c.words...) {
			t.Errorf("report%s lacks one of %q", c.query, c.words)
		}
		if len(r.external) > 0 || strings.Contains(page, "<script>") || strings.Contains(page, "url(") {
			t.Errorf("report%s refers outside itself or runs scripts: %v", c.query, r.external)
		}
	}
	cur := walkHTML(t, f.do(t, http.MethodGet, "/api/v1/plan/plans/current/report?lang=en", "").Body.String())
	if cur.h1 != "Deployment in force" || cur.tables["grid-moves"] != 0 {
		t.Errorf("the current deployment's report: heading %q, tables %v", cur.h1, cur.tables)
	}
	p := expectProblem(t, f.do(t, http.MethodGet, "/api/v1/plan/plans/1/report?lang=fr", ""), http.StatusBadRequest)
	if p.InvalidParams[0].Name != "lang" {
		t.Errorf("lang=fr: %+v", p)
	}
}

// htmlFacts is what walkHTML finds in a page.
type htmlFacts struct {
	lang, h1 string
	tables   map[string]int // class -> rows
	external []string       // src and href attributes
}

// walkHTML parses page as (well-formed) markup and collects its facts.
func walkHTML(tb testing.TB, page string) htmlFacts {
	tb.Helper()
	dec := xml.NewDecoder(strings.NewReader(page))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	out := htmlFacts{tables: map[string]int{}}
	var stack []string
	table := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("the page is not well-formed: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			stack = append(stack, el.Name.Local)
			for _, a := range el.Attr {
				switch a.Name.Local {
				case "lang":
					if el.Name.Local == "html" {
						out.lang = a.Value
					}
				case "src", "href":
					out.external = append(out.external, a.Value)
				case "class":
					if el.Name.Local == "table" {
						table = a.Value
					}
				}
			}
			if el.Name.Local == "tr" && table != "" {
				out.tables[table]++
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if el.Name.Local == "table" {
				table = ""
			}
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] == "h1" {
				out.h1 += string(el)
			}
		case xml.Directive:
			if !strings.HasPrefix(string(el), "DOCTYPE html") {
				tb.Errorf("unexpected directive %q", el)
			}
		}
	}
	return out
}

func TestPlanCoverage(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	var c planning.PlanCoverage
	f.decode(t, http.MethodGet, "/api/v1/plan/coverage", "", http.StatusOK, &c)
	if len(c.Origins) != 3 || c.Origins[0].Kind != "station" || len(c.Grids) != 96 || c.Incidents != len(inc) || len(c.Rings) != 4 {
		t.Fatalf("coverage: %d origins, %d grids, %d incidents, %d rings", len(c.Origins), len(c.Grids), c.Incidents, len(c.Rings))
	}
	last := c.Rings[len(c.Rings)-1]
	if last.IncidentShare <= 0 || last.IncidentShare > 1 || last.PopulationShare <= 0 || last.Minutes != 30 {
		t.Errorf("last ring %+v", last)
	}
	p := expectProblem(t, f.do(t, http.MethodGet, "/api/v1/plan/coverage?origins=patrols", ""), http.StatusBadRequest)
	if !strings.Contains(p.Detail, "no patrol positions") {
		t.Errorf("patrols without a ping source: %q", p.Detail)
	}
	expectProblem(t, f.do(t, http.MethodGet, "/api/v1/plan/coverage?origins=boats", ""), http.StatusBadRequest)

	pinged := newPlanFixture(t, ds, inc, func(po *planning.Options, _ *memory.PlanStore) {
		po.Pings = planning.PingSourceFunc(func(ctx context.Context, from, to time.Time) ([]geo.Ping, error) {
			return []geo.Ping{
				{OfficerID: "m-P5-3", At: planNow.Add(-time.Minute), Location: ds.Stations[2].Location},
				{OfficerID: "m-P0-0", At: planNow.Add(-time.Hour), Location: ds.Stations[0].Location}, // too old
			}, nil
		})
	})
	var all planning.PlanCoverage
	pinged.decode(t, http.MethodGet, "/api/v1/plan/coverage?origins=all", "", http.StatusOK, &all)
	if len(all.Origins) != 4 || all.Origins[3].ID != "m-P5-3" || all.Origins[3].Kind != "patrol" || all.PatrolMaxAgeSeconds != 900 {
		t.Errorf("origins=all: %+v, max age %d", all.Origins, all.PatrolMaxAgeSeconds)
	}

	// The latest positions of a patrol store.
	patrols := memory.NewPatrols(memory.PatrolOptions{Now: func() time.Time { return planNow }})
	rules := patrol.NewRules(mustIndex(t, ds), patrol.Options{})
	_, err := patrols.RecordPings(context.Background(), data.PingBatch{Rules: rules, Pings: []geo.Ping{
		{OfficerID: "m-P5-3", At: planNow.Add(-10 * time.Minute), Location: ds.Stations[0].Location},
		{OfficerID: "m-P5-3", At: planNow.Add(-2 * time.Minute), Location: ds.Stations[2].Location},
		{OfficerID: "m-P0-0", At: planNow.Add(-30 * time.Minute), Location: ds.Stations[1].Location},
	}})
	if err != nil {
		t.Fatal(err)
	}
	stored := newPlanFixture(t, ds, inc, func(po *planning.Options, _ *memory.PlanStore) { po.Pings = planning.PatrolPings(patrols) })
	var only planning.PlanCoverage
	stored.decode(t, http.MethodGet, "/api/v1/plan/coverage?origins=patrols", "", http.StatusOK, &only)
	if len(only.Origins) != 1 || only.Origins[0].ID != "m-P5-3" || only.Grids[len(only.Grids)-1].Origin != "m-P5-3" {
		t.Errorf("origins=patrols from a patrol store: %+v", only.Origins)
	}
}
