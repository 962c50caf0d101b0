package plan

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"jingge/geo"
)

// The six metrics of the monthly station assessment (考评), in the order
// the bureau's scheme lists them.
const (
	MetricIncidentTrend = "incident_trend" // 发案升降
	MetricClearance     = "clearance"      // 破案率
	MetricFamiliarity   = "familiarity"    // 警民“双向”熟悉率
	MetricRiskWarning   = "risk_warning"   // 风险隐患预警率
	MetricControlTasks  = "control_tasks"  // 基础管控任务管处率
	MetricSatisfaction  = "satisfaction"   // 政务服务满意度
)

// Metrics lists the six metrics in the scheme's order.
var Metrics = []string{MetricIncidentTrend, MetricClearance, MetricFamiliarity, MetricRiskWarning, MetricControlTasks, MetricSatisfaction}

// AssessmentConfig weighs and normalises the metrics. Every sub-score is
// 0–100:
//
//   - incident_trend: 50 for no change, 100 for a fall of TrendFullScale
//     or more, 0 for a rise of TrendFullScale or more, linear between. The
//     change is (this − before) ÷ (before + TrendSmoothing), so a station
//     going from 2 incidents to 4 is not scored as doubling crime. With the
//     same month last year known, the change mixes month-on-month and
//     year-on-year by YearOverYearShare.
//   - the five rates: 100 × min(1, rate ÷ target).
//
// The station's score is the weighted mean of the sub-scores it has; a
// metric without data (no previous month, no criminal case, no entered
// denominator) is left out and the other weights rescaled.
type AssessmentConfig struct {
	Weights           MetricWeights `json:"weights"`
	Targets           RateTargets   `json:"targets"`
	TrendFullScale    float64       `json:"trend_full_scale"`
	TrendSmoothing    float64       `json:"trend_smoothing"`
	YearOverYearShare float64       `json:"year_over_year_share"`
	// ReviewMargin is how far, in percentage points of the rate, an
	// entered figure may stray from the measured one before the pair is
	// flagged for review.
	ReviewMargin float64 `json:"review_margin"`
	// ResidentsPerHousehold and VisitCycleMonths set familiarity's target:
	// every household visited once per cycle, so a station's monthly
	// target is its residents ÷ ResidentsPerHousehold ÷ VisitCycleMonths.
	ResidentsPerHousehold float64 `json:"residents_per_household"`
	VisitCycleMonths      float64 `json:"visit_cycle_months"`
	// WarningWindowDays is how long before an incident a visit to its
	// police grid counts as a warning given first (risk_warning).
	WarningWindowDays float64 `json:"warning_window_days"`
}

// MetricWeights weigh the six metrics; only their ratios matter.
type MetricWeights struct {
	IncidentTrend float64 `json:"incident_trend"`
	Clearance     float64 `json:"clearance"`
	Familiarity   float64 `json:"familiarity"`
	RiskWarning   float64 `json:"risk_warning"`
	ControlTasks  float64 `json:"control_tasks"`
	Satisfaction  float64 `json:"satisfaction"`
}

// RateTargets are the rates that earn full marks.
type RateTargets struct {
	Clearance    float64 `json:"clearance"`
	Familiarity  float64 `json:"familiarity"`
	RiskWarning  float64 `json:"risk_warning"`
	ControlTasks float64 `json:"control_tasks"`
	Satisfaction float64 `json:"satisfaction"`
}

// DefaultAssessmentConfig weighs incident trend and clearance at 20 each
// and the four entered rates at 15 each; full marks need a rate of 100%
// except clearance, whose full marks come at 80%.
func DefaultAssessmentConfig() AssessmentConfig {
	return AssessmentConfig{
		Weights:        MetricWeights{IncidentTrend: 20, Clearance: 20, Familiarity: 15, RiskWarning: 15, ControlTasks: 15, Satisfaction: 15},
		Targets:        RateTargets{Clearance: 0.8, Familiarity: 1, RiskWarning: 1, ControlTasks: 1, Satisfaction: 1},
		TrendFullScale: 0.3, TrendSmoothing: 5, YearOverYearShare: 0.5,
		ReviewMargin: 10, ResidentsPerHousehold: 2.6, VisitCycleMonths: 12, WarningWindowDays: 7,
	}
}

