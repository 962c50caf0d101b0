package api

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"jingge/api/planning"
	"jingge/data"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/plan"
)

// Every entered score names the station that scored it, never itself; the
// month is final once every station is scored by another, and the answer
// lists the stations still waiting.
func TestAssessmentCrossScoring(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	for _, c := range []struct{ body, name, code string }{
		{`{"entries": [{"station": "s01", "month": "2026-05", "scored_by": "s01"}]}`, "entries[0].scored_by", data.IssueScoredBySelf},
		{`{"entries": [{"station": "s01", "month": "2026-05", "scored_by": "第1派出所"}]}`, "entries[0].scored_by", data.IssueScoredBySelf},
		{`{"entries": [{"station": "s01", "month": "2026-05", "scored_by": "s99"}]}`, "entries[0].scored_by", data.IssueUnknownScorer},
	} {
		p := expectProblem(t, f.do(t, http.MethodPut, "/api/v1/assessment/entries", c.body), http.StatusBadRequest)
		if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.name || p.InvalidParams[0].Code != c.code || !strings.Contains(p.InvalidParams[0].Reason, "s") {
			t.Errorf("%s: invalid_params %+v, want %s with code %s", c.body, p.InvalidParams, c.name, c.code)
		}
	}
	p := expectProblem(t, f.do(t, http.MethodPost, "/api/v1/assessment/import", "派出所,月份,考核单位\ns01,2026-05,第1派出所\n"), http.StatusBadRequest)
	if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "line 2" || !strings.Contains(p.InvalidParams[0].Reason, "scores itself") {
		t.Errorf("CSV scoring itself by name: %+v", p.InvalidParams)
	}

	var saved planning.AssessmentSaved
	f.decode(t, http.MethodPost, "/api/v1/assessment/import", "派出所,月份,满意度分子,满意度分母,考核单位\ns01,2026-05,9,10,第2派出所\ns02,2026-05,8,10,s03\n", http.StatusOK, &saved)
	var month planning.AssessmentResult
	f.decode(t, http.MethodGet, "/api/v1/assessment/2026-05", "", http.StatusOK, &month)
	if ms := month.Months[0]; ms.Final || len(ms.Unscored) != 1 || ms.Unscored[0] != "s03" {
		t.Fatalf("May: final %v unscored %v; want s03 still to be scored", ms.Final, ms.Unscored)
	}
	for _, sc := range month.Months[0].Stations {
		if sat := sc.Metrics[5]; sc.StationID == "s01" && (sat.Source != plan.SourceEntered || sat.Entered == nil || sat.Entered.ScoredBy != "s02" || sat.Entered.By == "" || sat.Entered.At.IsZero()) {
			t.Errorf("s01's satisfaction %+v; want entered, scored by s02, with who and when", sat)
		}
	}
	f.decode(t, http.MethodPut, "/api/v1/assessment/entries", `{"entries": [{"station": "s03", "month": "2026-05", "scored_by": "s01"}]}`, http.StatusOK, &saved)
	f.decode(t, http.MethodGet, "/api/v1/assessment/2026-05", "", http.StatusOK, &month)
	if ms := month.Months[0]; !ms.Final || len(ms.Unscored) != 0 {
		t.Fatalf("May after s03 is scored: final %v unscored %v", ms.Final, ms.Unscored)
	}
}

// With visits recorded, familiarity and risk warning are measured: the
// API says so, what the counts count, and flags an entered figure that
// strays from the measured one by more than the review margin.
func TestAssessmentMeasuredFromVisits(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc, func(po *planning.Options, st *memory.PlanStore) { po.Visits = st })
	ix := f.live.Load()
	ctx := context.Background()
	var grid *geo.Grid
	for i := range ds.Grids {
		if g := &ds.Grids[i]; g.Level == geo.CommunityLevel && g.StationID == "s01" {
			grid = g
			break
		}
	}
	h := ix.Lookup(grid.Geometry.Bound().Center())
	visit := func(at time.Time, whom string) {
		t.Helper()
		v := geo.Visit{OfficerID: "m1", At: at, Location: grid.Geometry.Bound().Center(), Kind: geo.VisitCall, Whom: whom,
			StationID: h.Station.ID, PoliceGridID: h.Police.ID, CommunityGridID: h.Community.ID}
		if _, err := f.store.AddVisit(ctx, data.VisitWrite{Visit: v}); err != nil {
			t.Fatal(err)
		}
	}
	zone := shanghaiZone(t)
	visit(time.Date(2026, 4, 20, 9, 0, 0, 0, zone), "张家") // the visit record starts in April
	for _, whom := range []string{"张家", "李家", "李家", "王家"} {
		visit(time.Date(2026, 5, 10, 9, 0, 0, 0, zone), whom)
	}
	f.decode(t, http.MethodPut, "/api/v1/assessment/entries", `{"entries": [{"station": "s01", "month": "2026-05", "scored_by": "s02",
		"familiarity": {"numerator": 90, "denominator": 100}}]}`, http.StatusOK, nil)

	raw := f.do(t, http.MethodGet, "/api/v1/assessment/2026-05", "")
	var month planning.AssessmentResult
	if err := json.Unmarshal(raw.Body.Bytes(), &month); err != nil {
		t.Fatal(err)
	}
	residents := 0
	for _, g := range ds.Grids {
		if g.Level == geo.CommunityLevel && g.StationID == "s01" {
			residents += g.Population
		}
	}
	var s01 plan.StationScore
	for _, sc := range month.Months[0].Stations {
		if sc.StationID == "s01" {
			s01 = sc
		}
	}
	fam := s01.Metrics[2]
	target := math.Ceil(float64(residents) / 2.6 / 12)
	if fam.Source != plan.SourceMeasured || fam.Numerator != 3 || fam.Denominator != target || fam.Counts == nil || fam.Counts.Numerator != plan.CountHouseholdsVisited {
		t.Fatalf("s01 familiarity %+v; want measured, 3 households of %v", fam, target)
	}
	if fam.Entered == nil || fam.Entered.Value != 0.9 || !fam.Review || month.Months[0].Reviews == 0 {
		t.Errorf("s01 familiarity entered %+v review %v; want 90%% kept beside the measure and flagged", fam.Entered, fam.Review)
	}
	if rw := s01.Metrics[3]; rw.Source != plan.SourceMeasured || rw.Counts == nil || rw.Counts.Denominator != plan.CountIncidents {
		t.Errorf("s01 risk warning %+v; want measured against the month's incidents", rw)
	}
	for _, k := range []int{4, 5} {
		if m := s01.Metrics[k]; m.Source != plan.SourceEntered {
			t.Errorf("%s: source %q; no record measures it, want entered", m.Metric, m.Source)
		}
	}
	for _, key := range []string{`"source":"measured"`, `"source":"entered"`, `"counts":{"numerator":"households_visited","denominator":"household_visit_target"}`, `"review":true`, `"final":false`, `"unscored":[`} {
		if !strings.Contains(raw.Body.String(), key) {
			t.Errorf("the answer lacks %s", key)
		}
	}
	// April is before the visit record is complete: entered.
	f.decode(t, http.MethodGet, "/api/v1/assessment/2026-04", "", http.StatusOK, &month)
	for _, sc := range month.Months[0].Stations {
		if sc.Metrics[2].Source != plan.SourceEntered {
			t.Errorf("April %s familiarity measured before the visit record is complete: %+v", sc.StationID, sc.Metrics[2])
		}
	}
}
