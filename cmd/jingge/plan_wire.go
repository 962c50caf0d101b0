package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"jingge/api"
	"jingge/data"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/plan"
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

// newPlanner wires the planner to the store: plans, assessment entries and
// incidents come from the store where it keeps them; the embedded store
// gets a plan store in memory beside it. Response coverage starts from the
// latest positions of patrols when a patrol store is given.
func newPlanner(ctx context.Context, store data.Store, live *geo.Live, logger *slog.Logger, cfg plan.Config, patrols ...data.PatrolStore) (*api.Planner, error) {
	opts := api.PlannerOptions{Index: live, Config: &cfg, Logger: logger}
	for _, ps := range patrols {
		if ps != nil {
			opts.Pings = api.PatrolPings(ps)
		}
	}
	if ms, ok := store.(*memory.Store); ok {
		ps := memory.WithPlans(ms)
		opts.Plans, opts.Assessments = ps, ps
	} else {
		opts.Plans, _ = store.(data.PlanStore)
		opts.Assessments, _ = store.(data.AssessmentStore)
	}
	if is, ok := store.(data.IncidentStore); ok {
		opts.Incidents = api.StoreIncidents(is)
	} else {
		logger.WarnContext(ctx, "the store keeps no incidents: workload comes from area and population alone")
	}
	return api.NewPlanner(opts)
}
