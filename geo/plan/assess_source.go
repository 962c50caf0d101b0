package plan

import (
	"math"
	"time"
)

// Where a metric's figure comes from (MetricScore.Source).
const (
	// SourceMeasured: computed from the system's own records.
	SourceMeasured = "measured"
	// SourceEntered: typed in by people (PUT /api/v1/assessment/entries).
	SourceEntered = "entered"
)

// What the numerator and denominator of a measured metric count, as codes
// a page translates (MetricCounts).
const (
	CountIncidents            = "incidents"              // incidents of the station in the month
	CountIncidentsBefore      = "incidents_before"       // the month before and the same month last year
	CountCriminalCleared      = "criminal_cleared"       // criminal incidents of the month cleared
	CountCriminalIncidents    = "criminal_incidents"     // criminal incidents of the month
	CountHouseholdsVisited    = "households_visited"     // distinct households and places visited
	CountHouseholdVisitTarget = "household_visit_target" // residents ÷ household size ÷ visit cycle
	CountIncidentsWarned      = "incidents_warned"       // incidents whose grid was visited shortly before
	CountTasksDue             = "tasks_due"              // the station's tasks due in the month
	CountTasksDone            = "tasks_done"             // of those, the ones done before the month ended
)

// MetricCounts names what a measured metric's numerator and denominator
// count, as the Count… codes.
type MetricCounts struct {
	Numerator   string `json:"numerator"`
	Denominator string `json:"denominator"`
}

// EnteredFigure is a figure typed in for a station and month: the rate,
// who entered it when, and the station that scored it. Beside a measured
// rate, Difference is measured − entered in percentage points.
type EnteredFigure struct {
	Numerator   float64   `json:"numerator"`
	Denominator float64   `json:"denominator"`
	Value       float64   `json:"value"`
	By          string    `json:"by,omitempty"`
	At          time.Time `json:"at"`
	ScoredBy    string    `json:"scored_by,omitempty"`
	Difference  float64   `json:"difference"`
}

// Measure computes one metric's rate from the system's records. Adding a
// measured metric is one entry in AssessmentInput.Measures.
type Measure interface {
	// Measure returns the station's rate in mo, and false when the
	// records do not cover that month (then the entered figure is used).
	// A true answer has a positive denominator.
	Measure(stationID string, mo Month) (Ratio, bool)
	// Counts names what the numerator and denominator count.
	Counts() MetricCounts
}

// enteredFigure is e's figure for metric.
func enteredFigure(e EnteredValues, metric string) *EnteredFigure {
	r := e.ratio(metric)
	f := &EnteredFigure{Numerator: r.Numerator, Denominator: r.Denominator, By: e.EnteredBy, At: e.EnteredAt, ScoredBy: e.ScoredBy}
	if r.Denominator > 0 {
		f.Value = r.Numerator / r.Denominator
	}
	return f
}

// rateMetric scores metric for a station and month: from the measured
// rate when the measure covers it (the entered figure, if any, kept and
// compared), else from the entered figure.
func rateMetric(cfg AssessmentConfig, metric string, measured Ratio, isMeasured bool, counts MetricCounts, e EnteredValues, hasEntry bool) MetricScore {
	if !isMeasured {
		ms := rateScore(cfg, metric, e.ratio(metric))
		ms.Source = SourceEntered
		if hasEntry {
			ms.Entered = enteredFigure(e, metric)
		}
		return ms
	}
	ms := rateScore(cfg, metric, measured)
	ms.Source, ms.Counts = SourceMeasured, &counts
	if hasEntry && e.ratio(metric).Denominator > 0 {
		ms.Entered = enteredFigure(e, metric)
		ms.Entered.Difference = 100 * (ms.Value - ms.Entered.Value)
		ms.Review = math.Abs(ms.Entered.Difference) > cfg.ReviewMargin+1e-9
	}
	return ms
}

// measuredRates runs every measure over every station and month once.
type measuredRates map[string]map[stationMonth]Ratio

func measureAll(in AssessmentInput, months []Month) measuredRates {
	out := measuredRates{}
	for metric, m := range in.Measures {
		got := map[stationMonth]Ratio{}
		for s, sid := range in.Stations {
			for _, mo := range months {
				if r, ok := m.Measure(sid, mo); ok && r.Denominator > 0 {
					got[stationMonth{s, mo}] = r
				}
			}
		}
		out[metric] = got
	}
	return out
}

// crossScored reports, for mo, the stations no other station has scored.
func crossScored(stations []string, mo Month, entered map[stationMonth]EnteredValues) []string {
	missing := []string{}
	for s, sid := range stations {
		e, ok := entered[stationMonth{s, mo}]
		if !ok || e.ScoredBy == "" || e.ScoredBy == sid {
			missing = append(missing, sid)
		}
	}
	return missing
}
