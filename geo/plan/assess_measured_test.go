package plan

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"jingge/geo"
)

// metricOf returns station's metric in the assessment's month mo.
func metricOf(t *testing.T, a Assessment, mo Month, station, metric string) MetricScore {
	t.Helper()
	for _, ms := range a.Months {
		if ms.Month != mo {
			continue
		}
		for _, sc := range ms.Stations {
			if sc.StationID != station {
				continue
			}
			for _, m := range sc.Metrics {
				if m.Metric == metric {
					return m
				}
			}
		}
	}
	t.Fatalf("no %s of %s in %s", metric, station, mo)
	return MetricScore{}
}

func TestFamiliarityMeasuredFromVisits(t *testing.T) {
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, cst) }
	visits := []geo.Visit{
		{StationID: "a", At: at(2, 9), Kind: geo.VisitCall, Whom: "王家 3号", CommunityGridID: "c1", PoliceGridID: "p1"},
		{StationID: "a", At: at(3, 9), Kind: geo.FollowUp, Whom: "王家  3号", CommunityGridID: "c1", PoliceGridID: "p1"},   // the same household again
		{StationID: "a", At: at(4, 9), Kind: geo.HomeService, Whom: "王家 3号", CommunityGridID: "c2", PoliceGridID: "p1"}, // another grid's 王家
		{StationID: "a", At: at(5, 9), Kind: geo.VisitCall, KeyPlaceID: "school-1", Whom: "小学", PoliceGridID: "p1"},
		{StationID: "a", At: at(6, 9), Kind: geo.VisitCall, KeyPlaceID: "school-1", PoliceGridID: "p1"}, // the same place
		{StationID: "a", At: at(7, 9), Kind: geo.Publicity, Whom: "广场", PoliceGridID: "p1"},             // not a household
		{StationID: "a", At: at(8, 9), Kind: geo.VisitCall, PoliceGridID: "p1"},                         // names no one
		{StationID: "a", At: time.Date(2026, 2, 28, 23, 0, 0, 0, cst), Kind: geo.VisitCall, Whom: "李家", PoliceGridID: "p1"},
	}
	cfg := DefaultAssessmentConfig()
	cfg.ResidentsPerHousehold, cfg.VisitCycleMonths = 3, 12
	rec := VisitRecord{Visits: visits, From: month(t, "2026-03"), Residents: map[string]int{"a": 3600, "b": 0}, Zone: cst}
	m := FamiliarityMeasure(cfg, rec)
	r, ok := m.Measure("a", month(t, "2026-03"))
	// 王家 in c1, 王家 in c2, school-1: 3 households of a target of
	// 3600 ÷ 3 ÷ 12 = 100.
	if !ok || r != (Ratio{3, 100}) {
		t.Fatalf("familiarity of a in March = %v %v, want 3 of 100", r, ok)
	}
	if _, ok := m.Measure("a", month(t, "2026-02")); ok {
		t.Error("February is before the visit record and must not be measured")
	}
	if _, ok := m.Measure("b", month(t, "2026-03")); ok {
		t.Error("a station without residents has no target and must not be measured")
	}
	if _, ok := m.Measure("a", month(t, "2026-04")); ok {
		t.Error("April has no visit at all (a month to come) and must not be measured as none done")
	}
	if r, ok := FamiliarityMeasure(cfg, VisitRecord{Visits: visits, From: month(t, "2026-03"), Residents: map[string]int{"c": 360}, Zone: cst}).Measure("c", month(t, "2026-03")); !ok || r != (Ratio{0, 10}) {
		t.Errorf("a station that visited no one in a month others did: %v %v, want 0 of 10", r, ok)
	}
}

func TestRiskWarningMeasuredFromVisitsAndIncidents(t *testing.T) {
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, cst) }
	visits := []geo.Visit{
		{StationID: "a", At: at(1, 10), Kind: geo.Publicity, PoliceGridID: "p1"},
		{StationID: "a", At: at(20, 10), Kind: geo.VisitCall, Whom: "x", PoliceGridID: "p2"},
	}
	incidents := []geo.Incident{
		{StationID: "a", PoliceGridID: "p1", OccurredAt: at(5, 10)},  // 4 days after p1's visit: warned
		{StationID: "a", PoliceGridID: "p1", OccurredAt: at(8, 11)},  // 7 days 1 hour after: not
		{StationID: "a", PoliceGridID: "p2", OccurredAt: at(20, 9)},  // the visit came after: not
		{StationID: "a", PoliceGridID: "p2", OccurredAt: at(21, 10)}, // a day after p2's visit: warned
		{StationID: "a", OccurredAt: at(22, 10)},                     // no police grid: counted, never warned
	}
	cfg := DefaultAssessmentConfig()
	cfg.WarningWindowDays = 7
	m := RiskWarningMeasure(cfg, VisitRecord{Visits: visits, Incidents: incidents, From: month(t, "2026-03"), Zone: cst})
	r, ok := m.Measure("a", month(t, "2026-03"))
	if !ok || r != (Ratio{2, 5}) {
		t.Fatalf("risk warning of a in March = %v %v, want 2 of 5", r, ok)
	}
	if _, ok := m.Measure("b", month(t, "2026-03")); ok {
		t.Error("a station without incidents is not measured")
	}
}

// fixedMeasure answers a fixed rate for station a in every month.
type fixedMeasure struct{ r Ratio }

func (f fixedMeasure) Measure(station string, mo Month) (Ratio, bool) { return f.r, station == "a" }
func (f fixedMeasure) Counts() MetricCounts                           { return MetricCounts{"n", "d"} }

