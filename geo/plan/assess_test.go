package plan

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"jingge/geo"
)

var cst = time.FixedZone("CST", 8*3600)

func month(t *testing.T, s string) Month {
	t.Helper()
	m, err := ParseMonth(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// incidentsIn makes n incidents of station in month (YYYY-MM), the first
// criminal of them criminal and cleared of those the first cleared.
func incidentsIn(station, mo string, n, criminal, cleared int) []geo.Incident {
	start, _ := time.ParseInLocation("2006-01", mo, cst)
	var out []geo.Incident
	for i := range n {
		inc := geo.Incident{StationID: station, OccurredAt: start.Add(time.Duration(i+1) * time.Hour), Category: geo.Dispute}
		if i < criminal {
			inc.Category = geo.Criminal
			inc.Cleared = i < cleared
		}
		out = append(out, inc)
	}
	return out
}

func TestAssessByHand(t *testing.T) {
	var inc []geo.Incident
	inc = append(inc, incidentsIn("a", "2026-01", 10, 0, 0)...)
	inc = append(inc, incidentsIn("a", "2026-02", 12, 0, 0)...)
	inc = append(inc, incidentsIn("a", "2026-03", 6, 4, 3)...)
	inc = append(inc, incidentsIn("b", "2026-01", 5, 0, 0)...)
	inc = append(inc, incidentsIn("b", "2026-02", 5, 2, 2)...)
	inc = append(inc, incidentsIn("b", "2026-03", 5, 0, 0)...)
	inc = append(inc, geo.Incident{StationID: "elsewhere", OccurredAt: time.Date(2026, 3, 2, 0, 0, 0, 0, cst)})
	in := AssessmentInput{
		Stations:  []string{"a", "b"},
		Months:    []Month{month(t, "2026-03"), month(t, "2026-02")},
		Incidents: inc,
		Zone:      cst,
		Entered: []EnteredValues{{
			StationID: "a", Month: month(t, "2026-03"),
			Familiarity: Ratio{45, 50}, RiskWarning: Ratio{8, 10}, Satisfaction: Ratio{90, 100},
		}},
	}
	a, err := Assess(DefaultAssessmentConfig(), in)
	if err != nil {
		t.Fatal(err)
	}
	if a.Unattributed != 1 {
		t.Errorf("unattributed %d, want 1", a.Unattributed)
	}
	if len(a.Months) != 2 || a.Months[0].Month.String() != "2026-02" {
		t.Fatalf("months %v, want 2026-02 then 2026-03", a.Months)
	}
	mar := a.Months[1].Stations
	if mar[0].StationID != "a" || mar[0].Rank != 1 || mar[1].StationID != "b" || mar[1].Rank != 2 {
		t.Fatalf("March ranking %s#%d, %s#%d; want a then b", mar[0].StationID, mar[0].Rank, mar[1].StationID, mar[1].Rank)
	}
	// a: month on month (6−12)/(12+5) → trend 100 (capped); clearance 3/4 of
	// a 0.8 target → 93.75; familiarity 90, risk 80, control tasks not
	// measured, satisfaction 90.
	wantA := (20*100 + 20*93.75 + 15*90 + 15*80 + 15*90) / 85.0
	if !near(mar[0].Score, wantA, 1e-9) || mar[0].Available != 5 {
		t.Errorf("a scores %.4f from %d metrics, want %.4f from 5", mar[0].Score, mar[0].Available, wantA)
	}
	if it := mar[0].Incidents; it.Count != 6 || it.PreviousMonth != 12 || !it.HasPreviousMonth || it.HasLastYear || !near(it.MonthOnMonth, -6.0/17, 1e-12) {
		t.Errorf("a's incident trend %+v", it)
	}
	// b: no change (50), no criminal case, nothing entered.
	if !near(mar[1].Score, 50, 1e-12) || mar[1].Available != 1 {
		t.Errorf("b scores %v from %d metrics, want 50 from 1", mar[1].Score, mar[1].Available)
	}
	// February: a rose (12 vs 10: +2/15), b's clearance 2/2.
	feb := a.Months[0].Stations
	if feb[0].StationID != "b" {
		t.Errorf("February: %s first, want b", feb[0].StationID)
	}
	wantTrendA := 50 - 50*(2.0/15)/0.3
	if got := feb[1].Metrics[0].Score; !near(got, wantTrendA, 1e-9) {
		t.Errorf("a's February trend score %v, want %v", got, wantTrendA)
	}
	// Trends follow stations in input order.
	ta := a.Trends[0]
	if ta.StationID != "a" || len(ta.Points) != 2 || ta.Points[1].RankChange != 1 || !near(ta.Points[1].ScoreChange, wantA-feb[1].Score, 1e-9) {
		t.Errorf("a's trend %+v", ta)
	}
}

func TestAssessYearOnYearAndTimeZone(t *testing.T) {
	var inc []geo.Incident
	inc = append(inc, incidentsIn("a", "2025-03", 20, 0, 0)...)
	inc = append(inc, incidentsIn("a", "2026-02", 10, 0, 0)...)
	inc = append(inc, incidentsIn("a", "2026-03", 9, 0, 0)...)
	// 1 March 01:00 in China is still February in UTC.
	inc = append(inc, geo.Incident{StationID: "a", OccurredAt: time.Date(2026, 2, 28, 17, 0, 0, 0, time.UTC)})
	a, err := Assess(DefaultAssessmentConfig(), AssessmentInput{Stations: []string{"a"}, Months: []Month{month(t, "2026-03")}, Incidents: inc, Zone: cst})
	if err != nil {
		t.Fatal(err)
	}
	it := a.Months[0].Stations[0].Incidents
	if it.Count != 10 || it.PreviousMonth != 10 || it.SameMonthLastYear != 20 || !it.HasLastYear {
		t.Fatalf("trend %+v, want 10 now, 10 the month before, 20 a year ago", it)
	}
	mom, yoy := 0.0, (10.0-20)/25
	want := 50 - 50*(0.5*mom+0.5*yoy)/0.3
	if got := a.Months[0].Stations[0].Metrics[0]; !near(got.Score, want, 1e-9) {
		t.Errorf("trend score %v, want %v", got.Score, want)
	}
}

func TestAssessTiesShareRank(t *testing.T) {
	in := AssessmentInput{Stations: []string{"a", "b", "c"}, Months: []Month{month(t, "2026-03")}, Entered: []EnteredValues{
		{StationID: "a", Month: month(t, "2026-03"), Satisfaction: Ratio{8, 10}},
		{StationID: "b", Month: month(t, "2026-03"), Satisfaction: Ratio{9, 10}},
		{StationID: "c", Month: month(t, "2026-03"), Satisfaction: Ratio{9, 10}},
	}}
	a, err := Assess(DefaultAssessmentConfig(), in)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, s := range a.Months[0].Stations {
		got += s.StationID + "#" + string(rune('0'+s.Rank)) + " "
	}
	if got != "b#1 c#1 a#3 " {
		t.Errorf("ranking %q, want b#1 c#1 a#3", got)
	}
}

func TestAssessErrors(t *testing.T) {
	mar := Month{2026, time.March}
	ok := AssessmentInput{Stations: []string{"a"}, Months: []Month{mar}}
	tests := []struct {
		name   string
		change func(in *AssessmentInput)
		want   string
	}{
		{"no stations", func(in *AssessmentInput) { in.Stations = nil }, "no stations to assess"},
		{"repeated station", func(in *AssessmentInput) { in.Stations = []string{"a", "a"} }, `station "a" is empty or listed twice`},
		{"no months", func(in *AssessmentInput) { in.Months = nil }, "no months to score"},
		{"repeated month", func(in *AssessmentInput) { in.Months = []Month{mar, mar} }, "month 2026-03 is listed twice"},
		{"bad month", func(in *AssessmentInput) { in.Months = []Month{{2026, 13}} }, "is not a calendar month"},
		{"unknown station", func(in *AssessmentInput) {
			in.Entered = []EnteredValues{{StationID: "z", Month: mar}}
		}, `name station "z", which is not being assessed`},
		{"numerator above denominator", func(in *AssessmentInput) {
			in.Entered = []EnteredValues{{StationID: "a", Month: mar, Familiarity: Ratio{11, 10}}}
		}, "familiarity: numerator 11 exceeds denominator 10"},
		{"negative", func(in *AssessmentInput) {
			in.Entered = []EnteredValues{{StationID: "a", Month: mar, RiskWarning: Ratio{-1, 10}}}
		}, "counts cannot be negative"},
		{"numerator without denominator", func(in *AssessmentInput) {
			in.Entered = []EnteredValues{{StationID: "a", Month: mar, ControlTasks: Ratio{3, 0}}}
		}, "give the denominator"},
		{"twice", func(in *AssessmentInput) {
			in.Entered = []EnteredValues{{StationID: "a", Month: mar}, {StationID: "a", Month: mar}}
		}, "are given twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.change(&in)
			_, err := Assess(DefaultAssessmentConfig(), in)
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	bad := DefaultAssessmentConfig()
	bad.Weights = MetricWeights{}
	if _, err := Assess(bad, ok); err == nil || !strings.Contains(err.Error(), "weights are all 0") {
		t.Errorf("all-zero weights: %v", err)
	}
}

func TestMonthJSON(t *testing.T) {
	var v struct{ M Month }
	if err := json.Unmarshal([]byte(`{"M":"2026-03"}`), &v); err != nil || v.M != (Month{2026, time.March}) {
		t.Fatalf("got %v, %v", v.M, err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"M":"2026-03"}` {
		t.Errorf("marshal %s", b)
	}
	if err := json.Unmarshal([]byte(`{"M":"March"}`), &v); err == nil || !strings.Contains(err.Error(), "YYYY-MM") {
		t.Errorf("bad month: %v", err)
	}
	if got := (Month{2026, time.January}).AddMonths(-1); got != (Month{2025, time.December}) {
		t.Errorf("January − 1 = %v", got)
	}
	if got := (Month{2026, time.March}).AddMonths(-12); got != (Month{2025, time.March}) {
		t.Errorf("March − 12 = %v", got)
	}
}

// The bundled year of incidents gives every station a clearance rate and,
// after the first month, an incident trend.
func TestAssessLantian(t *testing.T) {
	ix, inc := lantianData(t)
	var stations []string
	for _, s := range ix.Stations() {
		stations = append(stations, s.ID)
	}
	first := MonthOf(inc[0].OccurredAt, cst)
	var months []Month
	for k := 1; k <= 10; k++ {
		months = append(months, first.AddMonths(k))
	}
	a, err := Assess(DefaultAssessmentConfig(), AssessmentInput{Stations: stations, Months: months, Incidents: inc, Zone: cst})
	if err != nil {
		t.Fatal(err)
	}
	last := a.Months[len(a.Months)-1]
	for _, s := range last.Stations {
		if !s.Metrics[0].Available {
			t.Errorf("%s: no incident trend in %s", s.StationID, last.Month)
		}
	}
	top := last.Stations[0]
	t.Logf("%s: first %s (%.1f), last %s (%.1f)", last.Month, top.StationID, top.Score, last.Stations[len(last.Stations)-1].StationID, last.Stations[len(last.Stations)-1].Score)
}
