package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// Snapshot returns the dataset in force, read in one consistent snapshot.
func (s *Store) Snapshot(ctx context.Context) (*geo.Dataset, error) {
	var ds *geo.Dataset
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		ds, err = readDataset(ctx, tx, nil)
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
		ds, err = readDataset(ctx, tx, &t)
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

// readDataset reads the dataset in force now, or at *at: grids, areas and
// key places in force at that moment plus the stations the grids name,
// with today's everything else.
func readDataset(ctx context.Context, tx pgx.Tx, at *time.Time) (*geo.Dataset, error) {
	ds := &geo.Dataset{Meta: geo.Meta{Datum: "wgs84"}}
	var meta []byte
	err := tx.QueryRow(ctx, "select meta from dataset_meta").Scan(&meta)
	switch {
	case err == pgx.ErrNoRows:
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(meta, &ds.Meta); err != nil {
			return nil, fmt.Errorf("dataset_meta.meta: %w", err)
		}
	}
	var county []byte
	err = tx.QueryRow(ctx, "select ST_AsBinary(geom) from county").Scan(&county)
	switch {
	case err == pgx.ErrNoRows:
	case err != nil:
		return nil, err
	default:
		if ds.County, err = pgsql.DecodeMulti(county); err != nil {
			return nil, fmt.Errorf("county: %w", err)
		}
	}
	if ds.Townships, err = readTownships(ctx, tx); err != nil {
		return nil, err
	}
	if at == nil {
		ds.Grids, err = readGrids(ctx, tx, "select "+gridColumns+" from grids where valid_to is null order by ord, id")
	} else {
		ds.Grids, err = readGrids(ctx, tx, "select "+gridColumns+" from grids where valid_from <= $1 and (valid_to is null or $1 < valid_to) order by ord, id", *at)
	}
	if err != nil {
		return nil, err
	}
	if ds.Stations, err = readStations(ctx, tx, at != nil, ds.Grids); err != nil {
		return nil, err
	}
	if ds.Members, err = readMembers(ctx, tx); err != nil {
		return nil, err
	}
	if ds.Areas, err = readAreas(ctx, tx, at); err != nil {
		return nil, err
	}
	if ds.Places, err = readPlaces(ctx, tx, at); err != nil {
		return nil, err
	}
	if ds.Checkpoints, err = readCheckpoints(ctx, tx, at); err != nil {
		return nil, err
	}
	keepPresentGrids(ds)
	return ds, nil
}

// keepPresentGrids drops from member grid lists the grids that are not in
// the snapshot: in the past some grids did not exist yet, and today a grid
// may have been retired by hand in SQL, which must not stop servers from
// building their index.
func keepPresentGrids(ds *geo.Dataset) {
	present := make(map[string]bool, len(ds.Grids))
	for _, g := range ds.Grids {
		present[g.ID] = true
	}
	for i := range ds.Members {
		kept := ds.Members[i].GridIDs[:0]
		for _, id := range ds.Members[i].GridIDs {
			if present[id] {
				kept = append(kept, id)
			}
		}
		ds.Members[i].GridIDs = kept
	}
}

func readTownships(ctx context.Context, tx pgx.Tx) ([]geo.Township, error) {
	rows, err := tx.Query(ctx, `
		select t.code, t.name, ST_AsBinary(t.geom),
		       (select array_agg(ts.station_id order by ts.ord) from township_stations ts where ts.township_code = t.code)
		from townships t order by t.ord, t.code`)
	if err != nil {
		return nil, err
	}
	var out []geo.Township
	var t geo.Township
	var wkb []byte
	_, err = pgx.ForEachRow(rows, []any{&t.Code, &t.Name, &wkb, &t.StationIDs}, func() error {
		mp, err := pgsql.DecodeMulti(wkb)
		if err != nil {
			return fmt.Errorf("township %s: %w", t.Code, err)
		}
		t.Geometry = mp
		out = append(out, t)
		t = geo.Township{}
		return nil
	})
	return out, err
}

// readStations reads the stations in force and, for a past snapshot, the
// retired stations its grids name.
func readStations(ctx context.Context, tx pgx.Tx, past bool, grids []geo.Grid) ([]geo.Station, error) {
	var named []string
	if past {
		seen := map[string]bool{}
		for _, g := range grids {
			if !seen[g.StationID] {
				seen[g.StationID] = true
				named = append(named, g.StationID)
			}
		}
	}
	rows, err := tx.Query(ctx, `
		select id, name, name_en, region, brand, phone, ST_X(location), ST_Y(location)
		from stations where retired_at is null or id = any($1)
		order by retired_at is not null, ord, id`, named)
	if err != nil {
		return nil, err
	}
	var out []geo.Station
	var st geo.Station
	var region string
	_, err = pgx.ForEachRow(rows, []any{&st.ID, &st.Name, &st.NameEN, &region, &st.Brand, &st.Phone, &st.Location[0], &st.Location[1]}, func() error {
		st.Region = geo.Terrain(region)
		out = append(out, st)
		return nil
	})
	return out, err
}

// gridColumns are the columns scanGrid reads, in order.
const gridColumns = "id, version, level, name, station_id, coalesce(parent_id, ''), township, population, coalesce(terrain, ''), ST_AsBinary(geom), valid_from, valid_to"

type gridRow struct {
	g         geo.Grid
	version   int
	level     string
	terrain   string
	wkb       []byte
	validFrom time.Time
	validTo   *time.Time
}

func (r *gridRow) dest() []any {
	return []any{&r.g.ID, &r.version, &r.level, &r.g.Name, &r.g.StationID, &r.g.ParentID, &r.g.Township, &r.g.Population, &r.terrain, &r.wkb, &r.validFrom, &r.validTo}
}

func (r *gridRow) grid() (geo.Grid, error) {
	mp, err := pgsql.DecodeMulti(r.wkb)
	if err != nil {
		return geo.Grid{}, fmt.Errorf("grid %s version %d: %w", r.g.ID, r.version, err)
	}
	g := r.g
	g.Level = geo.Level(r.level)
	g.Terrain = geo.Terrain(r.terrain)
	g.Geometry = mp
	return g, nil
}

func (r *gridRow) gridVersion() (data.GridVersion, error) {
	g, err := r.grid()
	gv := data.GridVersion{Grid: g, Version: r.version, ValidFrom: r.validFrom}
	if r.validTo != nil {
		gv.ValidTo = *r.validTo
	}
	return gv, err
}

func readGrids(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]geo.Grid, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var out []geo.Grid
	var r gridRow
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		g, err := r.grid()
		out = append(out, g)
		r = gridRow{}
		return err
	})
	return out, err
}

