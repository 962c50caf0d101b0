package postgis_test

import (
	"context"
	"strings"
	"testing"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
)

// Keys committed before keys had scopes: the file-derived keys of `jingge
// import incidents` become the command line's (importing the file again
// still stores it once); every other key keeps the empty scope.
func TestMigrationScopesExistingBatchKeys(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ctx := context.Background()
	conn := sqlConn(t, dbURL)
	all, err := postgis.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	const scoped = 8 // the migration that gave keys scopes
	if _, err := conn.Exec(ctx, `create table schema_migrations (version integer primary key, name text not null,
		checksum text not null, applied_at timestamptz not null default now())`); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.Version >= scoped {
			break
		}
		if _, err := conn.Exec(ctx, m.SQL); err != nil {
			t.Fatalf("migration %d: %v", m.Version, err)
		}
		if _, err := conn.Exec(ctx, "insert into schema_migrations (version, name, checksum) values ($1, $2, $3)", m.Version, m.Name, m.Checksum); err != nil {
			t.Fatal(err)
		}
	}
	importKey := "import:" + strings.Repeat("0123456789abcdef", 4)
	for _, k := range []string{importKey, "console-7:0001", "import:not-a-file-hash"} {
		if _, err := conn.Exec(ctx, "insert into incident_batches (key, digest) values ($1, '\\x00')", k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(ctx, "insert into patrol_batches (key, digest) values ('device-M00002-0042', '\\x00')"); err != nil {
		t.Fatal(err)
	}
	done, err := postgis.Migrate(ctx, dbURL, postgis.Options{})
	if err != nil || len(done) == 0 || done[0].Version != scoped {
		t.Fatalf("migrating on: %v, %v", done, err)
	}
	for key, want := range map[string]string{importKey: data.ScopeCommandLine, "console-7:0001": "", "import:not-a-file-hash": ""} {
		var scope string
		if err := conn.QueryRow(ctx, "select scope from incident_batches where key = $1", key).Scan(&scope); err != nil || scope != want {
			t.Errorf("incident key %s: scope %q, %v; want %q", key, scope, err, want)
		}
	}
	var scope string
	if err := conn.QueryRow(ctx, "select scope from patrol_batches where key = 'device-M00002-0042'").Scan(&scope); err != nil || scope != "" {
		t.Errorf("ping key: scope %q, %v; want the empty scope", scope, err)
	}
	// Two scopes may now hold one key.
	if _, err := conn.Exec(ctx, "insert into incident_batches (scope, key, digest) values ('officer7', $1, '\\x00')", importKey); err != nil {
		t.Errorf("a user's key equal to the command line's: %v", err)
	}
	if _, err := conn.Exec(ctx, "insert into incident_batches (scope, key, digest) values ($1, $2, '\\x00')", data.ScopeCommandLine, importKey); err == nil {
		t.Error("the same key twice in one scope was stored")
	}
}
