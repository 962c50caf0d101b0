package tiles

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"jingge/data/postgis/postgistest"
)

const pgSkipReason = postgistest.EnvURL + " is not set; run under scripts/testdb/with-testdb.sh for the PostGIS baseline"

// pgBaseline serves the same grids as MVT from PostGIS, the way Martin and
// pg_tileserv do: a table in EPSG:4326 with a GiST index, filtered by the
// tile envelope (with the buffer) and encoded by ST_AsMVT(ST_AsMVTGeom(
// ST_Transform(geom, 3857), ...)), one layer per level, over one
// connection.
type pgBaseline struct {
	conn *pgxpool.Conn
	// pool serves the HTTP baseline, one connection per request in flight.
	pool *pgxpool.Pool
}

const pgCreate = `CREATE TABLE bench_grids (
	id text PRIMARY KEY,
	level text NOT NULL,
	name text, station text, station_name text, region text, township text,
	population integer, members integer, officers integer,
	police_grid text, community_grids integer,
	geom geometry(MultiPolygon, 4326) NOT NULL)`

const pgInsert = `INSERT INTO bench_grids VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
	ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($13), 4326)))`

// pgTileSQL renders the police and community layers of tile ($1, $2, $3)
// with the properties jingge's tiles carry.
const pgTileSQL = `WITH env AS (
	SELECT ST_TileEnvelope($1, $2, $3) AS tile,
	       ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326) AS filter)
SELECT
	(SELECT ST_AsMVT(q, 'police_grids', 4096, 'geom') FROM (
		SELECT g.id, g.id AS code, g.name, g.station, g.station_name, g.region, g.township,
		       g.population, g.members, g.officers, g.community_grids,
		       ST_AsMVTGeom(ST_Transform(g.geom, 3857), env.tile, 4096, 64, true) AS geom
		FROM bench_grids g, env WHERE g.level = 'police' AND g.geom && env.filter) q)
	||
	(SELECT ST_AsMVT(q, 'community_grids', 4096, 'geom') FROM (
		SELECT g.id, g.id AS code, g.name, g.station, g.station_name, g.region, g.township,
		       g.population, g.members, g.officers, g.police_grid,
		       ST_AsMVTGeom(ST_Transform(g.geom, 3857), env.tile, 4096, 64, true) AS geom
		FROM bench_grids g, env WHERE g.level = 'community' AND g.geom && env.filter) q)`

// openPostGISBaseline loads the source's grids into a fresh schema of the
// test database, or returns nil when there is none.
func openPostGISBaseline(b *testing.B, src *Source) *pgBaseline {
	b.Helper()
	if os.Getenv(postgistest.EnvURL) == "" {
		return nil
	}
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(postgistest.NewSchema(b))
	if err != nil {
		b.Fatalf("connecting to PostGIS: %v", err)
	}
	// One connection for the in-process baseline, one per HTTP client.
	cfg.MaxConns = httpClients + 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatalf("connecting to PostGIS: %v", err)
	}
	b.Cleanup(pool.Close)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		b.Fatalf("connecting to PostGIS: %v", err)
	}
	b.Cleanup(conn.Release)
	if _, err := conn.Exec(ctx, pgCreate); err != nil {
		b.Fatal(err)
	}
	str := func(v any) any {
		if v == nil {
			return nil
		}
		return v
	}
	batch := &pgx.Batch{}
	for _, name := range gridLayers {
		l := src.byName[name]
		for _, f := range l.features {
			g, _ := src.ix.Grid(f.id)
			gj, err := geojson.NewGeometry(g.Geometry).MarshalJSON()
			if err != nil {
				b.Fatal(err)
			}
			p := f.props
			batch.Queue(pgInsert, f.id, string(g.Level), p["name"], p["station"], str(p["station_name"]), str(p["region"]), p["township"],
				p["population"], p["members"], p["officers"], str(p["police_grid"]), str(p["community_grids"]), string(gj))
		}
	}
	if err := conn.SendBatch(ctx, batch).Close(); err != nil {
		b.Fatalf("loading grids: %v", err)
	}
	for _, sql := range []string{`CREATE INDEX ON bench_grids USING gist (geom)`, `ANALYZE bench_grids`} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	return &pgBaseline{conn: conn, pool: pool}
}

// tile renders one tile and returns its size.
func (pg *pgBaseline) tile(b *testing.B, t maptile.Tile) int {
	var data []byte
	if err := pg.conn.QueryRow(context.Background(), pgTileSQL, int32(t.Z), int32(t.X), int32(t.Y)).Scan(&data); err != nil {
		b.Fatalf("%s: %v", Path(t), err)
	}
	return len(data)
}
