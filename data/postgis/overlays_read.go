package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// overlayColumns are the columns areas and places share, in scan order.
const overlayColumns = "id, version, name, kind, station_id, liaison_name, liaison_phone, opening, valid_from, valid_to"

// overlayWhere selects the versions in force now ($1 unused), or at $1.
func overlayWhere(at *time.Time) (string, []any) {
	if at == nil {
		return " where version_to is null order by ord, id", nil
	}
	return " where version_from <= $1 and (version_to is null or $1 < version_to) order by ord, id", []any{*at}
}

// overlayRow receives the shared columns of one row.
type overlayRow struct {
	id, name, kind, station, liaisonName, liaisonPhone, opening string
	version                                                     int
	validFrom, validTo                                          *time.Time
}

func (r *overlayRow) dest() []any {
	return []any{&r.id, &r.version, &r.name, &r.kind, &r.station, &r.liaisonName, &r.liaisonPhone, &r.opening, &r.validFrom, &r.validTo}
}

func (r *overlayRow) validity() geo.Validity {
	var v geo.Validity
	if r.validFrom != nil {
		v.ValidFrom = *r.validFrom
	}
	if r.validTo != nil {
		v.ValidTo = *r.validTo
	}
	return v
}

// readAreas reads the areas in force now, or at *at, in dataset order.
func readAreas(ctx context.Context, tx pgx.Tx, at *time.Time) ([]geo.Area, error) {
	where, args := overlayWhere(at)
	rows, err := tx.Query(ctx, "select "+overlayColumns+", ST_AsBinary(geom) from areas"+where, args...)
	if err != nil {
		return nil, err
	}
	var out []geo.Area
	var r overlayRow
	var wkb []byte
	_, err = pgx.ForEachRow(rows, append(r.dest(), &wkb), func() error {
		mp, err := pgsql.DecodeMulti(wkb)
		if err != nil {
			return fmt.Errorf("area %s version %d: %w", r.id, r.version, err)
		}
		out = append(out, geo.Area{ID: r.id, Version: r.version, Name: r.name, Kind: geo.AreaKind(r.kind), StationID: r.station,
			Liaison: geo.Liaison{Name: r.liaisonName, Phone: r.liaisonPhone}, Opening: r.opening, Validity: r.validity(), Geometry: mp})
		r.validFrom, r.validTo = nil, nil
		return nil
	})
	return out, err
}

// readPlaces reads the key places in force now, or at *at, in dataset order.
func readPlaces(ctx context.Context, tx pgx.Tx, at *time.Time) ([]geo.Place, error) {
	where, args := overlayWhere(at)
	rows, err := tx.Query(ctx, "select "+overlayColumns+", ST_X(location), ST_Y(location) from places"+where, args...)
	if err != nil {
		return nil, err
	}
	var out []geo.Place
	var r overlayRow
	var lon, lat float64
	_, err = pgx.ForEachRow(rows, append(r.dest(), &lon, &lat), func() error {
		out = append(out, geo.Place{ID: r.id, Version: r.version, Name: r.name, Kind: geo.PlaceKind(r.kind), StationID: r.station,
			Liaison: geo.Liaison{Name: r.liaisonName, Phone: r.liaisonPhone}, Opening: r.opening, Validity: r.validity(), Location: [2]float64{lon, lat}})
		r.validFrom, r.validTo = nil, nil
		return nil
	})
	return out, err
}
