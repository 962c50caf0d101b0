package api

import (
	"jingge/api/httpx"
	"net/http"
	"strings"
	"testing"

	"jingge/api/planning"
	"jingge/data"
	"jingge/geo/plan"
)

const assessmentCSV = "\ufeff派出所,月份,熟悉率分子,熟悉率分母,满意度分子,满意度分母\n" +
	"s01,2026-05,45,50,90,100\n" +
	"第2派出所,2026年5月,30,60,,\n" +
	"\n" +
	"s03,2026/5,0,0,10,10\n"

func TestAssessmentEnterAndScore(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	var saved planning.AssessmentSaved
	f.decode(t, http.MethodPost, "/api/v1/assessment/import", assessmentCSV, http.StatusOK, &saved)
	if saved.Saved != 3 || len(saved.Months) != 1 || saved.Months[0] != "2026-05" {
		t.Fatalf("import: %+v", saved)
	}
	body := `{"entries": [{"station": "s01", "month": "2026-04", "familiarity": {"numerator": 40, "denominator": 50},
		"risk_warning": {"numerator": 3, "denominator": 4}, "control_tasks": {"numerator": 9, "denominator": 10}}]}`
	f.decode(t, http.MethodPut, "/api/v1/assessment/entries", body, http.StatusOK, &saved)
	if saved.Saved != 1 || saved.Months[0] != "2026-04" {
		t.Fatalf("put: %+v", saved)
	}
	var entries planning.AssessmentEntries
	f.decode(t, http.MethodGet, "/api/v1/assessment/entries?from=2026-05", "", http.StatusOK, &entries)
	if len(entries.Entries) != 3 || entries.Entries[1].StationID != "s02" || entries.Entries[1].Familiarity.Denominator != 60 || entries.Entries[0].UpdatedBy == "" {
		t.Fatalf("entries of May: %+v", entries.Entries)
	}

	var month planning.AssessmentResult
	f.decode(t, http.MethodGet, "/api/v1/assessment/2026-05", "", http.StatusOK, &month)
	if len(month.Months) != 1 || len(month.Months[0].Stations) != 3 || month.StationNames["s01"] != "第1派出所" || month.Weights.Clearance != 20 {
		t.Fatalf("May: %+v", month)
	}
	byStation := map[string]plan.StationScore{}
	for i, s := range month.Months[0].Stations {
		byStation[s.StationID] = s
		if s.Rank < 1 || i > 0 && s.Score > month.Months[0].Stations[i-1].Score {
			t.Errorf("stations not ranked best first: %+v", month.Months[0].Stations)
		}
		if len(s.Metrics) != 6 {
			t.Errorf("station %s has %d metrics, want 6", s.StationID, len(s.Metrics))
		}
	}
	s1 := byStation["s01"]
	fam := s1.Metrics[2]
	if fam.Metric != plan.MetricFamiliarity || !fam.Available || fam.Value != 0.9 || fam.Numerator != 45 {
		t.Errorf("s01 familiarity %+v, want 45/50", fam)
	}
	if s1.Metrics[3].Available {
		t.Errorf("s01 risk warning was not entered for May but is available: %+v", s1.Metrics[3])
	}
	count := 0
	for _, i := range inc {
		if i.StationID == "s01" && plan.MonthOf(i.OccurredAt, shanghaiZone(t)) == (plan.Month{Year: 2026, Month: 5}) {
			count++
		}
	}
	if s1.Incidents.Count != count || !s1.Incidents.HasPreviousMonth || !s1.Metrics[0].Available {
		t.Errorf("s01 incidents in May %+v, want %d and a comparison with April", s1.Incidents, count)
	}

	var trend planning.AssessmentResult
	f.decode(t, http.MethodGet, "/api/v1/assessment/trend?from=2026-03&to=2026-05", "", http.StatusOK, &trend)
	if len(trend.Months) != 3 || len(trend.Trends) != 3 || len(trend.Trends[0].Points) != 3 {
		t.Fatalf("trend: %d months, %d trends", len(trend.Months), len(trend.Trends))
	}
	if trend.IncidentsFrom.String() != "2025-08" {
		t.Errorf("incidents taken as complete from %s; the record starts in July 2025, so want 2025-08", trend.IncidentsFrom)
	}
}

