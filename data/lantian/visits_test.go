package lantian

import (
	"slices"
	"testing"
	"time"

	"jingge/geo"
	"jingge/geo/presence"
)

func TestVisitsAreOwnOfficersDeterministicAndMarked(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, chinaTime)
	incidents, err := IncidentsUntil(ds, DefaultSeed, end)
	if err != nil {
		t.Fatal(err)
	}
	a, err := VisitsUntil(ds, DefaultSeed, end, incidents)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := VisitsUntil(ds, DefaultSeed, end, incidents)
	if len(a) < 5000 || len(a) != len(b) {
		t.Fatalf("%d and %d visits; want the same year of thousands", len(a), len(b))
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	owners := presence.Owners(ix)
	followUps := 0
	lastBy := map[string]time.Time{}
	for i, v := range a {
		if v != b[i] {
			t.Fatalf("visit %d differs between two runs: %+v / %+v", i, v, b[i])
		}
		if i > 0 && v.At.Before(a[i-1].At) {
			t.Fatalf("visit %d is before the one ahead of it", i)
		}
		if !v.At.Before(end) || v.At.Before(end.AddDate(0, 0, -366)) {
			t.Errorf("visit %+v outside the year", v)
		}
		if !slices.Contains(owners[v.PoliceGridID], v.OfficerID) {
			t.Fatalf("visit %+v by someone not of police grid %s (%v)", v, v.PoliceGridID, owners[v.PoliceGridID])
		}
		hit := ix.Lookup(v.Location)
		if hit.Police == nil || hit.Police.ID != v.PoliceGridID || v.Outcome != SyntheticVisitNote || v.RecordedBy != SyntheticVisitRecorder {
			t.Fatalf("visit %+v: not where it is attributed, or not marked synthetic", v)
		}
		if v.Kind == geo.FollowUp {
			followUps++
		}
		lastBy[v.PoliceGridID] = v.At
	}
	if followUps == 0 {
		t.Error("no follow-up visit after an incident")
	}
	// The map needs a range: grids visited in the last days and grids
	// neglected for more than two weeks.
	var recent, neglected int
	for _, at := range lastBy {
		switch d := end.Sub(at); {
		case d < 3*24*time.Hour:
			recent++
		case d > 14*24*time.Hour:
			neglected++
		}
	}
	if recent == 0 || neglected == 0 {
		t.Errorf("%d grids visited in the last 3 days and %d not for 14; want some of each", recent, neglected)
	}
}