func (c AssessmentConfig) weight(metric string) float64 {
	switch metric {
	case MetricIncidentTrend:
		return c.Weights.IncidentTrend
	case MetricClearance:
		return c.Weights.Clearance
	case MetricFamiliarity:
		return c.Weights.Familiarity
	case MetricRiskWarning:
		return c.Weights.RiskWarning
	case MetricControlTasks:
		return c.Weights.ControlTasks
	}
	return c.Weights.Satisfaction
}

func (c AssessmentConfig) target(metric string) float64 {
	switch metric {
	case MetricClearance:
		return c.Targets.Clearance
	case MetricFamiliarity:
		return c.Targets.Familiarity
	case MetricRiskWarning:
		return c.Targets.RiskWarning
	case MetricControlTasks:
		return c.Targets.ControlTasks
	}
	return c.Targets.Satisfaction
}

// problems lists what is wrong with c, for Config.Validate.
func (c AssessmentConfig) problems() []string {
	var p []string
	sum := 0.0
	for _, k := range Metrics {
		w := c.weight(k)
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			p = append(p, fmt.Sprintf("assessment.weights.%s is %v; use a weight of 0 or more", k, w))
			continue
		}
		sum += w
	}
	if sum <= 0 {
		p = append(p, "assessment.weights are all 0; give at least one metric a positive weight")
	}
	for _, k := range Metrics[1:] {
		if t := c.target(k); !(t > 0 && t <= 1) {
			p = append(p, fmt.Sprintf("assessment.targets.%s is %v; use the rate that earns full marks, above 0 and at most 1", k, t))
		}
	}
	if !(c.TrendFullScale > 0 && c.TrendFullScale <= 10) {
		p = append(p, fmt.Sprintf("assessment.trend_full_scale is %v; use the relative change that scores 0 or 100, e.g. 0.3 for ±30%%", c.TrendFullScale))
	}
	if !(c.TrendSmoothing >= 0 && c.TrendSmoothing < 1e6) {
		p = append(p, fmt.Sprintf("assessment.trend_smoothing is %v; use 0 or more incidents", c.TrendSmoothing))
	}
	if !(c.YearOverYearShare >= 0 && c.YearOverYearShare <= 1) {
		p = append(p, fmt.Sprintf("assessment.year_over_year_share is %v; use a share from 0 to 1", c.YearOverYearShare))
	}
	if !(c.ReviewMargin >= 0 && c.ReviewMargin <= 100) {
		p = append(p, fmt.Sprintf("assessment.review_margin is %v; use percentage points from 0 to 100, e.g. 10", c.ReviewMargin))
	}
	if !(c.ResidentsPerHousehold >= 1 && c.ResidentsPerHousehold <= 20) {
		p = append(p, fmt.Sprintf("assessment.residents_per_household is %v; use the mean household size, from 1 to 20, e.g. 2.6", c.ResidentsPerHousehold))
	}
	if !(c.VisitCycleMonths >= 1 && c.VisitCycleMonths <= 120) {
		p = append(p, fmt.Sprintf("assessment.visit_cycle_months is %v; use the months in which every household should be visited once, from 1 to 120", c.VisitCycleMonths))
	}
	if !(c.WarningWindowDays > 0 && c.WarningWindowDays <= 28) {
		p = append(p, fmt.Sprintf("assessment.warning_window_days is %v; use days above 0 and at most 28", c.WarningWindowDays))
	}
	return p
}

