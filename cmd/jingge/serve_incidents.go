package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"jingge/api"
	"jingge/api/incidents"
	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/tiles"
)

// withIncidents gives cfg what store offers for incidents and grid edits:
// the incident store with its tile layer, the grid history incidents (and
// visits and disputes) are attributed against, the grid editor, and the visit, dispute and task
// stores. A store without them leaves
// those routes off.
func withIncidents(cfg api.Config, store data.Store) api.Config {
	if is, ok := store.(data.IncidentStore); ok {
		cfg.Incidents = is
		cfg.IncidentTiles = tiles.NewIncidentLayer(cfg.Index, incidents.TileSource(is), tiles.IncidentLayerOptions{})
	}
	if tl, ok := store.(data.GridTimeline); ok {
		cfg.GridHistory = tl
	}
	if oe, ok := store.(data.OverlayEditor); ok {
		cfg.Overlays = oe
	}
	if ce, ok := store.(data.CheckpointEditor); ok {
		cfg.Checkpoints = ce
	}
	if ge, ok := store.(data.GridEditor); ok {
		cfg.GridEditor = ge
	}
	if vs, ok := store.(data.VisitStore); ok {
		cfg.Visits = vs
	}
	if ds, ok := store.(data.DisputeStore); ok {
		cfg.Disputes = ds
	}
	if ts, ok := store.(data.TaskStore); ok {
		cfg.Tasks = ts
	}
	return cfg
}

// followIncidents redraws the incident tiles whenever another server
// sharing the store adds incidents, so every replica's wall map shows them
// at once, until ctx ends; the returned channel closes then. A store that
// cannot tell (the embedded one has no other servers) changes nothing.
func followIncidents(ctx context.Context, store data.Store, layer *tiles.IncidentLayer) (<-chan struct{}, error) {
	done := make(chan struct{})
	iw, ok := store.(data.IncidentWatcher)
	if !ok || layer == nil {
		close(done)
		return done, nil
	}
	ch, err := iw.WatchIncidents(ctx)
	if err != nil {
		return nil, err
	}
	go func() {
		defer close(done)
		for range ch {
			layer.Invalidate()
		}
	}()
	return done, nil
}

// seedDemoIncidents gives the embedded store the bundled year of synthetic
// incidents, ending at the start of the current hour, so the demo has a
// history that looks current and a wall opened late in the day still has
// a day of incidents in its last 24 hours. Visits, disputes and tasks end
// at the start of today in the dataset's local time. The generator places
// them with the grids ds holds, which are the store's first and only grids.
func seedDemoIncidents(ctx context.Context, st *memory.Store, ds *geo.Dataset, logger *slog.Logger) error {
	start := time.Now()
	zone, err := ds.Meta.Location()
	if err != nil {
		return fmt.Errorf("synthetic incidents: %w", err)
	}
	y, m, d := start.In(zone).Date()
	end := time.Date(y, m, d, 0, 0, 0, 0, zone)
	incidents, err := lantian.IncidentsUntil(ds, lantian.DefaultSeed, start.Truncate(time.Hour))
	if err != nil {
		return fmt.Errorf("synthetic incidents: %w", err)
	}
	if _, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: incidents}); err != nil {
		return fmt.Errorf("synthetic incidents: %w", err)
	}
	logger.InfoContext(ctx, "the embedded store holds a year of synthetic incidents", "incidents", len(incidents), "until", start.Truncate(time.Hour).In(zone).Format("2006-01-02 15:04"), "duration", time.Since(start))
	return seedDemoVisits(ctx, st, ds, incidents, end, logger)
}

// seedDemoVisits gives the embedded store the year of synthetic visits by
// the grids' own officers that goes with the synthetic incidents (follow-
// ups after them), ending at the same time, so the map's days since the
// last visit and the planner's presence table are filled.
func seedDemoVisits(ctx context.Context, st *memory.Store, ds *geo.Dataset, incidents []geo.Incident, end time.Time, logger *slog.Logger) error {
	visits, err := lantian.VisitsUntil(ds, lantian.DefaultSeed, end, incidents)
	if err != nil {
		return fmt.Errorf("synthetic visits: %w", err)
	}
	for _, v := range visits {
		if _, err := st.AddVisit(ctx, data.VisitWrite{Visit: v}); err != nil {
			return fmt.Errorf("synthetic visits: %w", err)
		}
	}
	logger.InfoContext(ctx, "the embedded store holds a year of synthetic visits", "visits", len(visits))
	return nil
}

// seedDemoWork gives the embedded store a year of synthetic disputes and
// task lists ending today in China time, recorded by
// lantian.SyntheticRecorder, so the dispute and task summaries have
// figures for every month of the demo year.
func seedDemoWork(ctx context.Context, st *memory.Store, ds *geo.Dataset, logger *slog.Logger) error {
	start := time.Now()
	zone, err := ds.Meta.Location()
	if err != nil {
		return fmt.Errorf("synthetic disputes: %w", err)
	}
	y, m, d := start.In(zone).Date()
	end := time.Date(y, m, d, 0, 0, 0, 0, zone)
	disputes, err := lantian.DisputesUntil(ds, lantian.DefaultSeed, end)
	if err != nil {
		return fmt.Errorf("synthetic disputes: %w", err)
	}
	tasks := lantian.TasksUntil(ds, lantian.DefaultSeed, end)
	if err := st.AddWork(ctx, disputes, tasks); err != nil {
		return fmt.Errorf("synthetic disputes and tasks: %w", err)
	}
	logger.InfoContext(ctx, "the embedded store holds a year of synthetic disputes and tasks", "disputes", len(disputes), "tasks", len(tasks), "until", end.Format(time.DateOnly), "duration", time.Since(start))
	return nil
}

// seedDemoAssessment gives the embedded store a year of synthetic monthly
// figures the stations report for the assessment, ending with last month
// in China time, so the demo's assessment shows all six metrics.
func seedDemoAssessment(ctx context.Context, st *memory.PlanStore, ds *geo.Dataset, logger *slog.Logger) error {
	entries := lantian.AssessmentUntil(ds, lantian.DefaultSeed, time.Now())
	if err := st.PutAssessment(ctx, data.AssessmentWrite{Entries: entries, Actor: "demo"}); err != nil {
		return fmt.Errorf("synthetic assessment figures: %w", err)
	}
	logger.InfoContext(ctx, "the embedded store holds a year of synthetic assessment figures", "entries", len(entries))
	return nil
}
