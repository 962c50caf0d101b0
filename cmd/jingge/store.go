package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/data/postgis"
)

// openStore opens the system of record: PostGIS when dbURL is set (the
// schema is migrated at open), else an embedded store in memory holding
// the bundled Lantian dataset, for the one-shot commands (serve keeps the
// embedded store in its data directory, openDataDir).
func openStore(ctx context.Context, dbURL string, logger *slog.Logger) (data.Store, error) {
	if dbURL != "" {
		st, err := postgis.Open(ctx, dbURL, postgis.Options{Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("PostGIS store: %w", err)
		}
		// Incidents and pings of this month and the next few find their
		// partitions ready; anything else lands in the default partition.
		now := time.Now()
		if _, err := st.EnsurePartitions(ctx, now.AddDate(0, -1, 0), now.AddDate(0, 3, 0)); err != nil {
			logger.WarnContext(ctx, "could not create the monthly partitions of incidents and patrol pings", "err", err)
		}
		logger.InfoContext(ctx, "using the PostGIS store", "schema", st.Schema())
		return st, nil
	}
	ds, err := lantian.Load()
	if err != nil {
		return nil, err
	}
	st, err := memory.New(ds)
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	if err := seedDemoIncidents(ctx, st, ds, logger); err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	// Plans and assessment figures are kept beside the dataset, for as
	// long as the process runs.
	ps := memory.WithPlans(st)
	if err := seedDemoAssessment(ctx, ps, ds, logger); err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	logger.InfoContext(ctx, "using the embedded store with the bundled Lantian dataset", "grids", len(ds.Grids), "stations", len(ds.Stations))
	return ps, nil
}

// openStore opens the store serve runs on: PostGIS when dbURL is set,
// else the embedded store kept in the data directory.
func (o serveOptions) openStore(ctx context.Context, dbURL string, logger *slog.Logger) (data.Store, error) {
	if dbURL != "" {
		return openStore(ctx, dbURL, logger)
	}
	return openDataDir(ctx, o.dataDir, o.access.authFile, logger)
}

// cliLogger is the logger of the one-shot commands: warnings and errors
// only, as text, so their output stays the report.
func cliLogger(stderr io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
