package plan

import (
	"math"
	"slices"
	"strings"
	"time"

	"jingge/geo"
)

// VisitRecord is what the visit-based measures read: the visits and
// incidents of the months assessed (and of WarningWindowDays before the
// first), the residents of every station's grids, and where the visit
// record starts.
type VisitRecord struct {
	Visits    []geo.Visit
	Incidents []geo.Incident
	// From is the first month the visit record is complete; months before
	// it, and months in which no visit at all was recorded (a month still
	// to come), are not measured: their entered figures are used. Zero
	// measures nothing.
	From Month
	// Residents is each station's population (the sum over its grids).
	Residents map[string]int
	// Zone places visits and incidents in months; nil means UTC.
	Zone *time.Location
}

// visitCoverage is the months a visit record covers: from its start, the
// months in which some visit (of any station) was recorded. A month
// without a single visit in the county, such as one still to come, is
// not measured rather than measured as nothing done.
type visitCoverage struct {
	from   Month
	active map[Month]bool
}

func coverageOf(rec VisitRecord) visitCoverage {
	loc := zoneOr(rec.Zone)
	c := visitCoverage{from: rec.From, active: map[Month]bool{}}
	for i := range rec.Visits {
		c.active[MonthOf(rec.Visits[i].At, loc)] = true
	}
	return c
}

func (c visitCoverage) covers(mo Month) bool {
	return !c.from.IsZero() && !mo.Before(c.from) && c.active[mo]
}

// householdKinds are the visit kinds that go to a household or place:
// publicity and other contacts do not make residents known one by one.
var householdKinds = map[geo.VisitKind]bool{geo.VisitCall: true, geo.HomeService: true, geo.FollowUp: true}

// FamiliarityMeasure measures 熟悉率 from visits: the distinct households
// and places a station's officers visited in the month (visits, home
// services and follow-ups; a place is its key place id, else the text
// naming whom, within its community grid; a visit naming neither is not
// counted) ÷ the month's target, ⌈residents ÷ ResidentsPerHousehold ÷
// VisitCycleMonths⌉ (every household once per cycle).
func FamiliarityMeasure(cfg AssessmentConfig, rec VisitRecord) Measure {
	loc := zoneOr(rec.Zone)
	seen := map[string]map[Month]map[string]bool{}
	for i := range rec.Visits {
		v := &rec.Visits[i]
		if !householdKinds[v.Kind] || v.StationID == "" {
			continue
		}
		key := householdKey(v)
		if key == "" {
			continue
		}
		mo := MonthOf(v.At, loc)
		if seen[v.StationID] == nil {
			seen[v.StationID] = map[Month]map[string]bool{}
		}
		if seen[v.StationID][mo] == nil {
			seen[v.StationID][mo] = map[string]bool{}
		}
		seen[v.StationID][mo][key] = true
	}
	return &familiarity{cfg: cfg, cover: coverageOf(rec), residents: rec.Residents, seen: seen}
}

type familiarity struct {
	cfg       AssessmentConfig
	cover     visitCoverage
	residents map[string]int
	seen      map[string]map[Month]map[string]bool
}

// Measure implements Measure.
func (f *familiarity) Measure(station string, mo Month) (Ratio, bool) {
	if !f.cover.covers(mo) {
		return Ratio{}, false
	}
	target := math.Ceil(float64(f.residents[station]) / f.cfg.ResidentsPerHousehold / f.cfg.VisitCycleMonths)
	if target <= 0 {
		return Ratio{}, false
	}
	return Ratio{Numerator: float64(len(f.seen[station][mo])), Denominator: target}, true
}

// Counts implements Measure.
func (f *familiarity) Counts() MetricCounts {
	return MetricCounts{Numerator: CountHouseholdsVisited, Denominator: CountHouseholdVisitTarget}
}

// householdKey names the household or place a visit went to; "" when the
// visit names none.
func householdKey(v *geo.Visit) string {
	if v.KeyPlaceID != "" {
		return "place\x00" + v.KeyPlaceID
	}
	whom := strings.ToLower(strings.Join(strings.Fields(v.Whom), " "))
	if whom == "" {
		return ""
	}
	return "whom\x00" + v.CommunityGridID + "\x00" + v.PoliceGridID + "\x00" + whom
}

// RiskWarningMeasure measures 预警率 from visits and incidents: the
// station's incidents of the month whose police grid had a visit or
// contact of any kind in the WarningWindowDays before the incident (the
// grid's risks were being worked on before it happened) ÷ the station's
// incidents of the month. An incident in no police grid is counted but
// never warned. A month without incidents is not measured.
func RiskWarningMeasure(cfg AssessmentConfig, rec VisitRecord) Measure {
	loc := zoneOr(rec.Zone)
	window := time.Duration(cfg.WarningWindowDays * 24 * float64(time.Hour))
	byGrid := map[string][]time.Time{}
	for i := range rec.Visits {
		if g := rec.Visits[i].PoliceGridID; g != "" {
			byGrid[g] = append(byGrid[g], rec.Visits[i].At)
		}
	}
	for _, ts := range byGrid {
		slices.SortFunc(ts, time.Time.Compare)
	}
	counts := map[string]map[Month]Ratio{}
	for i := range rec.Incidents {
		inc := &rec.Incidents[i]
		if inc.StationID == "" {
			continue
		}
		mo := MonthOf(inc.OccurredAt, loc)
		if counts[inc.StationID] == nil {
			counts[inc.StationID] = map[Month]Ratio{}
		}
		r := counts[inc.StationID][mo]
		r.Denominator++
		if warnedBefore(byGrid[inc.PoliceGridID], inc.OccurredAt, window) {
			r.Numerator++
		}
		counts[inc.StationID][mo] = r
	}
	return &riskWarning{cover: coverageOf(rec), counts: counts}
}

// warnedBefore reports whether a visit of visits (ascending) fell in
// [at − window, at).
func warnedBefore(visits []time.Time, at time.Time, window time.Duration) bool {
	i, _ := slices.BinarySearchFunc(visits, at.Add(-window), time.Time.Compare)
	return i < len(visits) && visits[i].Before(at)
}

type riskWarning struct {
	cover  visitCoverage
	counts map[string]map[Month]Ratio
}

// Measure implements Measure.
func (r *riskWarning) Measure(station string, mo Month) (Ratio, bool) {
	if !r.cover.covers(mo) {
		return Ratio{}, false
	}
	got := r.counts[station][mo]
	return got, got.Denominator > 0
}

// Counts implements Measure.
func (r *riskWarning) Counts() MetricCounts {
	return MetricCounts{Numerator: CountIncidentsWarned, Denominator: CountIncidents}
}

// VisitMeasures returns the measure table of the metrics visits allow:
// familiarity and risk_warning. Metrics without a measure here
// (control_tasks, satisfaction) stay entered.
func VisitMeasures(cfg AssessmentConfig, rec VisitRecord) map[string]Measure {
	return map[string]Measure{
		MetricFamiliarity: FamiliarityMeasure(cfg, rec),
		MetricRiskWarning: RiskWarningMeasure(cfg, rec),
	}
}

func zoneOr(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
