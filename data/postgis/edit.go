package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// EditGrid implements data.GridEditor: in one transaction under the write
// lock it closes the version in force and inserts the next one, with an
// audit row. The schema's trigger rejects a geometry that overlaps another
// grid of the same level; that and every other content problem come back
// as a *data.ValidationError naming the grid.
func (s *Store) EditGrid(ctx context.Context, e data.GridEdit) (data.GridVersion, error) {
	g := e.Grid
	invalid := func(format string, args ...any) (data.GridVersion, error) {
		return data.GridVersion{}, mapError("edit grid", &data.ValidationError{Problems: []data.Problem{{Kind: "grid", ID: g.ID, Reason: fmt.Sprintf(format, args...)}}})
	}
	if err := geo.CheckRings(g.Geometry); err != nil {
		return invalid("%v", err)
	}
	if g.Population < 0 {
		return invalid("population %d is negative", g.Population)
	}
	if g.Terrain != "" && !g.Terrain.Valid() {
		return invalid("terrain %q is not one of hill, plateau, plain, mountain (leave it out to take the station's region)", g.Terrain)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return data.GridVersion{}, mapError("edit grid", err)
	}
	defer tx.Rollback(context.Background())
	if err := claimKey(ctx, tx, e.Key, e.Answer != nil); err != nil {
		return data.GridVersion{}, err
	}
	ts, err := lockWrites(ctx, tx)
	if err != nil {
		return data.GridVersion{}, mapError("edit grid", err)
	}
	var cur pgsql.GridRow
	err = tx.QueryRow(ctx, "select "+pgsql.GridColumns+" from grids where id = $1 and valid_to is null", g.ID).Scan(cur.Dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.GridVersion{}, fmt.Errorf("postgis: edit grid %q: %w (no grid with this code is in force)", g.ID, data.ErrNotFound)
	}
	if err != nil {
		return data.GridVersion{}, mapError("edit grid", err)
	}
	old, err := cur.GridVersion()
	if err != nil {
		return data.GridVersion{}, mapError("edit grid", err)
	}
	if e.BaseVersion != 0 && e.BaseVersion != old.Version {
		return data.GridVersion{}, fmt.Errorf("postgis: edit grid %s: %w: the edit was made against version %d but version %d is in force; reload and edit again", g.ID, data.ErrConflict, e.BaseVersion, old.Version)
	}
	problem, err := checkEditContent(ctx, tx, g, old.Grid)
	if err != nil {
		return data.GridVersion{}, mapError("edit grid", err)
	}
	if problem != "" {
		return invalid("%s", problem)
	}
	out := old
	switch {
	case !sameContent(old.Grid, g):
		if err := nameEditedGrid(ctx, tx, g.ID); err != nil {
			return data.GridVersion{}, mapError("edit grid", err)
		}
		if out, err = insertVersion(ctx, tx, e, old.Version, ts); err != nil {
			return data.GridVersion{}, err
		}
	case e.Key == nil:
		return old, nil
	}
	// With a key the answer is kept even when nothing changed: a retry
	// must get it, not the answer of an edit made meanwhile.
	if e.Key != nil {
		if err := keepAnswer(ctx, tx, e.Key, e.Answer(out), ts); err != nil {
			return data.GridVersion{}, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return data.GridVersion{}, mapError("edit grid: commit", err)
	}
	return out, nil
}

// insertVersion closes the version in force of e's grid (oldVersion) at
// ts and inserts e.Grid as the next one, with its audit row.
func insertVersion(ctx context.Context, tx pgx.Tx, e data.GridEdit, oldVersion int, ts time.Time) (data.GridVersion, error) {
	g := e.Grid
	var version int
	err := tx.QueryRow(ctx, `
		with closed as (update grids set valid_to = $2 where id = $1 and valid_to is null returning ord)
		insert into grids (id, version, level, name, station_id, parent_id, township, population, terrain, geom, ord, valid_from)
		select $1, (select max(version) + 1 from grids where id = $1), $3, $4, $5, $6, $7, $8, $10, ST_Multi(ST_GeomFromWKB($9, 4326)), closed.ord, $2
		from closed
		returning version`,
		g.ID, ts, string(g.Level), g.Name, g.StationID, pgsql.NullIfEmpty(g.ParentID), g.Township, g.Population, pgsql.EncodeMulti(g.Geometry), pgsql.NullIfEmpty(string(g.Terrain))).Scan(&version)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "JG002" {
			return data.GridVersion{}, mapError("edit grid", &data.ValidationError{Problems: []data.Problem{{Kind: "grid", ID: g.ID, Reason: pgErr.Message}}})
		}
		return data.GridVersion{}, mapError("edit grid", err)
	}
	actor := e.Actor
	if actor == "" {
		actor = "edit"
	}
	if _, err := tx.Exec(ctx, `insert into grid_audit (at, actor, action, grid_id, old_version, new_version, reason)
		values ($1, $2, 'update', $3, $4, $5, $6)`, ts, actor, g.ID, oldVersion, version, e.Reason); err != nil {
		return data.GridVersion{}, mapError("edit grid", err)
	}
	out := data.GridVersion{Grid: g, Version: version, ValidFrom: ts}
	out.Grid.Geometry = g.Geometry.Clone()
	return out, nil
}

