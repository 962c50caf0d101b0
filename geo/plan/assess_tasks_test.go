package plan

import (
	"testing"
	"time"

	"jingge/geo"
)

func TestTaskMeasure(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tasks := []geo.Task{
		{StationID: "a", Due: at("2026-05-10 23:59"), DoneAt: at("2026-05-09 10:00")}, // done, on time
		{StationID: "a", Due: at("2026-05-20 23:59"), DoneAt: at("2026-05-31 23:59")}, // done late, within May
		{StationID: "a", Due: at("2026-05-31 12:00"), DoneAt: at("2026-06-01 00:00")}, // done in June: not for May
		{StationID: "a", Due: at("2026-05-25 23:59")},                                 // never done
		{StationID: "b", Due: at("2026-06-03 23:59"), DoneAt: at("2026-06-02 09:00")},
		{StationID: "b", Due: at("2026-08-03 23:59")}, // after now's month: not measured
	}
	m := TaskMeasure(tasks, at("2026-07-15 12:00"), loc)
	may, jun, aug := Month{2026, time.May}, Month{2026, time.June}, Month{2026, time.August}
	if r, ok := m.Measure("a", may); !ok || r != (Ratio{Numerator: 2, Denominator: 4}) {
		t.Errorf("a in May: %+v %v, want 2 of 4", r, ok)
	}
	if r, ok := m.Measure("a", jun); ok {
		t.Errorf("a in June has no task due, yet measured %+v", r)
	}
	if r, ok := m.Measure("b", jun); !ok || r != (Ratio{Numerator: 1, Denominator: 1}) {
		t.Errorf("b in June: %+v %v, want 1 of 1", r, ok)
	}
	if r, ok := m.Measure("b", aug); ok {
		t.Errorf("b in August, a month to come, measured %+v", r)
	}
	if c := m.Counts(); c.Numerator != CountTasksDone || c.Denominator != CountTasksDue {
		t.Errorf("counts %+v", c)
	}
}