func TestAssessmentRejectsBadInput(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	cases := []struct {
		method, target, body string
		want                 []string
	}{
		{"GET", "/api/v1/assessment/2026-13", "", []string{"YYYY-MM"}},
		{"GET", "/api/v1/assessment/march", "", []string{"YYYY-MM"}},
		{"GET", "/api/v1/assessment/trend?from=2026-05", "", []string{"both from and to"}},
		{"GET", "/api/v1/assessment/trend?from=2026-05&to=2026-01", "", []string{"before"}},
		{"GET", "/api/v1/assessment/trend?from=2020-01&to=2026-01", "", []string{"at most 60"}},
		{"GET", "/api/v1/assessment/entries?from=26-01", "", []string{"YYYY-MM"}},
		{"PUT", "/api/v1/assessment/entries", `{"entries": [{"station": "s99", "month": "2026-05"}]}`, []string{`no station "s99"`}},
		{"PUT", "/api/v1/assessment/entries", `{"entries": [{"station": "s01", "month": "2026-05", "satisfaction": {"numerator": 5, "denominator": 4}}]}`, []string{"numerator is above"}},
		{"PUT", "/api/v1/assessment/entries", `{"entries": [{"station": "s01", "month": "2026-5"}]}`, []string{"YYYY-MM"}},
		{"PUT", "/api/v1/assessment/entries", `{"entries": [{"station": "s01", "month": "2026-05"}, {"station": "s01", "month": "2026-05"}]}`, []string{"entered twice"}},
		{"PUT", "/api/v1/assessment/entries", `{"entries": [{"station": "s01", "mnth": "2026-05"}]}`, []string{"mnth"}},
		{"POST", "/api/v1/assessment/import", "", []string{"empty"}},
		{"POST", "/api/v1/assessment/import", "station,month,colour\n", []string{`unknown column "colour"`}},
		{"POST", "/api/v1/assessment/import", "station,familiarity_numerator\n", []string{"column month is missing"}},
		{"POST", "/api/v1/assessment/import", "station,month,familiarity_numerator,familiarity_denominator\ns01,2026-05,x,4\ns01,2026-06,5,4\ns01,2026-06,1,4\n",
			[]string{"line 2", "is not a number", "line 3", "numerator is above", "line 4", "also on line 3"}},
		{"POST", "/api/v1/assessment/import", "station,month\n\"s01,2026-05\n", []string{"not valid CSV"}},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			p := expectProblem(t, f.do(t, c.method, c.target, c.body), http.StatusBadRequest)
			text := p.Detail
			for _, ip := range p.InvalidParams {
				text += " | " + ip.Name + ": " + ip.Reason
			}
			if !hasAll(text, c.want...) {
				t.Errorf("problem %q lacks one of %q", text, c.want)
			}
		})
	}
	if entries, _ := f.store.Assessment(t.Context(), "", ""); len(entries) != 0 {
		t.Errorf("bad requests saved %d entries", len(entries))
	}
}

// A bad entry's problem names each member at fault and its rule's code, so
// a page can put a translated message by the field; the detail says it
// once.
func TestAssessmentProblemNamesFieldsAndCodes(t *testing.T) {
	ds, inc := balancedTestData(t)
	f := newPlanFixture(t, ds, inc)
	body := `{"entries": [{"station": "s01", "month": "2026-05", "satisfaction": {"numerator": 5, "denominator": 4}},
		{"station": "s02", "month": "2026-05", "familiarity": {"numerator": -1, "denominator": 4}}]}`
	p := expectProblem(t, f.do(t, http.MethodPut, "/api/v1/assessment/entries", body), http.StatusBadRequest)
	want := []httpx.InvalidParam{
		{Name: "entries[0].satisfaction", Code: data.IssueNumeratorAboveDenominator},
		{Name: "entries[1].familiarity", Code: data.IssueNegativeCount},
	}
	if len(p.InvalidParams) != len(want) {
		t.Fatalf("invalid_params %+v, want %d", p.InvalidParams, len(want))
	}
	for i, w := range want {
		if got := p.InvalidParams[i]; got.Name != w.Name || got.Code != w.Code || got.Reason == "" {
			t.Errorf("invalid_params[%d] = %+v, want name %s, code %s", i, got, w.Name, w.Code)
		}
	}
	if n := strings.Count(p.Detail, "the numerator is above the denominator"); n != 1 {
		t.Errorf("detail says it %d times: %q", n, p.Detail)
	}
}
