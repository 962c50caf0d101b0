package lantian

import (
	"reflect"
	"testing"
	"time"

	"jingge/data"
)

func TestAssessmentUntil(t *testing.T) {
	ds, _ := mustLoad(t)
	end := time.Date(2026, 11, 28, 10, 0, 0, 0, chinaTime)
	entries := AssessmentUntil(ds, DefaultSeed, end)
	if want := len(ds.Stations) * 12; len(entries) != want {
		t.Fatalf("%d entries, want %d (every station, twelve months)", len(entries), want)
	}
	if p := data.CheckAssessmentEntries(entries); len(p) > 0 {
		t.Fatalf("invalid entries: %v", p[:min(len(p), 5)])
	}
	months := map[string]bool{}
	for _, e := range entries {
		months[e.Month] = true
		for _, r := range []data.Ratio{e.Familiarity, e.RiskWarning, e.ControlTasks, e.Satisfaction} {
			if r.Denominator < 4 || r.Numerator < 0.3*r.Denominator-1 {
				t.Fatalf("%s %s: implausible ratio %+v", e.StationID, e.Month, r)
			}
		}
	}
	if !months["2025-11"] || !months["2026-10"] || months["2026-11"] {
		t.Fatalf("months %v: want 2025-11 through 2026-10, the whole months before end", months)
	}
	if !reflect.DeepEqual(AssessmentUntil(ds, DefaultSeed, end), entries) {
		t.Fatal("the same seed gave different entries")
	}
	// Stations differ: not every station has the same satisfaction.
	rates := map[float64]bool{}
	for _, e := range entries {
		if e.Month == "2026-10" {
			rates[e.Satisfaction.Numerator/e.Satisfaction.Denominator] = true
		}
	}
	if len(rates) < len(ds.Stations)/2 {
		t.Fatalf("only %d distinct satisfaction rates among %d stations", len(rates), len(ds.Stations))
	}
}
