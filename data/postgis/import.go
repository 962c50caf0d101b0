package postgis

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgimport"
	"jingge/data/postgis/pgsnapshot"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// Import implements data.Importer. Everything happens in one transaction
// under the write lock: the dataset is checked (references in Go; validity,
// overlaps and gaps by PostGIS on staged copies of the geometries, loaded
// with COPY), and only a dataset without problems is written. The
// transaction commits only then, so a failed or dry-run import leaves the
// database exactly as it was and wakes no watcher.
func (s *Store) Import(ctx context.Context, ds *geo.Dataset, opts data.ImportOptions) (data.ImportReport, error) {
	rep := data.ImportReport{DryRun: opts.DryRun, Stations: len(ds.Stations), Townships: len(ds.Townships), Grids: len(ds.Grids), Members: len(ds.Members), Areas: len(ds.Areas), Places: len(ds.Places), Checkpoints: len(ds.Checkpoints)}
	// geo.Check holds every rule of geo.NewIndex, so a dataset imported
	// here is one every server can index.
	problems, brokenGrid, brokenCounty, brokenTownship := pgsql.CheckDataset(ds)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return rep, mapError("import", err)
	}
	defer tx.Rollback(context.Background())
	ts, err := lockWrites(ctx, tx)
	if err != nil {
		return rep, mapError("import", err)
	}
	im := pgimport.New(tx, ds, opts, &rep, ts)
	if err := im.Stage(ctx, brokenGrid, brokenCounty, brokenTownship); err != nil {
		return rep, mapError("import: staging", err)
	}
	geomProblems, err := im.CheckGeometry(ctx)
	if err != nil {
		return rep, mapError("import: checking geometry", err)
	}
	problems = append(problems, geomProblems...)
	if len(problems) > 0 {
		rep.Problems = problems
		return rep, mapError("import", &data.ValidationError{Problems: problems})
	}
	if err := im.Classify(ctx); err != nil {
		return rep, mapError("import", err)
	}
	if opts.DryRun {
		return rep, nil
	}
	cur, err := readOverlays(ctx, tx)
	if err != nil {
		return rep, mapError("import", err)
	}
	if err := im.Write(ctx, cur); err != nil {
		return rep, mapError("import", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return rep, mapError("import: commit", err)
	}
	return rep, nil
}

// lockWrites takes the schema's write lock for the rest of tx and returns
// the moment the change takes effect, read after the lock so that changes
// are timed in the order they commit.
func lockWrites(ctx context.Context, tx pgx.Tx) (time.Time, error) {
	if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock($1, hashtext(current_schema()))", lockWrite); err != nil {
		return time.Time{}, err
	}
	var ts time.Time
	err := tx.QueryRow(ctx, "select clock_timestamp()").Scan(&ts)
	return ts, err
}

// readOverlays reads the areas, places and checkpoints in force, whose
// versions an import continues.
func readOverlays(ctx context.Context, tx pgx.Tx) (*geo.Dataset, error) {
	cur := &geo.Dataset{}
	var err error
	if cur.Areas, err = pgsnapshot.Areas(ctx, tx, nil); err != nil {
		return nil, err
	}
	if cur.Places, err = pgsnapshot.Places(ctx, tx, nil); err != nil {
		return nil, err
	}
	if cur.Checkpoints, err = pgsnapshot.Checkpoints(ctx, tx, nil); err != nil {
		return nil, err
	}
	return cur, nil
}
