package plan

import (
	"time"

	"jingge/geo"
)

// TaskMeasure measures control_tasks (基础管控任务管处率) from the stations'
// task lists: of a station's tasks due in a month, the share done before
// that month ended. A task's due time and the time it was done never
// change once recorded, so a month's figure, recomputed later, is the
// same. A station with no task due in a month, and every month after
// now's, is not measured (its entered figure counts): a month still to
// come is not ranked on tasks nobody could have done yet. tasks may hold
// any months; loc places due and done times in months (nil means UTC).
func TaskMeasure(tasks []geo.Task, now time.Time, loc *time.Location) Measure {
	loc = zoneOr(loc)
	last := MonthOf(now, loc)
	counts := map[string]map[Month]Ratio{}
	for i := range tasks {
		t := &tasks[i]
		mo := MonthOf(t.Due, loc)
		if last.Before(mo) {
			continue
		}
		if counts[t.StationID] == nil {
			counts[t.StationID] = map[Month]Ratio{}
		}
		r := counts[t.StationID][mo]
		r.Denominator++
		next := mo.AddMonths(1)
		if t.Done() && t.DoneAt.Before(time.Date(next.Year, next.Month, 1, 0, 0, 0, 0, loc)) {
			r.Numerator++
		}
		counts[t.StationID][mo] = r
	}
	return taskMeasure(counts)
}

type taskMeasure map[string]map[Month]Ratio

// Measure implements Measure.
func (m taskMeasure) Measure(station string, mo Month) (Ratio, bool) {
	r := m[station][mo]
	return r, r.Denominator > 0
}

// Counts implements Measure.
func (m taskMeasure) Counts() MetricCounts {
	return MetricCounts{Numerator: CountTasksDone, Denominator: CountTasksDue}
}