// Ratio is an entered rate with its denominator, e.g. 45 satisfied of 50
// asked.
type Ratio struct {
	Numerator   float64 `json:"numerator"`
	Denominator float64 `json:"denominator"`
}

// EnteredValues are the four metrics a station reports (or the bureau
// surveys) for a month. A zero denominator means "not measured".
type EnteredValues struct {
	StationID string `json:"station"`
	Month     Month  `json:"month"`
	// Familiarity: residents and officers who know each other ÷ those checked.
	Familiarity Ratio `json:"familiarity"`
	// RiskWarning: risks and hazards warned of in advance ÷ risks found.
	RiskWarning Ratio `json:"risk_warning"`
	// ControlTasks: basic control tasks handled ÷ tasks assigned.
	ControlTasks Ratio `json:"control_tasks"`
	// Satisfaction: satisfied ÷ asked about government services.
	Satisfaction Ratio `json:"satisfaction"`
	// ScoredBy is the station that scored StationID (cross-assessment);
	// empty for entries from before it was recorded. EnteredBy and
	// EnteredAt say who typed the figures in and when.
	ScoredBy  string    `json:"scored_by,omitempty"`
	EnteredBy string    `json:"entered_by,omitempty"`
	EnteredAt time.Time `json:"entered_at"`
}

func (e EnteredValues) ratio(metric string) Ratio {
	switch metric {
	case MetricFamiliarity:
		return e.Familiarity
	case MetricRiskWarning:
		return e.RiskWarning
	case MetricControlTasks:
		return e.ControlTasks
	}
	return e.Satisfaction
}

// AssessmentInput is everything one assessment needs.
type AssessmentInput struct {
	// Stations to assess; ties in the ranking keep this order.
	Stations []string `json:"stations"`
	// Months to score, in any order (the result is ascending).
	Months []Month `json:"months"`
	// Incidents attributed to stations (StationID); include the month
	// before the first scored month, and the year before, for comparisons.
	Incidents []geo.Incident `json:"-"`
	// IncidentsFrom is the first month the incident record is complete;
	// comparisons with earlier months are not made. Zero means the month of
	// the earliest incident.
	IncidentsFrom Month `json:"incidents_from"`
	// Entered values; entries for months not scored are ignored.
	Entered []EnteredValues `json:"entered"`
	// Measures measures rates from the system's records, by metric (one
	// of the four after clearance). A metric with a measure that covers
	// the station and month is scored as measured, its entered figure kept
	// for comparison; the others are scored from their entered figure.
	Measures map[string]Measure `json:"-"`
	// Zone is the local time that places incidents in months: the
	// dataset's (geo.Meta.Location). Nil means UTC.
	Zone *time.Location `json:"-"`
}

// Assessment is the result of Assess.
type Assessment struct {
	Months []MonthScores  `json:"months"` // ascending
	Trends []StationTrend `json:"trends"` // in the order of AssessmentInput.Stations
	// Unattributed counts incidents left out because they name no station
	// assessed.
	Unattributed int `json:"unattributed"`
}

// MonthScores ranks the stations for one month.
type MonthScores struct {
	Month Month `json:"month"`
	// Empty is true for a month with no data at all: no incident of any
	// assessed station and no entered values (a month not yet come, or
	// before the record). Its Stations is empty rather than a ranking of
	// zeros, and the trends skip it.
	Empty    bool           `json:"empty"`
	Stations []StationScore `json:"stations"` // best first
	// Final is true when every station has been scored by another station
	// (an entry whose ScoredBy names a station other than its own);
	// Unscored lists, in input order, the stations still waiting.
	Final    bool     `json:"final"`
	Unscored []string `json:"unscored"`
	// Reviews counts the metrics of the month flagged for review.
	Reviews int `json:"reviews"`
}

