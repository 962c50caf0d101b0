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
	unvisitedAfter           time.Duration
	targetPerWeek, targetMin float64
}

func addPresenceFlags(fs *flag.FlagSet) *presenceFlags {
	var f presenceFlags
	fs.DurationVar(&f.maxGap, "presence-max-gap", presence.DefaultMaxGap, "the longest one patrol ping stands for when measuring officers' time in the grids; the rest of a longer silence is unknown")
	fs.DurationVar(&f.minVisit, "visit-min-stay", presence.DefaultMinVisit, "the shortest stay of an officer in their own police grid that counts as a visit")
	fs.Float64Var(&f.targetPerWeek, "visit-target", presence.DefaultTargetPerWeek, "visits a week a police grid of average workload should have from its own officers; other grids in proportion to their workload")
	fs.DurationVar(&f.unvisitedAfter, "unvisited-after", presence.DefaultUnvisitedAfter, "how long a police grid may go without a visit by its own officers (a stay of --visit-min-stay, or a recorded visit) before a \"grid_unvisited\" event (0 never)")
	fs.Float64Var(&f.targetMin, "visit-target-min", presence.DefaultMinTargetPerWeek, "the fewest visits a week any police grid should have")
	return &f
}

// withPresence gives cfg the presence service these flags describe (the
// defaults for nil flags), over cfg's patrol store, with targets scaled by
// the planner's workloads.
func withPresence(cfg api.Config, f *presenceFlags, live *geo.Live, planner *planning.Planner) (api.Config, error) {
	if f == nil {
		f = &presenceFlags{unvisitedAfter: presence.DefaultUnvisitedAfter} // other zero fields take the defaults
	}
	opts := prevention.Options{Index: live, Pings: cfg.Patrols, Visits: cfg.Visits, Presence: presence.Options{MaxGap: f.maxGap, MinVisit: f.minVisit},
		Target: presence.Target{PerWeek: f.targetPerWeek, MinPerWeek: f.targetMin}, UnvisitedAfter: f.unvisitedAfter}
	if f.unvisitedAfter == 0 {
		opts.UnvisitedAfter = -1 // --unvisited-after 0: never
	}
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
