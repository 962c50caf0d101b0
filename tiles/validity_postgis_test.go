package tiles

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"jingge/data/postgis/postgistest"
)

// pgValiditySQL checks a batch of geometries, as WKB in tile coordinates,
// with PostGIS and returns the ones that are not valid OGC geometries or
// not wound as MVT 2.1 asks (exteriors of positive area in tile
// coordinates, which is counter-clockwise to PostGIS, holes the other way).
const pgValiditySQL = `SELECT i, ST_IsValidReason(g), ST_IsPolygonCCW(g)
FROM (SELECT i, ST_GeomFromWKB(w) AS g FROM unnest($1::bytea[]) WITH ORDINALITY AS t(w, i)) s
WHERE NOT ST_IsValid(g) OR NOT ST_IsPolygonCCW(g)`

// pgSampledTiles is how many tiles over the county each zoom above 14 is
// sampled with; every tile is checked up to zoom 14.
const pgSampledTiles = 500

// TestTilePolygonsValidInPostGIS decodes every tile over the county at
// zooms 6 to 14 and a seeded sample at 15 and 16 with orb's decoder, and
// has PostGIS check every polygon feature of every layer (regions, county,
// townships, station areas, police and community grids) with ST_IsValid
// and ST_IsPolygonCCW: a checker that shares no code with the tiles'
// clipper and encoder. Failures name the tile, layer and feature with
// ST_IsValidReason.
func TestTilePolygonsValidInPostGIS(t *testing.T) {
	dbURL := postgistest.URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connecting to the test database: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "create extension if not exists postgis schema public"); err != nil {
		t.Fatalf("creating the postgis extension: %v", err)
	}

	seed := *seedFlag
	t.Logf("seed %d (rerun with -tiles.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 9))
	src := NewSource(lantianIndex(t), Options{})

	var batch [][]byte
	var names []string
	checked, failed := 0, 0
	flush := func() {
		if len(batch) == 0 {
			return
		}
		rows, err := conn.Query(ctx, pgValiditySQL, batch)
		if err != nil {
			t.Fatalf("checking %d geometries: %v", len(batch), err)
		}
		for rows.Next() {
			var i int64
			var reason string
			var ccw bool
			if err := rows.Scan(&i, &reason, &ccw); err != nil {
				t.Fatal(err)
			}
			failed++
			if failed <= 20 {
				t.Errorf("%s: %s; ST_IsPolygonCCW %v", names[i-1], reason, ccw)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("checking %d geometries: %v", len(batch), err)
		}
		checked += len(batch)
		batch, names = batch[:0], names[:0]
	}
	tiles := 0
	for z := 6; z <= 16; z++ {
		all := coverTiles(t, src, z)
		if z > 14 && len(all) > pgSampledTiles {
			rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
			all = all[:pgSampledTiles]
		}
		for _, tile := range all {
			tiles++
			for name, l := range decodeTile(t, src, tile) {
				for k, f := range l.Features {
					if polygonsOf(f.Geometry) == nil {
						continue
					}
					b, err := wkb.Marshal(f.Geometry)
					if err != nil {
						t.Fatalf("%s %s: %v", Path(tile), name, err)
					}
					batch = append(batch, b)
					names = append(names, fmt.Sprintf("%s %s feature %d (%v)", Path(tile), name, k, f.Properties["id"]))
					if len(batch) == 2000 {
						flush()
					}
				}
			}
		}
	}
	flush()
	if checked == 0 {
		t.Fatal("no polygon feature in any tile over the county")
	}
	if failed > 0 {
		t.Fatalf("%d of %d polygon features in %d tiles are invalid", failed, checked, tiles)
	}
	t.Logf("%d polygon features in %d tiles (zooms 6-16) valid in PostGIS", checked, tiles)
}
