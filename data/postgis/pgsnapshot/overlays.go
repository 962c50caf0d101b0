package pgsnapshot

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// Areas reads the areas in force now, or at *at, in dataset order.
func Areas(ctx context.Context, tx pgx.Tx, at *time.Time) ([]geo.Area, error) {
	where, args := pgsql.OverlayWhere(at)
	rows, err := tx.Query(ctx, "select "+pgsql.OverlayColumns+", ST_AsBinary(geom) from areas"+where, args...)
	if err != nil {
		return nil, err
	}
	var out []geo.Area
	var r pgsql.OverlayRow
	var wkb []byte
	_, err = pgx.ForEachRow(rows, append(r.Dest(), &wkb), func() error {
		a := r.Area(nil)
		mp, err := pgsql.DecodeMulti(wkb)
		if err != nil {
			return fmt.Errorf("area %s version %d: %w", a.ID, a.Version, err)
		}
		a.Geometry = mp
		out = append(out, a)
		return nil
	})
	return out, err
}

// Places reads the key places in force now, or at *at, in dataset order.
func Places(ctx context.Context, tx pgx.Tx, at *time.Time) ([]geo.Place, error) {
	where, args := pgsql.OverlayWhere(at)
	rows, err := tx.Query(ctx, "select "+pgsql.OverlayColumns+", ST_X(location), ST_Y(location) from places"+where, args...)
	if err != nil {
		return nil, err
	}
	var out []geo.Place
	var r pgsql.OverlayRow
	var lon, lat float64
	_, err = pgx.ForEachRow(rows, append(r.Dest(), &lon, &lat), func() error {
		out = append(out, r.Place([2]float64{lon, lat}))
		return nil
	})
	return out, err
}

// Checkpoints reads the checkpoints in force now, or at *at, in
// dataset order.
func Checkpoints(ctx context.Context, tx pgx.Tx, at *time.Time) ([]geo.Checkpoint, error) {
	where, args := pgsql.OverlayWhere(at)
	rows, err := tx.Query(ctx, "select "+pgsql.CheckpointColumns+" from checkpoints"+where, args...)
	if err != nil {
		return nil, err
	}
	var out []geo.Checkpoint
	var c geo.Checkpoint
	_, err = pgx.ForEachRow(rows, pgsql.ScanCheckpoint(&c), func() error {
		out = append(out, c)
		return nil
	})
	return out, err
}
