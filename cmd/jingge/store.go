package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
)

// openStore opens the system of record: PostGIS when dbURL is set, else the
// embedded memory store holding the bundled Lantian dataset.
func openStore(ctx context.Context, dbURL string, logger *slog.Logger) (data.Store, error) {
	if dbURL != "" {
		return nil, errors.New("the PostGIS store is not built into this version yet")
	}
	ds, err := lantian.Load()
	if err != nil {
		return nil, err
	}
	st, err := memory.New(ds)
	if err != nil {
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	logger.InfoContext(ctx, "using the embedded store with the bundled Lantian dataset", "grids", len(ds.Grids), "stations", len(ds.Stations))
	return st, nil
}
