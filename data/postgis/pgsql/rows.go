package pgsql

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
)

// GridColumns are the columns GridRow reads, in order.
const GridColumns = "id, version, level, name, station_id, coalesce(parent_id, ''), township, population, coalesce(terrain, ''), ST_AsBinary(geom), valid_from, valid_to"

// GridRow receives one row of GridColumns. Set it to GridRow{} before
// scanning the next row: a NULL valid_to leaves the last one in place.
type GridRow struct {
	g         geo.Grid
	version   int
	level     string
	terrain   string
	wkb       []byte
	validFrom time.Time
	validTo   *time.Time
}

// Dest is the scan destinations of one row of GridColumns.
func (r *GridRow) Dest() []any {
	return []any{&r.g.ID, &r.version, &r.level, &r.g.Name, &r.g.StationID, &r.g.ParentID, &r.g.Township, &r.g.Population, &r.terrain, &r.wkb, &r.validFrom, &r.validTo}
}

// Grid is the grid the row holds; an error names the grid and version
// whose geometry cannot be decoded.
func (r *GridRow) Grid() (geo.Grid, error) {
	mp, err := DecodeMulti(r.wkb)
	if err != nil {
		return geo.Grid{}, fmt.Errorf("grid %s version %d: %w", r.g.ID, r.version, err)
	}
	g := r.g
	g.Level = geo.Level(r.level)
	g.Terrain = geo.Terrain(r.terrain)
	g.Geometry = mp
	return g, nil
}

// GridVersion is the grid the row holds with its version and validity.
func (r *GridRow) GridVersion() (data.GridVersion, error) {
	g, err := r.Grid()
	gv := data.GridVersion{Grid: g, Version: r.version, ValidFrom: r.validFrom}
	if r.validTo != nil {
		gv.ValidTo = *r.validTo
	}
	return gv, err
}

// OverlayColumns are the columns areas and places share, in scan order.
const OverlayColumns = "id, version, name, kind, station_id, liaison_name, liaison_phone, opening, valid_from, valid_to"

// OverlayWhere selects the versions in force now ($1 unused), or at $1.
func OverlayWhere(at *time.Time) (string, []any) {
	if at == nil {
		return " where version_to is null order by ord, id", nil
	}
	return " where version_from <= $1 and (version_to is null or $1 < version_to) order by ord, id", []any{*at}
}

// OverlayRow receives the shared columns of one row of areas or places.
type OverlayRow struct {
	id, name, kind, station, liaisonName, liaisonPhone, opening string
	version                                                     int
	validFrom, validTo                                          *time.Time
}

// Dest is the scan destinations of OverlayColumns; the caller appends
// those of the geometry.
func (r *OverlayRow) Dest() []any {
	return []any{&r.id, &r.version, &r.name, &r.kind, &r.station, &r.liaisonName, &r.liaisonPhone, &r.opening, &r.validFrom, &r.validTo}
}

// Area is the area the row holds, with geometry mp. It clears the row's
// validity, ready for the next scan.
func (r *OverlayRow) Area(mp orb.MultiPolygon) geo.Area {
	a := geo.Area{ID: r.id, Version: r.version, Name: r.name, Kind: geo.AreaKind(r.kind), StationID: r.station,
		Liaison: geo.Liaison{Name: r.liaisonName, Phone: r.liaisonPhone}, Opening: r.opening, Validity: r.validity(), Geometry: mp}
	r.validFrom, r.validTo = nil, nil
	return a
}

// Place is the key place the row holds, at loc. It clears the row's
// validity, ready for the next scan.
func (r *OverlayRow) Place(loc [2]float64) geo.Place {
	p := geo.Place{ID: r.id, Version: r.version, Name: r.name, Kind: geo.PlaceKind(r.kind), StationID: r.station,
		Liaison: geo.Liaison{Name: r.liaisonName, Phone: r.liaisonPhone}, Opening: r.opening, Validity: r.validity(), Location: loc}
	r.validFrom, r.validTo = nil, nil
	return p
}

func (r *OverlayRow) validity() geo.Validity {
	var v geo.Validity
	if r.validFrom != nil {
		v.ValidFrom = *r.validFrom
	}
	if r.validTo != nil {
		v.ValidTo = *r.validTo
	}
	return v
}

// CheckpointColumns are the columns ScanCheckpoint reads, in order.
const CheckpointColumns = "id, version, name, station_id, road, notes, ST_X(location), ST_Y(location)"

// ScanCheckpoint returns the scan targets of CheckpointColumns into c.
func ScanCheckpoint(c *geo.Checkpoint) []any {
	return []any{&c.ID, &c.Version, &c.Name, &c.StationID, &c.Road, &c.Notes, &c.Location[0], &c.Location[1]}
}
