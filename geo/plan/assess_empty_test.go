package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

// A month without any incident or entered value is reported empty, not
// ranked as a tie of zeros; the trends skip it.
func TestAssessEmptyMonths(t *testing.T) {
	inc := incidentsIn("a", "2026-02", 3, 1, 0)
	in := AssessmentInput{
		Stations:  []string{"a", "b"},
		Months:    []Month{month(t, "2026-02"), month(t, "2026-03"), month(t, "2026-04")},
		Incidents: inc,
		Zone:      cst,
		Entered: []EnteredValues{
			{StationID: "b", Month: month(t, "2026-04"), Satisfaction: Ratio{9, 10}},
			// All denominators 0: not measured, so no data.
			{StationID: "a", Month: month(t, "2026-03")},
		},
	}
	a, err := Assess(DefaultAssessmentConfig(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		month    string
		empty    bool
		stations int
	}{{"2026-02", false, 2}, {"2026-03", true, 0}, {"2026-04", false, 2}} {
		var ms *MonthScores
		for i := range a.Months {
			if a.Months[i].Month.String() == tc.month {
				ms = &a.Months[i]
			}
		}
		if ms == nil {
			t.Fatalf("%s missing", tc.month)
		}
		if ms.Empty != tc.empty || len(ms.Stations) != tc.stations {
			t.Errorf("%s: empty %v with %d stations, want %v with %d", tc.month, ms.Empty, len(ms.Stations), tc.empty, tc.stations)
		}
	}
	for _, tr := range a.Trends {
		for _, p := range tr.Points {
			if p.Month.String() == "2026-03" {
				t.Errorf("station %s: the trend has a point in the empty month", tr.StationID)
			}
		}
	}
	b, _ := json.Marshal(a.Months[1])
	if !strings.Contains(string(b), `"empty":true`) || !strings.Contains(string(b), `"stations":[]`) {
		t.Errorf("empty month as JSON: %s", b)
	}
}

// A rate of 0 (no case cleared) keeps its numerator in the JSON: zero is
// a value the pages read.
func TestAssessZeroNumeratorInJSON(t *testing.T) {
	in := AssessmentInput{
		Stations:  []string{"a"},
		Months:    []Month{month(t, "2026-02")},
		Incidents: incidentsIn("a", "2026-02", 4, 2, 0),
		Zone:      cst,
	}
	a, err := Assess(DefaultAssessmentConfig(), in)
	if err != nil {
		t.Fatal(err)
	}
	clearance := a.Months[0].Stations[0].Metrics[1]
	b, _ := json.Marshal(clearance)
	if clearance.Metric != MetricClearance || !strings.Contains(string(b), `"numerator":0,"denominator":2`) {
		t.Errorf("clearance as JSON: %s", b)
	}
}
