package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"jingge/api/planning"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/plan"
	"jingge/geo/roster"
)

// loadPlanConfig reads the planner's configuration from path (JSON holding
// only what differs from plan.DefaultConfig), or returns the defaults for "".
func loadPlanConfig(path string) (plan.Config, error) {
	if path == "" {
		return plan.DefaultConfig(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return plan.Config{}, fmt.Errorf("%w: --plan-config: %w", errUsage, err)
	}
	defer f.Close()
	cfg, err := plan.LoadConfig(f)
	if err != nil {
		return plan.Config{}, fmt.Errorf("%w: --plan-config %s: %w", errUsage, path, err)
	}
	return cfg, nil
}

// loadRosterConfig reads the roster rules from path (JSON, {"rules":
// [...]}, replacing the defaults), or returns the defaults for "".
func loadRosterConfig(path string) (roster.Config, error) {
	if path == "" {
		return roster.DefaultConfig(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return roster.Config{}, fmt.Errorf("%w: --roster-rules: %w", errUsage, err)
	}
	defer f.Close()
	cfg, err := roster.LoadConfig(f)
	if err != nil {
		return roster.Config{}, fmt.Errorf("%w: --roster-rules %s: %w", errUsage, path, err)
	}
	return cfg, nil
}

// newPlanner wires the planner to the store: plans, assessment entries,
// visits and tasks (the measured assessment metrics) and incidents come
// from the store where it keeps them (every store jingge opens keeps them
// all: PostGIS, the data directory, and the one-shot
// commands' embedded store, which keeps plans beside it in memory, see
// openStore). Response coverage starts from the
// latest positions of patrols when a patrol store is given.
func newPlanner(ctx context.Context, store data.Store, live *geo.Live, logger *slog.Logger, cfg plan.Config, rost roster.Config, patrols ...data.PatrolStore) (*planning.Planner, error) {
	opts := planning.Options{Index: live, Config: &cfg, Roster: &rost, Logger: logger}
	for _, ps := range patrols {
		if ps != nil {
			opts.Pings = planning.PatrolPings(ps)
		}
	}
	opts.Plans, _ = store.(data.PlanStore)
	opts.Assessments, _ = store.(data.AssessmentStore)
	opts.Visits, _ = store.(data.VisitStore)
	opts.Tasks, _ = store.(data.TaskStore)
	if is, ok := store.(data.IncidentStore); ok {
		opts.Incidents = planning.StoreIncidents(is)
	} else {
		logger.WarnContext(ctx, "the store keeps no incidents: workload comes from area and population alone")
	}
	return planning.New(opts)
}
