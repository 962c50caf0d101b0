package main

import (
	"flag"
	"fmt"
	"time"

	"jingge/api"
	"jingge/api/planning"
	"jingge/api/prevention"
	"jingge/geo"
	"jingge/geo/presence"
)

// presenceFlags tune how presence in the grids is measured from pings.
type presenceFlags struct {
	maxGap, minVisit         time.Duration
	targetPerWeek, targetMin float64
}

func addPresenceFlags(fs *flag.FlagSet) *presenceFlags {
	var f presenceFlags
	fs.DurationVar(&f.maxGap, "presence-max-gap", presence.DefaultMaxGap, "the longest one patrol ping stands for when measuring officers' time in the grids; the rest of a longer silence is unknown")
	fs.DurationVar(&f.minVisit, "visit-min-stay", presence.DefaultMinVisit, "the shortest stay of an officer in their own police grid that counts as a visit")
	fs.Float64Var(&f.targetPerWeek, "visit-target", presence.DefaultTargetPerWeek, "visits a week a police grid of average workload should have from its own officers; other grids in proportion to their workload")
	fs.Float64Var(&f.targetMin, "visit-target-min", presence.DefaultMinTargetPerWeek, "the fewest visits a week any police grid should have")
	return &f
}

// withPresence gives cfg the presence service these flags describe (the
// defaults for nil flags), over cfg's patrol store, with targets scaled by
// the planner's workloads.
func withPresence(cfg api.Config, f *presenceFlags, live *geo.Live, planner *planning.Planner) (api.Config, error) {
	if f == nil {
		f = &presenceFlags{} // zero fields take the defaults
	}
	opts := prevention.Options{Index: live, Pings: cfg.Patrols, Presence: presence.Options{MaxGap: f.maxGap, MinVisit: f.minVisit},
		Target: presence.Target{PerWeek: f.targetPerWeek, MinPerWeek: f.targetMin}}
	if planner != nil {
		opts.Workloads = planner.GridWorkloads
	}
	svc, err := prevention.New(opts)
	if err != nil {
		return cfg, fmt.Errorf("%w: --visit-target: %w", errUsage, err)
	}
	cfg.Presence = svc
	return cfg, nil
}
