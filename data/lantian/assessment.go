package lantian

import (
	"math"
	"math/rand/v2"
	"time"

	"jingge/data"
	"jingge/geo"
)

// AssessmentUntil synthesises the four metrics each station reports for
// the monthly assessment (familiarity, risk early warning, control tasks,
// service satisfaction) for the twelve whole months before the month end
// falls in, China time. Each station keeps a character of its own (some
// know their residents better, some warn of more risks), drifting slowly
// from month to month with noise on top; denominators grow with the
// station's population. The same dataset, seed and end give the same
// entries, each scored by another station. None of them were reported.
func AssessmentUntil(ds *geo.Dataset, seed uint64, end time.Time) []data.AssessmentEntry {
	rng := rand.New(rand.NewPCG(seed, 0x6b616f70))
	population := map[string]int{}
	for i := range ds.Grids {
		if g := &ds.Grids[i]; g.Level == geo.CommunityLevel {
			population[g.StationID] += g.Population
		}
	}
	y, m, _ := end.In(chinaTime).Date()
	first := time.Date(y, m-12, 1, 0, 0, 0, 0, chinaTime)
	// The four metrics: a typical rate, how far stations differ, and
	// denominators per 10,000 residents (checked, risks found, tasks
	// assigned, residents asked).
	metrics := [4]struct{ rate, spread, per10k, least float64 }{
		{0.86, 0.06, 120, 40}, // familiarity
		{0.78, 0.09, 6, 4},    // risk early warning
		{0.91, 0.05, 25, 10},  // control tasks
		{0.93, 0.04, 45, 30},  // satisfaction
	}
	var out []data.AssessmentEntry
	for k, st := range ds.Stations {
		// The cross-assessment: each station scored by the next in the
		// list, the last by the first.
		scorer := ds.Stations[(k+1)%len(ds.Stations)].ID
		if scorer == st.ID {
			scorer = "" // a county of one station has no one to score it
		}
		var level, drift [4]float64
		for k, mt := range metrics {
			level[k] = mt.rate + mt.spread*(2*rng.Float64()-1)
			drift[k] = 0.004 * (2*rng.Float64() - 1)
		}
		scale := float64(population[st.ID]) / 10000
		for i := range 12 {
			month := first.AddDate(0, i, 0)
			e := data.AssessmentEntry{StationID: st.ID, Month: month.Format("2006-01"), ScoredBy: scorer}
			ratios := [4]*data.Ratio{&e.Familiarity, &e.RiskWarning, &e.ControlTasks, &e.Satisfaction}
			for k, mt := range metrics {
				den := math.Round(math.Max(mt.least, mt.per10k*scale*(0.8+0.4*rng.Float64())))
				rate := level[k] + drift[k]*float64(i) + 0.025*rng.NormFloat64()
				rate = math.Min(1, math.Max(0.3, rate))
				*ratios[k] = data.Ratio{Numerator: math.Round(den * rate), Denominator: den}
			}
			out = append(out, e)
		}
	}
	return out
}