// StationScore is one station's assessment for one month.
type StationScore struct {
	StationID string        `json:"station"`
	Month     Month         `json:"month"`
	Incidents IncidentTrend `json:"incidents"`
	Metrics   []MetricScore `json:"metrics"` // the six, in Metrics order
	// Score is the weighted mean of the available sub-scores (0–100);
	// Available is how many metrics it is made of. A station with none
	// scores 0 and ranks after all others.
	Score     float64 `json:"score"`
	Available int     `json:"available"`
	// Rank is 1 for the best; equal scores share a rank (1, 2, 2, 4).
	Rank int `json:"rank"`
}

// IncidentTrend holds the incident counts behind the first metric.
type IncidentTrend struct {
	Count             int     `json:"count"`
	PreviousMonth     int     `json:"previous_month"`
	HasPreviousMonth  bool    `json:"has_previous_month"`
	SameMonthLastYear int     `json:"same_month_last_year"`
	HasLastYear       bool    `json:"has_last_year"`
	MonthOnMonth      float64 `json:"month_on_month"` // smoothed relative change
	YearOnYear        float64 `json:"year_on_year"`
}

// MetricScore is one metric of one station and month.
type MetricScore struct {
	Metric    string `json:"metric"`
	Available bool   `json:"available"`
	// Value is the rate, or for incident_trend the combined relative change
	// (negative is a fall).
	Value float64 `json:"value"`
	// Numerator and Denominator are the counts behind a rate, always
	// present: 0 cleared of 4 criminal cases is a value, not an absence.
	// incident_trend has neither and reports 0 for both.
	Numerator   float64 `json:"numerator"`
	Denominator float64 `json:"denominator"`
	Score       float64 `json:"score"`
	Weight      float64 `json:"weight"`
	// Source is SourceMeasured (computed from the system's records; Counts
	// names what the numerator and denominator count) or SourceEntered
	// (typed in; Entered says by whom and when, and is empty when nothing
	// was entered).
	Source  string         `json:"source"`
	Counts  *MetricCounts  `json:"counts,omitempty"`
	Entered *EnteredFigure `json:"entered,omitempty"`
	// Review is set when a measured rate and an entered one differ by more
	// than AssessmentConfig.ReviewMargin percentage points.
	Review bool `json:"review"`
}

// StationTrend is one station's score and rank month by month.
type StationTrend struct {
	StationID string       `json:"station"`
	Points    []TrendPoint `json:"points"`
}

// TrendPoint is one month of a StationTrend. ScoreChange and RankChange
// compare with the previous scored month (0 for the first); a positive
// RankChange is a climb.
type TrendPoint struct {
	Month       Month   `json:"month"`
	Score       float64 `json:"score"`
	Rank        int     `json:"rank"`
	ScoreChange float64 `json:"score_change"`
	RankChange  int     `json:"rank_change"`
}

// Assess scores every station for every month of in under cfg and ranks
// them. It checks the whole input first and reports every problem at once.
func Assess(cfg AssessmentConfig, in AssessmentInput) (Assessment, error) {
	if p := cfg.problems(); len(p) > 0 {
		return Assessment{}, joinInvalid("assessment config", p)
	}
	stationAt, months, entered, err := checkAssessment(in)
	if err != nil {
		return Assessment{}, err
	}
	t := countIncidents(in, stationAt, entered)
	t.measured = measureAll(in, months)
	t.measures = in.Measures
	for _, got := range t.measured {
		for k := range got {
			t.withData[k.m] = true
		}
	}
	out := Assessment{Unattributed: t.unattributed}
	for _, mo := range months {
		ms := MonthScores{Month: mo, Stations: []StationScore{}, Unscored: crossScored(in.Stations, mo, entered)}
		ms.Final = len(ms.Unscored) == 0
		if !t.withData[mo] {
			ms.Empty = true
			out.Months = append(out.Months, ms)
			continue
		}
		for s, sid := range in.Stations {
			e, has := entered[stationMonth{s, mo}]
			sc := t.score(cfg, s, sid, mo, e, has)
			for _, mt := range sc.Metrics {
				if mt.Review {
					ms.Reviews++
				}
			}
			ms.Stations = append(ms.Stations, sc)
		}
		rank(ms.Stations)
		out.Months = append(out.Months, ms)
	}
	out.Trends = trends(in.Stations, out.Months)
	return out, nil
}

