package postgis_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

// sqlConn connects to the schema of dbURL like any SQL client (psql, QGIS).
func sqlConn(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	delete(cfg.RuntimeParams, "pool_max_conns")
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestMigrateIsIdempotentAndSafeConcurrently(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ctx := context.Background()
	all, err := postgis.Migrations()
	if err != nil || len(all) == 0 {
		t.Fatalf("Migrations() = %d, %v", len(all), err)
	}
	const servers = 4
	var mu sync.Mutex
	applied := 0
	var wg sync.WaitGroup
	for range servers {
		wg.Go(func() {
			done, err := postgis.Migrate(ctx, dbURL, postgis.Options{})
			if err != nil {
				t.Errorf("Migrate: %v", err)
			}
			mu.Lock()
			applied += len(done)
			mu.Unlock()
		})
	}
	wg.Wait()
	if applied != len(all) {
		t.Errorf("%d servers migrating at once applied %d migrations in all, want %d (each once)", servers, applied, len(all))
	}
	done, err := postgis.Migrate(ctx, dbURL, postgis.Options{})
	if err != nil || len(done) != 0 {
		t.Errorf("migrating again applied %d, %v; want none", len(done), err)
	}
	var n int
	if err := sqlConn(t, dbURL).QueryRow(ctx, "select count(*) from schema_migrations").Scan(&n); err != nil || n != len(all) {
		t.Errorf("schema_migrations has %d rows, %v; want %d", n, err, len(all))
	}
}

func TestMigrateRefusesChangedOrUnknownMigrations(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ctx := context.Background()
	if _, err := postgis.Migrate(ctx, dbURL, postgis.Options{}); err != nil {
		t.Fatal(err)
	}
	conn := sqlConn(t, dbURL)
	if _, err := conn.Exec(ctx, "update schema_migrations set checksum = 'x' where version = 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := postgis.Open(ctx, dbURL, postgis.Options{}); err == nil || !strings.Contains(err.Error(), "was changed after it was applied") {
		t.Errorf("Open with a changed migration: err = %v", err)
	}
	all, _ := postgis.Migrations()
	if _, err := conn.Exec(ctx, "update schema_migrations set checksum = $1 where version = 1", all[0].Checksum); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "insert into schema_migrations (version, name, checksum) values (9999, 'future', '')"); err != nil {
		t.Fatal(err)
	}
	if _, err := postgis.Open(ctx, dbURL, postgis.Options{}); err == nil || !strings.Contains(err.Error(), "upgrade jingge") {
		t.Errorf("Open on a newer schema: err = %v", err)
	}
}

func TestUnreachableDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := postgis.Open(ctx, "postgres://jingge@127.0.0.1:1/jingge?connect_timeout=2", postgis.Options{})
	if !errors.Is(err, data.ErrUnavailable) {
		t.Errorf("Open on a closed port: err = %v, want data.ErrUnavailable", err)
	}
	if _, err := postgis.Open(ctx, "postgres://%zz", postgis.Options{}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("Open with a broken URL: err = %v, want data.ErrInvalid", err)
	}
}

func TestAuditRecordsEveryChange(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	ds := storetest.Small()
	if _, err := st.Import(ctx, ds, data.ImportOptions{Actor: "导入员"}); err != nil {
		t.Fatal(err)
	}
	next, renamed, removed := storetest.Changed(ds)
	if _, err := st.Import(ctx, next, data.ImportOptions{Actor: "导入员"}); err != nil {
		t.Fatal(err)
	}
	g := *grid(t, next, renamed)
	g.Population++
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: g, Actor: "王警官", Reason: "census"}); err != nil {
		t.Fatal(err)
	}
	rows, err := sqlConn(t, dbURL).Query(ctx, `
		select actor, action, grid_id, coalesce(old_version, 0), coalesce(new_version, 0), reason
		from grid_audit where grid_id in ($1, $2) order by audit_id`, renamed, removed)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		actor, action, grid string
		old, new            int
		reason              string
	}
	var got []row
	var r row
	if _, err := pgx.ForEachRow(rows, []any{&r.actor, &r.action, &r.grid, &r.old, &r.new, &r.reason}, func() error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	reason := `import of dataset "synthetic 4x4"`
	want := []row{
		{"导入员", "create", removed, 0, 1, reason},
		{"导入员", "create", renamed, 0, 1, reason},
		{"导入员", "retire", removed, 1, 0, reason},
		{"导入员", "update", renamed, 1, 2, reason},
		{"王警官", "update", renamed, 2, 3, "census"},
	}
	// Rows of one import are ordered by grid id; compare as sets per import.
	if len(got) != len(want) {
		t.Fatalf("audit rows %+v, want %+v", got, want)
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("audit lacks %+v; has %+v", w, got)
		}
	}
}

