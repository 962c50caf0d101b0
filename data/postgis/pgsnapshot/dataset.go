package pgsnapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// Dataset reads the dataset in force now, or at *at: grids, areas and
// key places in force at that moment plus the stations the grids name,
// with today's everything else.
func Dataset(ctx context.Context, tx pgx.Tx, at *time.Time) (*geo.Dataset, error) {
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
		ds.Grids, err = ReadGrids(ctx, tx, "select "+pgsql.GridColumns+" from grids where valid_to is null order by ord, id")
	} else {
		ds.Grids, err = ReadGrids(ctx, tx, "select "+pgsql.GridColumns+" from grids where valid_from <= $1 and (valid_to is null or $1 < valid_to) order by ord, id", *at)
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
	if ds.Areas, err = Areas(ctx, tx, at); err != nil {
		return nil, err
	}
	if ds.Places, err = Places(ctx, tx, at); err != nil {
		return nil, err
	}
	if ds.Checkpoints, err = Checkpoints(ctx, tx, at); err != nil {
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

// ReadGrids runs sql, a select of pgsql.GridColumns, and decodes the
// grids it returns, in its order.
func ReadGrids(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]geo.Grid, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var out []geo.Grid
	var r pgsql.GridRow
	_, err = pgx.ForEachRow(rows, r.Dest(), func() error {
		g, err := r.Grid()
		out = append(out, g)
		r = pgsql.GridRow{}
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
