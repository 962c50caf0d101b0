// Package gpkg writes a dataset's grids and stations as an OGC GeoPackage
// (1.3): an SQLite file that QGIS, ArcGIS and GDAL open as it is, with one
// feature table each for police grids, community grids and stations, in
// WGS-84 (EPSG:4326) whatever the dataset's datum. Members are not written:
// they are people, and a file handed to another system is not
// access-controlled. Imports geo, geo/crs and the pure-Go SQLite driver.
package gpkg

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go

	"jingge/geo"
	"jingge/geo/crs"
)

// applicationID is "GPKG" (0x47504B47) and userVersion 10300 (1.3.0): the
// two numbers by which readers know a GeoPackage.
const (
	applicationID = 0x47504B47
	userVersion   = 10300
	srsWGS84      = 4326
)

// Summary says what Write wrote.
type Summary struct {
	PoliceGrids, CommunityGrids, Stations int
}

// layer is one feature table: its name, geometry type, columns after fid
// and geom, and its rows.
type layer struct {
	name, title, geomType string
	columns               []string // "name TYPE"
	rows                  []row
}

type row struct {
	geom   orb.Geometry
	values []any
}

// Write writes ds's grids and stations to a GeoPackage at path, through a
// temporary file beside it renamed into place, so a failed export leaves
// nothing behind and never replaces a good file.
func Write(ctx context.Context, path string, ds *geo.Dataset) (Summary, error) {
	layers, sum, err := layersOf(ds)
	if err != nil {
		return Summary{}, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return Summary{}, fmt.Errorf("gpkg: %w", err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	if err := writeFile(ctx, tmp, layers); err != nil {
		return Summary{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return Summary{}, fmt.Errorf("gpkg: %w", err)
	}
	return sum, nil
}

// layersOf turns ds into the three feature tables, in WGS-84.
func layersOf(ds *geo.Dataset) ([]layer, Summary, error) {
	datum, err := crs.Parse(cmp.Or(ds.Meta.Datum, string(crs.WGS84)))
	if err != nil {
		return nil, Summary{}, fmt.Errorf("gpkg: dataset %q: datum: %w", ds.Meta.Name, err)
	}
	toWGS := func(p orb.Point) orb.Point { return crs.Convert(p, datum, crs.WGS84) }
	stationName := map[string]string{}
	for _, s := range ds.Stations {
		stationName[s.ID] = s.Name
	}
	police := layer{name: "police_grids", title: "警格 police grids", geomType: "MULTIPOLYGON",
		columns: []string{"id TEXT NOT NULL UNIQUE", "name TEXT", "station TEXT", "station_name TEXT", "township TEXT", "population INTEGER", "terrain TEXT"}}
	community := layer{name: "community_grids", title: "网格 community grids", geomType: "MULTIPOLYGON",
		columns: []string{"id TEXT NOT NULL UNIQUE", "name TEXT", "police_grid TEXT", "station TEXT", "station_name TEXT", "township TEXT", "population INTEGER", "terrain TEXT"}}
	stations := layer{name: "stations", title: "派出所 police stations", geomType: "POINT",
		columns: []string{"id TEXT NOT NULL UNIQUE", "name TEXT", "name_en TEXT", "region TEXT", "brand TEXT", "phone TEXT"}}
	var sum Summary
	for i := range ds.Grids {
		g := &ds.Grids[i]
		geom := convertMultiPolygon(g.Geometry, toWGS)
		switch g.Level {
		case geo.PoliceLevel:
			police.rows = append(police.rows, row{geom, []any{g.ID, g.Name, g.StationID, stationName[g.StationID], g.Township, g.Population, string(g.Terrain)}})
			sum.PoliceGrids++
		case geo.CommunityLevel:
			community.rows = append(community.rows, row{geom, []any{g.ID, g.Name, g.ParentID, g.StationID, stationName[g.StationID], g.Township, g.Population, string(g.Terrain)}})
			sum.CommunityGrids++
		}
	}
	for _, s := range ds.Stations {
		stations.rows = append(stations.rows, row{toWGS(s.Location), []any{s.ID, s.Name, s.NameEN, string(s.Region), s.Brand, s.Phone}})
		sum.Stations++
	}
	return []layer{police, community, stations}, sum, nil
}

func convertMultiPolygon(mp orb.MultiPolygon, f func(orb.Point) orb.Point) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			r := make(orb.Ring, len(ring), len(ring)+1)
			for k, p := range ring {
				r[k] = f(p)
			}
			// GeoPackage rings are closed, as WKB's are.
			if len(r) > 0 && r[0] != r[len(r)-1] {
				r = append(r, r[0])
			}
			out[i][j] = r
		}
	}
	return out
}

