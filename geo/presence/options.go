package presence

import (
	"fmt"
	"math"
	"time"
)

// Defaults for the zero fields of Options and Target.
const (
	// DefaultMaxGap is the longest a ping stands for: a phone reporting
	// every 5 s that misses a minute or two is still where it was, one
	// silent for longer may be anywhere.
	DefaultMaxGap = 2 * time.Minute
	// DefaultMinVisit is the shortest stay that counts as a visit; less is
	// passing through.
	DefaultMinVisit = 10 * time.Minute
	// DefaultTargetPerWeek is the visits a week a police grid of average
	// workload should have from its own officers.
	DefaultTargetPerWeek = 3.0
	// DefaultMinTargetPerWeek is the least any police grid should have.
	DefaultMinTargetPerWeek = 1.0
	// DefaultUnvisitedAfter is how long a police grid may go without a
	// visit by its own officers (a stay of MinVisit, or a recorded visit)
	// before a "grid not visited" event: a week, the period of the target.
	DefaultUnvisitedAfter = 7 * 24 * time.Hour
)

// Options tune a Summarizer. Zero fields take the defaults above; a nil
// Location counts days in UTC.
type Options struct {
	// MaxGap caps the time one ping stands for; the rest of a longer gap
	// before the officer's next ping is unknown.
	MaxGap time.Duration
	// MinVisit is the shortest stay in a police grid (its community grids
	// included) that counts as a visit.
	MinVisit time.Duration
	// Location is where days begin and end (the bureau's time zone).
	Location *time.Location
}

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	if o.MaxGap <= 0 {
		o.MaxGap = DefaultMaxGap
	}
	if o.MinVisit <= 0 {
		o.MinVisit = DefaultMinVisit
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return o
}

// Target says how many visits a week a police grid should have from its
// own officers: PerWeek for a grid of average workload, in proportion to
// the workload for the others, and never fewer than MinPerWeek.
type Target struct {
	PerWeek    float64 `json:"per_week"`
	MinPerWeek float64 `json:"min_per_week"`
}

// DefaultTarget returns the target with the default figures.
func DefaultTarget() Target {
	return Target{PerWeek: DefaultTargetPerWeek, MinPerWeek: DefaultMinTargetPerWeek}
}

// Check returns an error naming the first figure that is not a finite
// number ≥ 0, or a minimum above the average grid's target.
func (t Target) Check() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"per_week", t.PerWeek}, {"min_per_week", t.MinPerWeek}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return fmt.Errorf("presence: visit target %s is %v; use a number of visits a week from 0", f.name, f.v)
		}
	}
	if t.MinPerWeek > t.PerWeek {
		return fmt.Errorf("presence: visit target min_per_week %v is above per_week %v; the minimum must not exceed the average grid's target", t.MinPerWeek, t.PerWeek)
	}
	return nil
}

// For returns the visits a week a police grid of the given workload should
// have, where meanWorkload is the average over the grids compared, rounded
// to a tenth. Without a usable workload (meanWorkload ≤ 0, or workload not
// a finite number ≥ 0) every grid gets PerWeek.
func (t Target) For(workload, meanWorkload float64) float64 {
	v := t.PerWeek
	if meanWorkload > 0 && workload >= 0 && !math.IsInf(workload, 0) && !math.IsInf(meanWorkload, 0) {
		v = t.PerWeek * workload / meanWorkload
	}
	return math.Round(max(v, t.MinPerWeek)*10) / 10
}