// stationMonth is a station (its place in AssessmentInput.Stations) in a
// month.
type stationMonth struct {
	s int
	m Month
}

// tally is what Assess counts of the incidents: per station and month all
// of them, the criminal ones and those cleared; which months hold any
// data; and the first month of the record.
type tally struct {
	count, criminal, cleared map[stationMonth]int
	withData                 map[Month]bool
	from                     Month
	unattributed             int
	measured                 measuredRates
	measures                 map[string]Measure
}

// countIncidents tallies in's incidents in months of in.Zone (UTC when
// nil); a month with an entered figure holds data too.
func countIncidents(in AssessmentInput, stationAt map[string]int, entered map[stationMonth]EnteredValues) tally {
	loc := in.Zone
	if loc == nil {
		loc = time.UTC
	}
	t := tally{count: map[stationMonth]int{}, criminal: map[stationMonth]int{}, cleared: map[stationMonth]int{}, withData: map[Month]bool{}, from: in.IncidentsFrom}
	for k, e := range entered {
		for _, metric := range Metrics[2:] {
			if e.ratio(metric).Denominator > 0 {
				t.withData[k.m] = true
			}
		}
	}
	for i := range in.Incidents {
		inc := &in.Incidents[i]
		s, ok := stationAt[inc.StationID]
		if !ok {
			t.unattributed++
			continue
		}
		mo := MonthOf(inc.OccurredAt, loc)
		if in.IncidentsFrom.IsZero() && (t.from.IsZero() || mo.Before(t.from)) {
			t.from = mo // the record starts with its earliest incident
		}
		k := stationMonth{s, mo}
		t.count[k]++
		t.withData[mo] = true
		if inc.Category == geo.Criminal {
			t.criminal[k]++
			if inc.Cleared {
				t.cleared[k]++
			}
		}
	}
	return t
}

// known reports whether the incident record covers mo.
func (t *tally) known(mo Month) bool { return !t.from.IsZero() && !mo.Before(t.from) }

// score scores station s (id sid) for mo: the incident trend, clearance,
// the four rates (measured where a measure covers them, else entered: e
// when has), and their weighted mean over the metrics available.
func (t *tally) score(cfg AssessmentConfig, s int, sid string, mo Month, e EnteredValues, has bool) StationScore {
	sc := StationScore{StationID: sid, Month: mo}
	sc.Metrics = append(sc.Metrics, t.trend(cfg, s, mo, &sc.Incidents))
	clear := Ratio{Numerator: float64(t.cleared[stationMonth{s, mo}]), Denominator: float64(t.criminal[stationMonth{s, mo}])}
	if !t.known(mo) {
		clear = Ratio{}
	}
	cm := rateScore(cfg, MetricClearance, clear)
	cm.Source, cm.Counts = SourceMeasured, &MetricCounts{Numerator: CountCriminalCleared, Denominator: CountCriminalIncidents}
	sc.Metrics = append(sc.Metrics, cm)
	for _, k := range Metrics[2:] {
		r, ok := t.measured[k][stationMonth{s, mo}]
		var counts MetricCounts
		if ok {
			counts = t.measures[k].Counts()
		}
		sc.Metrics = append(sc.Metrics, rateMetric(cfg, k, r, ok, counts, e, has))
	}
	wsum, sum := 0.0, 0.0
	for i := range sc.Metrics {
		mt := &sc.Metrics[i]
		mt.Weight = cfg.weight(mt.Metric)
		if mt.Available && mt.Weight > 0 {
			sc.Available++
			wsum += mt.Weight
			sum += mt.Weight * mt.Score
		}
	}
	if wsum > 0 {
		sc.Score = sum / wsum
	}
	return sc
}