// writeFile creates the GeoPackage's tables in the empty file at path and
// fills them in one transaction.
func writeFile(ctx context.Context, path string, layers []layer) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)")
	if err != nil {
		return fmt.Errorf("gpkg: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, p := range []string{fmt.Sprintf("PRAGMA application_id = %d", applicationID), fmt.Sprintf("PRAGMA user_version = %d", userVersion)} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("gpkg: %w", err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("gpkg: %w", err)
	}
	defer tx.Rollback()
	if err := createCore(ctx, tx); err != nil {
		return err
	}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	for _, l := range layers {
		if err := writeLayer(ctx, tx, l, now); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("gpkg: %w", err)
	}
	// The file is synced before it is renamed into place.
	if _, err := db.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return fmt.Errorf("gpkg: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("gpkg: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("gpkg: %w", err)
	}
	defer f.Close()
	return f.Sync()
}

// createCore creates the tables every GeoPackage has, with the three
// spatial reference systems the standard requires.
func createCore(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range []string{
		`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
			organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
		`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
			description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
			min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
			srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
		`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
			srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
			CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
			CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
			CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("gpkg: %w", err)
		}
	}
	const wgs84 = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],` +
		`PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]`
	for _, r := range [][]any{
		{"Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"},
		{"Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"},
		{"WGS 84 geodetic", srsWGS84, "EPSG", srsWGS84, wgs84, "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"},
	} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)`, r...); err != nil {
			return fmt.Errorf("gpkg: %w", err)
		}
	}
	return nil
}

// writeLayer creates l's table, registers it and inserts its rows.
func writeLayer(ctx context.Context, tx *sql.Tx, l layer, now string) error {
	cols := "fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom " + l.geomType
	for _, c := range l.columns {
		cols += ", " + c
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE %q (%s)`, l.name, cols)); err != nil {
		return fmt.Errorf("gpkg: %s: %w", l.name, err)
	}
	var b orb.Bound
	for i, r := range l.rows {
		if i == 0 {
			b = r.geom.Bound()
		} else {
			b = b.Union(r.geom.Bound())
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
		VALUES (?, 'features', ?, '', ?, ?, ?, ?, ?, ?)`, l.name, l.title, now, b.Min[0], b.Min[1], b.Max[0], b.Max[1], srsWGS84); err != nil {
		return fmt.Errorf("gpkg: %s: %w", l.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)`, l.name, l.geomType, srsWGS84); err != nil {
		return fmt.Errorf("gpkg: %s: %w", l.name, err)
	}
	marks := "?"
	names := "geom"
	for _, c := range l.columns {
		marks += ", ?"
		names += ", " + firstWord(c)
	}
	ins, err := tx.PrepareContext(ctx, fmt.Sprintf(`INSERT INTO %q (%s) VALUES (%s)`, l.name, names, marks))
	if err != nil {
		return fmt.Errorf("gpkg: %s: %w", l.name, err)
	}
	defer ins.Close()
	for _, r := range l.rows {
		blob, err := Geometry(r.geom)
		if err != nil {
			return fmt.Errorf("gpkg: %s: %w", l.name, err)
		}
		if _, err := ins.ExecContext(ctx, append([]any{blob}, r.values...)...); err != nil {
			return fmt.Errorf("gpkg: %s: %w", l.name, err)
		}
	}
	return nil
}

func firstWord(s string) string {
	for i := range len(s) {
		if s[i] == ' ' {
			return s[:i]
		}
	}
	return s
}

// Geometry encodes g as a GeoPackage geometry blob: the "GP" header
// (version 0, little-endian, an xy envelope, srs 4326) and g's WKB.
func Geometry(g orb.Geometry) ([]byte, error) {
	body, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	_, isPoint := g.(orb.Point)
	head := make([]byte, 8, 8+32+len(body))
	head[0], head[1], head[2] = 'G', 'P', 0
	// Flags: bit 0 little-endian header; bits 1–3 the envelope kind (1:
	// minx, maxx, miny, maxy), none for a point, whose envelope is itself.
	head[3] = 1
	if !isPoint {
		head[3] |= 1 << 1
	}
	binary.LittleEndian.PutUint32(head[4:], srsWGS84)
	if !isPoint {
		b := g.Bound()
		for _, v := range []float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
			head = binary.LittleEndian.AppendUint64(head, math.Float64bits(v))
		}
	}
	return append(head, body...), nil
}

// ParseGeometry decodes a GeoPackage geometry blob (any envelope kind,
// either byte order) back into its geometry.
func ParseGeometry(blob []byte) (orb.Geometry, error) {
	if len(blob) < 8 || blob[0] != 'G' || blob[1] != 'P' {
		return nil, fmt.Errorf("gpkg: not a GeoPackage geometry")
	}
	envelope := map[byte]int{0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(blob[3]>>1)&7]
	if 8+envelope > len(blob) {
		return nil, fmt.Errorf("gpkg: a geometry blob cut short")
	}
	return wkb.Unmarshal(blob[8+envelope:])
}