// checkEditContent checks the new version g of grid old against the
// database: the level kept, what it refers to, a valid geometry. It
// returns a problem in words, or an error of the database.
func checkEditContent(ctx context.Context, tx pgx.Tx, g, old geo.Grid) (string, error) {
	if g.Level != old.Level {
		return fmt.Sprintf("level cannot change from %s to %s by an edit; import a new dataset instead", old.Level, g.Level), nil
	}
	if problem, err := checkEditReferences(ctx, tx, g, old); err != nil || problem != "" {
		return problem, err
	}
	var valid bool
	var reason string
	if err := tx.QueryRow(ctx, "select ST_IsValid(g), ST_IsValidReason(g) from (select ST_GeomFromWKB($1, 4326) as g) x", pgsql.EncodeMulti(g.Geometry)).Scan(&valid, &reason); err != nil {
		return "", err
	}
	if !valid {
		return "invalid geometry: " + pgsql.HumanReason(reason), nil
	}
	return "", nil
}

// checkEditReferences checks what the new version of a grid refers to
// against the grids and stations in force, and returns a problem in words.
func checkEditReferences(ctx context.Context, tx pgx.Tx, g, old geo.Grid) (string, error) {
	var stationOK bool
	if err := tx.QueryRow(ctx, "select exists (select 1 from stations where id = $1 and retired_at is null)", g.StationID).Scan(&stationOK); err != nil {
		return "", err
	}
	if !stationOK {
		return fmt.Sprintf("station %q is not a station in force", g.StationID), nil
	}
	switch g.Level {
	case geo.PoliceLevel:
		if g.ParentID != "" {
			return fmt.Sprintf("a police grid cannot have a parent grid (%q)", g.ParentID), nil
		}
		if g.StationID != old.StationID {
			var children []string
			if err := tx.QueryRow(ctx, `select coalesce(array_agg(id order by id), '{}') from grids
				where parent_id = $1 and valid_to is null and station_id <> $2`, g.ID, g.StationID).Scan(&children); err != nil {
				return "", err
			}
			if len(children) > 0 {
				return fmt.Sprintf("its community grids %v still belong to station %q; move them first", children, old.StationID), nil
			}
		}
	case geo.CommunityLevel:
		if g.ParentID == "" {
			return "", nil
		}
		var level, station string
		err := tx.QueryRow(ctx, "select level, station_id from grids where id = $1 and valid_to is null", g.ParentID).Scan(&level, &station)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Sprintf("parent grid %q is not a grid in force", g.ParentID), nil
		case err != nil:
			return "", err
		case level != string(geo.PoliceLevel):
			return fmt.Sprintf("parent grid %q is not a police grid", g.ParentID), nil
		case station != g.StationID:
			return fmt.Sprintf("its station %q differs from the station %q of its police grid %s", g.StationID, station, g.ParentID), nil
		}
	}
	return "", nil
}

func sameContent(a, b geo.Grid) bool {
	return a.Level == b.Level && a.Name == b.Name && a.StationID == b.StationID && a.ParentID == b.ParentID &&
		a.Township == b.Township && a.Population == b.Population && a.Terrain == b.Terrain && orb.Equal(a.Geometry, b.Geometry)
}