// trend fills it with station s's incidents in mo against the month
// before and a year before, and scores the change.
func (t *tally) trend(cfg AssessmentConfig, s int, mo Month, it *IncidentTrend) MetricScore {
	it.Count = t.count[stationMonth{s, mo}]
	prev, lastYear := mo.AddMonths(-1), mo.AddMonths(-12)
	it.HasPreviousMonth, it.HasLastYear = t.known(prev) && t.known(mo), t.known(lastYear) && t.known(mo)
	it.PreviousMonth, it.SameMonthLastYear = t.count[stationMonth{s, prev}], t.count[stationMonth{s, lastYear}]
	trend := MetricScore{Metric: MetricIncidentTrend, Source: SourceMeasured, Counts: &MetricCounts{Numerator: CountIncidents, Denominator: CountIncidentsBefore}}
	if it.HasPreviousMonth {
		it.MonthOnMonth = smoothedChange(it.Count, it.PreviousMonth, cfg.TrendSmoothing)
		trend.Available, trend.Value = true, it.MonthOnMonth
	}
	if it.HasLastYear {
		it.YearOnYear = smoothedChange(it.Count, it.SameMonthLastYear, cfg.TrendSmoothing)
		if trend.Available {
			trend.Value = (1-cfg.YearOverYearShare)*it.MonthOnMonth + cfg.YearOverYearShare*it.YearOnYear
		} else {
			trend.Available, trend.Value = true, it.YearOnYear
		}
	}
	if trend.Available {
		trend.Score = clamp(50-50*trend.Value/cfg.TrendFullScale, 0, 100)
	}
	return trend
}

// checkAssessment validates in and indexes it: each station's place, the
// months in order, and the entered values of the months scored.
func checkAssessment(in AssessmentInput) (map[string]int, []Month, map[stationMonth]EnteredValues, error) {
	var p problemList
	stationAt := map[string]int{}
	if len(in.Stations) == 0 {
		p.bad("no stations to assess; list the station ids")
	}
	for i, s := range in.Stations {
		if _, dup := stationAt[s]; dup || s == "" {
			p.bad("station %q is empty or listed twice", s)
		}
		stationAt[s] = i
	}
	months := checkMonths(in, &p)
	for _, metric := range slices.Sorted(maps.Keys(in.Measures)) {
		if !slices.Contains(Metrics[2:], metric) {
			p.bad("a measure is given for %q; measures are for %v (incident_trend and clearance are always measured)", metric, Metrics[2:])
		}
	}
	scored := map[Month]bool{}
	for _, mo := range months {
		scored[mo] = true
	}
	entered := map[stationMonth]EnteredValues{}
	for _, e := range in.Entered {
		s, ok := stationAt[e.StationID]
		if !ok {
			p.bad("entered values for %s name station %q, which is not being assessed", e.Month, e.StationID)
			continue
		}
		if !scored[e.Month] {
			continue
		}
		k := stationMonth{s, e.Month}
		if _, dup := entered[k]; dup {
			p.bad("entered values for station %s in %s are given twice; keep one", e.StationID, e.Month)
			continue
		}
		if e.ScoredBy == e.StationID {
			p.bad("entered values for station %s in %s are scored by the station itself; a station is scored by another (cross-assessment)", e.StationID, e.Month)
		}
		for _, metric := range Metrics[2:] {
			if msg := ratioProblem(e.ratio(metric)); msg != "" {
				p.bad("station %s, %s, %s: %s", e.StationID, e.Month, metric, msg)
			}
		}
		entered[k] = e
	}
	if err := joinInvalid("assessment", p); err != nil {
		return nil, nil, nil, err
	}
	return stationAt, months, entered, nil
}

