package postgis

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var _ data.OverlayEditor = (*Store)(nil)

// overlayCheck runs geo.Check and the text check over one area or place,
// with a stand-in for its station (whose existence the database checks).
func overlayCheck(station string, areas []geo.Area, places []geo.Place) []data.Problem {
	ds := &geo.Dataset{Meta: geo.Meta{Datum: "wgs84"}, Stations: []geo.Station{{ID: station, Region: geo.Plain}}, Areas: areas, Places: places}
	return append(pgsql.CheckDatasetText(&geo.Dataset{Areas: areas, Places: places}), geo.Check(ds)...)
}

// overlayEdit is what PutArea and PutPlace share: in one transaction under
// the write lock, the rules of Create and BaseVersion against the version
// in force, the owner station in force, then insert (given the next
// version and the dataset position) unless same says nothing changed.
type overlayEdit struct {
	table, kind, id, station string
	create                   bool
	base                     int
	// problems are those found without the database; the owner station's
	// are added to them, so one answer names every field at fault.
	problems []data.Problem
	// read reads the version in force of id, false when there is none.
	read func(ctx context.Context, tx pgx.Tx) (version int, found bool, err error)
	// same reports whether the version in force has the new content.
	same func() bool
	// insert writes the new version.
	insert func(ctx context.Context, tx pgx.Tx, version, ord int, at any) error
}

// runOverlayEdit applies e and returns the version in force after it.
func (s *Store) runOverlayEdit(ctx context.Context, e overlayEdit) (int, error) {
	op := "put " + e.kind
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, mapError(op, err)
	}
	defer tx.Rollback(context.Background())
	ts, err := lockWrites(ctx, tx)
	if err != nil {
		return 0, mapError(op, err)
	}
	var stationOK bool
	if err := tx.QueryRow(ctx, "select exists (select 1 from stations where id = $1 and retired_at is null)", e.station).Scan(&stationOK); err != nil {
		return 0, mapError(op, err)
	}
	if !stationOK {
		e.problems = append(e.problems, data.Problem{Code: geo.ProblemUnknownReference, Kind: e.kind, ID: e.id,
			Reason: fmt.Sprintf("owner station %q is not a station in force", e.station)})
	}
	if len(e.problems) > 0 {
		return 0, mapError(op, &data.ValidationError{Problems: e.problems})
	}
	version, found, err := e.read(ctx, tx)
	if err != nil {
		return 0, mapError(op, err)
	}
	switch {
	case e.create && found:
		return 0, fmt.Errorf("postgis: %s %s: %w: the id is in force already; PUT to change it", e.kind, e.id, data.ErrConflict)
	case !found && e.base != 0:
		return 0, fmt.Errorf("postgis: %s %q: %w (none with this id is in force)", e.kind, e.id, data.ErrNotFound)
	case found && e.base != 0 && e.base != version:
		return 0, fmt.Errorf("postgis: %s %s: %w: the edit was made against version %d but version %d is in force; reload and edit again", e.kind, e.id, data.ErrConflict, e.base, version)
	}
	if found && e.same() {
		return version, nil
	}
	table := pgx.Identifier{e.table}.Sanitize()
	var next, ord int
	err = tx.QueryRow(ctx, `select coalesce((select max(version) from `+table+` where id = $1), 0) + 1,
		coalesce((select ord from `+table+` where id = $1 and version_to is null), (select count(*) from `+table+` where version_to is null))`, e.id).Scan(&next, &ord)
	if err != nil {
		return 0, mapError(op, err)
	}
	if _, err := tx.Exec(ctx, "update "+table+" set version_to = $2 where id = $1 and version_to is null", e.id, ts); err != nil {
		return 0, mapError(op, err)
	}
	if err := e.insert(ctx, tx, next, ord, ts); err != nil {
		return 0, mapError(op, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, mapError(op+": commit", err)
	}
	return next, nil
}