func readMembers(ctx context.Context, tx pgx.Tx) ([]geo.Member, error) {
	rows, err := tx.Query(ctx, `
		select m.id, m.name, m.role, m.phone, coalesce(m.station_id, ''),
		       coalesce((select array_agg(mg.grid_id order by mg.ord) from member_grids mg where mg.member_id = m.id), '{}'), m.roles
		from members m order by m.ord, m.id`)
	if err != nil {
		return nil, err
	}
	var out []geo.Member
	var m geo.Member
	var role string
	var roles []string
	_, err = pgx.ForEachRow(rows, []any{&m.ID, &m.Name, &role, &m.Phone, &m.StationID, &m.GridIDs, &roles}, func() error {
		m.Role = geo.Role(role)
		for _, r := range roles {
			m.Roles = append(m.Roles, geo.Role(r))
		}
		out = append(out, m)
		m = geo.Member{}
		return nil
	})
	return out, err
}

// GridHistory implements data.History.
func (s *Store) GridHistory(ctx context.Context, id string) ([]data.GridVersion, error) {
	rows, err := s.pool.Query(ctx, "select "+gridColumns+" from grids where id = $1 order by version", id)
	if err != nil {
		return nil, mapError("grid history", err)
	}
	var out []data.GridVersion
	var r gridRow
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		gv, err := r.gridVersion()
		out = append(out, gv)
		r = gridRow{}
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
