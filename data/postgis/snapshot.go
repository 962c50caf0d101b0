package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsnapshot"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// Snapshot returns the dataset in force, read in one consistent snapshot.
func (s *Store) Snapshot(ctx context.Context) (*geo.Dataset, error) {
	var ds *geo.Dataset
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		ds, err = pgsnapshot.Dataset(ctx, tx, nil)
		return err
	})
	if err != nil {
		return nil, mapError("snapshot", err)
	}
	return ds, nil
}

// SnapshotAt implements data.History.
func (s *Store) SnapshotAt(ctx context.Context, t time.Time) (*geo.Dataset, error) {
	var ds *geo.Dataset
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		ds, err = pgsnapshot.Dataset(ctx, tx, &t)
		return err
	})
	if err != nil {
		return nil, mapError("snapshot at "+t.Format(time.RFC3339), err)
	}
	return ds, nil
}

// readTx runs fn in a read-only repeatable-read transaction, so every
// query of a snapshot sees the same committed state.
func (s *Store) readTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// These are plain scans; compiling them (JIT) costs more than it saves.
		if _, err := tx.Exec(ctx, "set local jit = off"); err != nil {
			return err
		}
		return fn(tx)
	})
}

// GridHistory implements data.History.
func (s *Store) GridHistory(ctx context.Context, id string) ([]data.GridVersion, error) {
	rows, err := s.pool.Query(ctx, "select "+pgsql.GridColumns+" from grids where id = $1 order by version", id)
	if err != nil {
		return nil, mapError("grid history", err)
	}
	var out []data.GridVersion
	var r pgsql.GridRow
	_, err = pgx.ForEachRow(rows, r.Dest(), func() error {
		gv, err := r.GridVersion()
		out = append(out, gv)
		r = pgsql.GridRow{}
		return err
	})
	if err != nil {
		return nil, mapError("grid history", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("postgis: grid %q: %w", id, data.ErrNotFound)
	}
	return out, nil
}
