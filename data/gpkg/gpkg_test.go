package gpkg

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"jingge/data/lantian"
	"jingge/geo"
)

// TestWriteReadsBack writes the bundled county and reads every table back
// with SQLite: the GeoPackage's identity, its registered layers, and every
// grid and station with its attributes and its geometry, vertex for
// vertex (the county is in WGS-84, so nothing is converted).
func TestWriteReadsBack(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "county.gpkg")
	sum, err := Write(context.Background(), path, ds)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var app, version int
	if err := db.QueryRow("PRAGMA application_id").Scan(&app); err != nil || app != applicationID {
		t.Fatalf("application_id %x (%v), want GPKG", app, err)
	}
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != userVersion {
		t.Fatalf("user_version %d (%v)", version, err)
	}
	var registered int
	if err := db.QueryRow("SELECT count(*) FROM gpkg_contents c JOIN gpkg_geometry_columns g USING (table_name) WHERE c.srs_id = 4326 AND g.srs_id = 4326").Scan(&registered); err != nil || registered != 3 {
		t.Fatalf("%d layers registered in WGS-84 (%v), want 3", registered, err)
	}

	grids := map[string]*geo.Grid{}
	var police, community int
	for i := range ds.Grids {
		grids[ds.Grids[i].ID] = &ds.Grids[i]
		if ds.Grids[i].Level == geo.PoliceLevel {
			police++
		} else {
			community++
		}
	}
	if sum.PoliceGrids != police || sum.CommunityGrids != community || sum.Stations != len(ds.Stations) {
		t.Fatalf("summary %+v, want %d police, %d community, %d stations", sum, police, community, len(ds.Stations))
	}
	for table, level := range map[string]geo.Level{"police_grids": geo.PoliceLevel, "community_grids": geo.CommunityLevel} {
		rows, err := db.Query(`SELECT geom, id, name, station, population FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var blob []byte
			var id, name, station string
			var pop int
			if err := rows.Scan(&blob, &id, &name, &station, &pop); err != nil {
				t.Fatal(err)
			}
			g := grids[id]
			if g == nil || g.Level != level || g.Name != name || g.StationID != station || g.Population != pop {
				t.Fatalf("%s row %s %s %s %d does not match the dataset's %+v", table, id, name, station, pop, g)
			}
			got, err := ParseGeometry(blob)
			if err != nil {
				t.Fatal(err)
			}
			if !sameMultiPolygon(got, g.Geometry) {
				t.Fatalf("%s %s: the geometry read back differs from the dataset's", table, id)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if want := map[geo.Level]int{geo.PoliceLevel: police, geo.CommunityLevel: community}[level]; n != want {
			t.Fatalf("%s: %d rows, want %d", table, n, want)
		}
	}
	for _, s := range ds.Stations {
		var blob []byte
		var name, phone string
		if err := db.QueryRow(`SELECT geom, name, phone FROM stations WHERE id = ?`, s.ID).Scan(&blob, &name, &phone); err != nil {
			t.Fatalf("station %s: %v", s.ID, err)
		}
		p, err := ParseGeometry(blob)
		if err != nil || p != s.Location || name != s.Name || phone != s.Phone {
			t.Fatalf("station %s read back as %v %s %s (%v)", s.ID, p, name, phone, err)
		}
	}
}

// sameMultiPolygon compares a geometry read back with the dataset's,
// whose rings may leave out the closing vertex GeoPackage writes.
func sameMultiPolygon(got orb.Geometry, want orb.MultiPolygon) bool {
	mp, ok := got.(orb.MultiPolygon)
	if !ok || len(mp) != len(want) {
		return false
	}
	for i := range want {
		if len(mp[i]) != len(want[i]) {
			return false
		}
		for j, ring := range want[i] {
			r := mp[i][j]
			if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
				ring = append(ring[:len(ring):len(ring)], ring[0])
			}
			if len(r) != len(ring) {
				return false
			}
			for k := range ring {
				if r[k] != ring[k] {
					return false
				}
			}
		}
	}
	return true
}

// TestGeometryHeader: the header GDAL reads before the WKB.
func TestGeometryHeader(t *testing.T) {
	poly := orb.MultiPolygon{{{{1, 2}, {3, 2}, {3, 5}, {1, 2}}}}
	blob, err := Geometry(poly)
	if err != nil {
		t.Fatal(err)
	}
	if string(blob[:2]) != "GP" || blob[2] != 0 || blob[3] != 0b011 || blob[4] != 0xE6 || blob[5] != 0x10 {
		t.Fatalf("header % x: want GP, version 0, little-endian with an xy envelope, srs 4326", blob[:8])
	}
	back, err := ParseGeometry(blob)
	if err != nil || !sameMultiPolygon(back, poly) {
		t.Fatalf("read back %v (%v)", back, err)
	}
	pt, err := Geometry(orb.Point{109.3, 34.1})
	if err != nil || pt[3] != 1 {
		t.Fatalf("a point's flags %x (%v): want no envelope", pt[3], err)
	}
	if _, err := ParseGeometry([]byte("nope")); err == nil {
		t.Fatal("a blob without the GP header was read")
	}
}
