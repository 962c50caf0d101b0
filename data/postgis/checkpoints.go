package postgis

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var _ data.CheckpointEditor = (*Store)(nil)

// PutCheckpoint implements data.CheckpointEditor.
func (s *Store) PutCheckpoint(ctx context.Context, e data.CheckpointEdit) (geo.Checkpoint, error) {
	c := e.Checkpoint
	ds := &geo.Dataset{Meta: geo.Meta{Datum: "wgs84"}, Stations: []geo.Station{{ID: c.StationID, Region: geo.Plain}}, Checkpoints: []geo.Checkpoint{c}}
	problems := append(pgsql.CheckDatasetText(&geo.Dataset{Checkpoints: ds.Checkpoints}), geo.Check(ds)...)
	var cur geo.Checkpoint
	v, err := s.runOverlayEdit(ctx, overlayEdit{
		table: "checkpoints", kind: "checkpoint", id: c.ID, station: c.StationID, create: e.Create, base: e.BaseVersion, problems: problems,
		read: func(ctx context.Context, tx pgx.Tx) (int, bool, error) {
			err := tx.QueryRow(ctx, "select "+pgsql.CheckpointColumns+" from checkpoints where id = $1 and version_to is null", c.ID).Scan(pgsql.ScanCheckpoint(&cur)...)
			if errors.Is(err, pgx.ErrNoRows) {
				return 0, false, nil
			}
			return cur.Version, err == nil, err
		},
		same: func() bool { return geo.SameCheckpoint(&cur, &c) },
		insert: func(ctx context.Context, tx pgx.Tx, version, ord int, at any) error {
			_, err := tx.Exec(ctx, pgsql.InsertCheckpoint, c.ID, version, c.Name, c.StationID, c.Road, c.Notes, c.Location[0], c.Location[1], ord, at)
			return err
		},
	})
	if err != nil {
		return geo.Checkpoint{}, err
	}
	c.Version = v
	return c, nil
}

// DeleteCheckpoint implements data.CheckpointEditor.
func (s *Store) DeleteCheckpoint(ctx context.Context, d data.OverlayDelete) error {
	return s.deleteOverlay(ctx, "checkpoints", "checkpoint", d)
}