// PutArea implements data.OverlayEditor. PostGIS checks the geometry's
// validity (ST_IsValid); areas may overlap anything.
func (s *Store) PutArea(ctx context.Context, e data.AreaEdit) (geo.Area, error) {
	a := e.Area
	a.Geometry = a.Geometry.Clone()
	problems := overlayCheck(a.StationID, []geo.Area{a}, nil)
	wkb := pgsql.EncodeMulti(a.Geometry)
	var cur geo.Area
	v, err := s.runOverlayEdit(ctx, overlayEdit{
		table: "areas", kind: "area", id: a.ID, station: a.StationID, create: e.Create, base: e.BaseVersion, problems: problems,
		read: func(ctx context.Context, tx pgx.Tx) (int, bool, error) {
			var valid bool
			var reason string
			if err := tx.QueryRow(ctx, "select ST_IsValid(g), ST_IsValidReason(g) from (select ST_GeomFromWKB($1, 4326) as g) x", wkb).Scan(&valid, &reason); err != nil {
				return 0, false, err
			}
			if !valid {
				return 0, false, &data.ValidationError{Problems: []data.Problem{{Code: geo.ProblemMalformedGeometry, Kind: "area", ID: a.ID, Reason: "invalid geometry: " + pgsql.HumanReason(reason)}}}
			}
			var r pgsql.OverlayRow
			var cwkb []byte
			err := tx.QueryRow(ctx, "select "+pgsql.OverlayColumns+", ST_AsBinary(geom) from areas where id = $1 and version_to is null", a.ID).Scan(append(r.Dest(), &cwkb)...)
			if errors.Is(err, pgx.ErrNoRows) {
				return 0, false, nil
			}
			if err != nil {
				return 0, false, err
			}
			mp, err := pgsql.DecodeMulti(cwkb)
			cur = r.Area(mp)
			return cur.Version, true, err
		},
		same: func() bool { return geo.SameArea(&cur, &a) },
		insert: func(ctx context.Context, tx pgx.Tx, version, ord int, at any) error {
			_, err := tx.Exec(ctx, `insert into areas (id, version, name, kind, station_id, liaison_name, liaison_phone, opening, valid_from, valid_to, geom, ord, version_from)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ST_Multi(ST_GeomFromWKB($11, 4326)), $12, $13)`,
				a.ID, version, a.Name, string(a.Kind), a.StationID, a.Liaison.Name, a.Liaison.Phone, a.Opening, pgsql.NullTime(a.ValidFrom), pgsql.NullTime(a.ValidTo), wkb, ord, at)
			return err
		},
	})
	if err != nil {
		return geo.Area{}, err
	}
	a.Version = v
	return a, nil
}

// PutPlace implements data.OverlayEditor.
func (s *Store) PutPlace(ctx context.Context, e data.PlaceEdit) (geo.Place, error) {
	p := e.Place
	problems := overlayCheck(p.StationID, nil, []geo.Place{p})
	var cur geo.Place
	v, err := s.runOverlayEdit(ctx, overlayEdit{
		table: "places", kind: "place", id: p.ID, station: p.StationID, create: e.Create, base: e.BaseVersion, problems: problems,
		read: func(ctx context.Context, tx pgx.Tx) (int, bool, error) {
			var r pgsql.OverlayRow
			var lon, lat float64
			err := tx.QueryRow(ctx, "select "+pgsql.OverlayColumns+", ST_X(location), ST_Y(location) from places where id = $1 and version_to is null", p.ID).Scan(append(r.Dest(), &lon, &lat)...)
			if errors.Is(err, pgx.ErrNoRows) {
				return 0, false, nil
			}
			if err != nil {
				return 0, false, err
			}
			cur = r.Place([2]float64{lon, lat})
			return cur.Version, true, nil
		},
		same: func() bool { return geo.SamePlace(&cur, &p) },
		insert: func(ctx context.Context, tx pgx.Tx, version, ord int, at any) error {
			_, err := tx.Exec(ctx, `insert into places (id, version, name, kind, station_id, liaison_name, liaison_phone, opening, valid_from, valid_to, location, ord, version_from)
				values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ST_SetSRID(ST_MakePoint($11, $12), 4326), $13, $14)`,
				p.ID, version, p.Name, string(p.Kind), p.StationID, p.Liaison.Name, p.Liaison.Phone, p.Opening, pgsql.NullTime(p.ValidFrom), pgsql.NullTime(p.ValidTo), p.Location[0], p.Location[1], ord, at)
			return err
		},
	})
	if err != nil {
		return geo.Place{}, err
	}
	p.Version = v
	return p, nil
}

// DeleteArea implements data.OverlayEditor.
func (s *Store) DeleteArea(ctx context.Context, d data.OverlayDelete) error {
	return s.deleteOverlay(ctx, "areas", "area", d)
}

// DeletePlace implements data.OverlayEditor.
func (s *Store) DeletePlace(ctx context.Context, d data.OverlayDelete) error {
	return s.deleteOverlay(ctx, "places", "place", d)
}

// deleteOverlay closes the version in force of d.ID; its history stays.
func (s *Store) deleteOverlay(ctx context.Context, tbl, kind string, d data.OverlayDelete) error {
	op := "delete " + kind
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return mapError(op, err)
	}
	defer tx.Rollback(context.Background())
	ts, err := lockWrites(ctx, tx)
	if err != nil {
		return mapError(op, err)
	}
	table := pgx.Identifier{tbl}.Sanitize()
	var version int
	err = tx.QueryRow(ctx, "select version from "+table+" where id = $1 and version_to is null", d.ID).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgis: %s %q: %w (none with this id is in force)", kind, d.ID, data.ErrNotFound)
	}
	if err != nil {
		return mapError(op, err)
	}
	if d.BaseVersion != 0 && d.BaseVersion != version {
		return fmt.Errorf("postgis: %s %s: %w: the delete was made against version %d but version %d is in force; reload and try again", kind, d.ID, data.ErrConflict, d.BaseVersion, version)
	}
	if _, err := tx.Exec(ctx, "update "+table+" set version_to = $2 where id = $1 and version_to is null", d.ID, ts); err != nil {
		return mapError(op, err)
	}
	return mapError(op+": commit", tx.Commit(ctx))
}