func TestAssessSourcesReviewAndCrossAssessment(t *testing.T) {
	mar := month(t, "2026-03")
	when := time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC)
	in := AssessmentInput{
		Stations:  []string{"a", "b", "c"},
		Months:    []Month{mar},
		Incidents: incidentsIn("a", "2026-03", 4, 2, 1),
		Zone:      cst,
		Entered: []EnteredValues{
			{StationID: "a", Month: mar, Familiarity: Ratio{70, 100}, RiskWarning: Ratio{10, 10}, Satisfaction: Ratio{9, 10}, ScoredBy: "b", EnteredBy: "li", EnteredAt: when},
			{StationID: "b", Month: mar, Satisfaction: Ratio{8, 10}, ScoredBy: "c", EnteredBy: "wang", EnteredAt: when},
			{StationID: "c", Month: mar, Satisfaction: Ratio{8, 10}}, // from before cross-assessment: scored by no one
		},
		Measures: map[string]Measure{MetricFamiliarity: fixedMeasure{Ratio{3, 4}}, MetricRiskWarning: fixedMeasure{Ratio{1, 2}}},
	}
	cfg := DefaultAssessmentConfig()
	cfg.ReviewMargin = 10
	a, err := Assess(cfg, in)
	if err != nil {
		t.Fatal(err)
	}
	fam := metricOf(t, a, mar, "a", MetricFamiliarity)
	if fam.Source != SourceMeasured || fam.Numerator != 3 || fam.Denominator != 4 || fam.Counts == nil || fam.Counts.Numerator != "n" {
		t.Errorf("a's familiarity = %+v, want measured 3 of 4", fam)
	}
	// Measured 75% against entered 70%: 5 points, within the margin.
	if fam.Entered == nil || fam.Entered.Value != 0.7 || math.Abs(fam.Entered.Difference-5) > 1e-9 || fam.Review {
		t.Errorf("a's familiarity entered = %+v review %v, want 70%% kept, 5 points, no review", fam.Entered, fam.Review)
	}
	// Measured 50% against entered 100%: 50 points, flagged.
	if rw := metricOf(t, a, mar, "a", MetricRiskWarning); !rw.Review || rw.Source != SourceMeasured || math.Abs(rw.Entered.Difference+50) > 1e-9 {
		t.Errorf("a's risk warning = %+v, want measured and flagged for review", rw)
	}
	sat := metricOf(t, a, mar, "a", MetricSatisfaction)
	if sat.Source != SourceEntered || sat.Entered == nil || sat.Entered.By != "li" || !sat.Entered.At.Equal(when) || sat.Entered.ScoredBy != "b" || sat.Counts != nil {
		t.Errorf("a's satisfaction = %+v, want entered by li, scored by b", sat)
	}
	if ct := metricOf(t, a, mar, "b", MetricControlTasks); ct.Source != SourceEntered || ct.Available {
		t.Errorf("b's control tasks = %+v, want entered and unavailable (no measure, nothing entered)", ct)
	}
	if f := metricOf(t, a, mar, "b", MetricFamiliarity); f.Source != SourceEntered {
		t.Errorf("the measure does not cover b; its familiarity must be entered, got %+v", f)
	}
	for _, m := range []string{MetricIncidentTrend, MetricClearance} {
		if got := metricOf(t, a, mar, "a", m); got.Source != SourceMeasured || got.Counts == nil {
			t.Errorf("%s = %+v, want measured with counts", m, got)
		}
	}
	ms := a.Months[0]
	if ms.Final || len(ms.Unscored) != 1 || ms.Unscored[0] != "c" || ms.Reviews != 1 {
		t.Errorf("month final %v unscored %v reviews %d, want not final, c unscored, 1 review", ms.Final, ms.Unscored, ms.Reviews)
	}
	in.Entered[2].ScoredBy = "a"
	if a, _ = Assess(cfg, in); !a.Months[0].Final || len(a.Months[0].Unscored) != 0 {
		t.Errorf("every station scored by another: final %v unscored %v", a.Months[0].Final, a.Months[0].Unscored)
	}
}

func TestAssessRefusesSelfScoringAndUnknownMeasures(t *testing.T) {
	mar := month(t, "2026-03")
	in := AssessmentInput{
		Stations: []string{"a"},
		Months:   []Month{mar},
		Entered:  []EnteredValues{{StationID: "a", Month: mar, Satisfaction: Ratio{1, 2}, ScoredBy: "a"}},
		Measures: map[string]Measure{MetricClearance: fixedMeasure{}},
	}
	_, err := Assess(DefaultAssessmentConfig(), in)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "scored by the station itself") || !strings.Contains(err.Error(), `measure is given for "clearance"`) {
		t.Fatalf("err = %v, want self-scoring and the clearance measure refused", err)
	}
}

func TestAssessmentConfigRefusesBadMeasureSettings(t *testing.T) {
	cfg := DefaultAssessmentConfig()
	cfg.ReviewMargin, cfg.ResidentsPerHousehold, cfg.VisitCycleMonths, cfg.WarningWindowDays = -1, 0, 0, 40
	p := strings.Join(cfg.problems(), "\n")
	for _, f := range []string{"review_margin", "residents_per_household", "visit_cycle_months", "warning_window_days"} {
		if !strings.Contains(p, "assessment."+f) {
			t.Errorf("no problem for %s in %q", f, p)
		}
	}
}
