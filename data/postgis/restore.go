package postgis

import (
	"context"
	"errors"
	"fmt"

	"jingge/data"
	"jingge/data/postgis/pgrestore"
)

// ErrNotEmpty is returned by Restore into a database that already holds
// grids, incidents, plans, pings or users.
var ErrNotEmpty = errors.New("postgis: the database already holds data")

// Restore copies everything d holds into the database, in one
// transaction: the grids with their whole history, incidents (with their
// ids and the grid versions they were attributed to), plans, assessment
// entries, pings, officer states and events (with their ids), users,
// credentials, the audit log, and the idempotency keys of committed
// batches with their scopes and first use (a client retrying across the
// move is answered as a replay). The database must be new (migrated, with
// nothing in it): on any error, including ErrNotEmpty, nothing is stored.
// Grids whose geometry PostGIS finds invalid, or grids in force that
// overlap (the embedded store checks neither), fail it with the grid named.
func (s *Store) Restore(ctx context.Context, d *data.Dump) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return mapError("restore", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := lockWrites(ctx, tx); err != nil {
		return mapError("restore", err)
	}
	var used bool
	if err := tx.QueryRow(ctx, `select exists (select 1 from grids) or exists (select 1 from incidents) or exists (select 1 from plans)
		or exists (select 1 from patrol_pings) or exists (select 1 from users) or exists (select 1 from visits)
		or exists (select 1 from disputes) or exists (select 1 from tasks)`).Scan(&used); err != nil {
		return mapError("restore", err)
	}
	if used {
		return fmt.Errorf("%w: import a data directory only into a new database (jingge migrate makes one)", ErrNotEmpty)
	}
	if err := registerGeometry(ctx, tx.Conn()); err != nil {
		return mapError("restore", err)
	}
	for _, step := range pgrestore.Steps {
		if err := step.Write(ctx, tx, d); err != nil {
			return mapError("restore: "+step.What, err)
		}
	}
	if _, err := tx.Exec(ctx, "analyze"); err != nil {
		return mapError("restore", err)
	}
	return mapError("restore: commit", tx.Commit(ctx))
}