func TestSchemaGuardsDirectSQL(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	if _, err := st.Import(ctx, storetest.Small(), data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	conn := sqlConn(t, dbURL)
	cases := []struct {
		name, sql, want string
	}{
		{"history is append-only", "update grids set name = 'x' where id = 'C0-0'", "cannot be changed"},
		{"closed versions stay closed", "update grids set valid_to = null where id = 'C0-0'", ""},
		{"overlap among current grids", `insert into grid_codes (id) values ('Z'); insert into grids (id, version, level, name, station_id, geom, valid_from)
			select 'Z', 1, level, name, station_id, ST_Multi(ST_Buffer(geom, -0.001)), now() from grids where id = 'C0-0'`, "grid Z overlaps grid C0-0"},
		{"invalid geometry", `insert into grid_codes (id) values ('X'); insert into grids (id, version, level, station_id, geom, valid_from)
			values ('X', 1, 'police', 's01', 'SRID=4326;MULTIPOLYGON(((0 0,1 1,1 0,0 1,0 0)))', now())`, "grids_geom_valid"},
		{"unknown terrain", "update stations set region = 'desert' where id = 's01'", "stations_region_known"},
		{"unknown grid terrain", `insert into grid_codes (id) values ('Y'); insert into grids (id, version, level, station_id, terrain, geom, valid_from)
			select 'Y', 1, 'police', 's01', 'desert', ST_Translate(geom, 10, 10), now() from grids where id = 'P0-0'`, "grids_terrain_known"},
		{"a version's terrain is history too", "update grids set terrain = 'hill' where id = 'C0-0'", "cannot be changed"},
		{"unknown station", "update members set station_id = 'nowhere' where ord = 0", "foreign key"},
	}
	for _, c := range cases {
		_, err := conn.Exec(ctx, c.sql)
		if err == nil {
			if c.want != "" {
				t.Errorf("%s: the database accepted %q", c.name, c.sql)
			}
			continue
		}
		if c.want == "" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
	// A closed version may not be reopened: close C0-0 by hand, then try.
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "update grids set valid_to = now() where id = 'C0-0' and valid_to is null"); err != nil {
		t.Fatalf("closing a version by hand: %v", err)
	}
	if _, err := tx.Exec(ctx, "update grids set valid_to = null where id = 'C0-0'"); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
		t.Errorf("reopening a closed version: err = %v", err)
	}
}

func TestViewsForGISClients(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	ds := storetest.Small()
	if _, err := st.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	next, _, _ := storetest.Changed(ds)
	if _, err := st.Import(ctx, next, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	conn := sqlConn(t, dbURL)
	var current, police, community, all, past int
	err := conn.QueryRow(ctx, `select (select count(*) from current_grids), (select count(*) from current_police_grids),
		(select count(*) from current_community_grids), (select count(*) from grids),
		(select count(*) from grids_at((select min(valid_from) from grids)))`).Scan(&current, &police, &community, &all, &past)
	if err != nil {
		t.Fatal(err)
	}
	if current != len(next.Grids) || police+community != current || all != len(ds.Grids)+1 || past != len(ds.Grids) {
		t.Errorf("current %d (police %d + community %d), all versions %d, at the first import %d; want %d current, %d versions, %d then",
			current, police, community, all, past, len(next.Grids), len(ds.Grids)+1, len(ds.Grids))
	}
	// Every view shows each grid's own terrain (null when not recorded).
	for _, view := range []string{"current_grids", "current_police_grids", "current_community_grids"} {
		var n int
		if err := conn.QueryRow(ctx, "select count(*) filter (where terrain is null) from "+pgx.Identifier{view}.Sanitize()).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s: %d rows without a terrain, %v; want every row of storetest.Small", view, n, err)
		}
	}
	// QGIS and ogr2ogr find layers through geometry_columns.
	var layers int
	if err := conn.QueryRow(ctx, "select count(*) from geometry_columns where f_table_schema = current_schema() and f_table_name in ('grids', 'current_grids', 'stations', 'county', 'townships')").Scan(&layers); err != nil || layers != 5 {
		t.Errorf("geometry_columns lists %d of the 5 layers, %v", layers, err)
	}
}

func TestEnsurePartitions(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	from := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	n, err := st.EnsurePartitions(ctx, from, from.AddDate(0, 2, 0))
	if err != nil || n != 6 {
		t.Fatalf("EnsurePartitions = %d, %v; want 3 months × 2 tables", n, err)
	}
	if n, err := st.EnsurePartitions(ctx, from, from.AddDate(0, 2, 0)); err != nil || n != 0 {
		t.Errorf("again: %d, %v; want 0", n, err)
	}
	conn := sqlConn(t, dbURL)
	if _, err := conn.Exec(ctx, `insert into patrol_pings (officer_id, at, location, speed_mps, heading_deg)
		values ('o1', '2026-02-03T10:00:00Z', 'SRID=4326;POINT(109.3 34.1)', 1.5, 90)`); err != nil {
		t.Fatal(err)
	}
	var part string
	if err := conn.QueryRow(ctx, "select tableoid::regclass::text from patrol_pings").Scan(&part); err != nil || !strings.HasSuffix(part, "patrol_pings_2026_02") {
		t.Errorf("the ping went to %s, %v; want patrol_pings_2026_02", part, err)
	}
}

func TestGridRetiredInSQLKeepsSnapshotIndexable(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	if _, err := st.Import(ctx, storetest.Small(), data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	// m-P0-0 serves C0-0; retire C0-0 by hand.
	if _, err := sqlConn(t, dbURL).Exec(ctx, "update grids set valid_to = now() where id = 'C0-0' and valid_to is null"); err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := geo.NewIndex(snap); err != nil {
		t.Errorf("snapshot after a retirement in SQL does not index: %v", err)
	}
}