// checkMonths returns in's months in order, reporting invalid and repeated
// ones and a bad incidents_from to p.
func checkMonths(in AssessmentInput, p *problemList) []Month {
	if len(in.Months) == 0 {
		p.bad("no months to score; list them as YYYY-MM")
	}
	months := slices.Clone(in.Months)
	slices.SortFunc(months, func(a, b Month) int { return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month)) })
	for i, mo := range months {
		if !mo.Valid() {
			p.bad("month %v is not a calendar month", mo)
		} else if i > 0 && months[i-1] == mo {
			p.bad("month %v is listed twice", mo)
		}
	}
	if !in.IncidentsFrom.IsZero() && !in.IncidentsFrom.Valid() {
		p.bad("incidents_from %v is not a calendar month", in.IncidentsFrom)
	}
	return months
}

// ratioProblem says what is wrong with an entered ratio, "" when nothing.
func ratioProblem(r Ratio) string {
	switch {
	case math.IsNaN(r.Numerator) || math.IsNaN(r.Denominator) || math.IsInf(r.Numerator, 0) || math.IsInf(r.Denominator, 0):
		return "numerator and denominator must be numbers"
	case r.Numerator < 0 || r.Denominator < 0:
		return fmt.Sprintf("%v of %v; counts cannot be negative", r.Numerator, r.Denominator)
	case r.Denominator == 0 && r.Numerator != 0:
		return fmt.Sprintf("numerator %v with denominator 0; give the denominator, or 0 for both when not measured", r.Numerator)
	case r.Numerator > r.Denominator:
		return fmt.Sprintf("numerator %v exceeds denominator %v; the denominator is the number checked, asked or assigned", r.Numerator, r.Denominator)
	}
	return ""
}

func smoothedChange(now, before int, smoothing float64) float64 {
	d := float64(before) + smoothing
	if d == 0 {
		if now == 0 {
			return 0
		}
		return 1 // from nothing to something: count as +100%
	}
	return float64(now-before) / d
}

func rateScore(cfg AssessmentConfig, metric string, r Ratio) MetricScore {
	ms := MetricScore{Metric: metric, Numerator: r.Numerator, Denominator: r.Denominator}
	if r.Denominator > 0 {
		ms.Available = true
		ms.Value = r.Numerator / r.Denominator
		ms.Score = 100 * min(1, ms.Value/cfg.target(metric))
	}
	return ms
}

func clamp(x, lo, hi float64) float64 { return min(max(x, lo), hi) }

// rank orders one month's scores best first; stations with no metric go
// last. Equal scores share a rank and keep input order.
func rank(scores []StationScore) {
	slices.SortStableFunc(scores, func(a, b StationScore) int {
		if (a.Available == 0) != (b.Available == 0) {
			if a.Available == 0 {
				return 1
			}
			return -1
		}
		return cmp.Compare(round9(b.Score), round9(a.Score))
	})
	for i := range scores {
		if i > 0 && round9(scores[i].Score) == round9(scores[i-1].Score) && (scores[i].Available == 0) == (scores[i-1].Available == 0) {
			scores[i].Rank = scores[i-1].Rank
		} else {
			scores[i].Rank = i + 1
		}
	}
}

// round9 rounds away float noise so equal scores compare equal.
func round9(x float64) float64 { return math.Round(x*1e9) / 1e9 }

func trends(stations []string, months []MonthScores) []StationTrend {
	out := make([]StationTrend, len(stations))
	at := map[string]int{}
	for i, s := range stations {
		out[i].StationID = s
		at[s] = i
	}
	for _, ms := range months {
		for _, sc := range ms.Stations {
			t := &out[at[sc.StationID]]
			pt := TrendPoint{Month: ms.Month, Score: sc.Score, Rank: sc.Rank}
			if n := len(t.Points); n > 0 {
				pt.ScoreChange = sc.Score - t.Points[n-1].Score
				pt.RankChange = t.Points[n-1].Rank - sc.Rank
			}
			t.Points = append(t.Points, pt)
		}
	}
	return out
}
