package postgis

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one versioned schema change embedded in the binary.
type Migration struct {
	Version  int    // from the file name's leading number
	Name     string // the file name without number and extension
	SQL      string
	Checksum string // sha256 of SQL, recorded when applied
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("postgis: migrations: %w", err)
	}
	var out []Migration
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgis: migration file %s: want NNNN_name.sql", n)
		}
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("postgis: migrations: %w", err)
		}
		sum := sha256.Sum256(b)
		out = append(out, Migration{Version: v, Name: name, SQL: string(b), Checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("postgis: two migrations have version %d", out[i].Version)
		}
	}
	return out, nil
}

// Advisory lock classes (the first key of pg_advisory_xact_lock); the second
// key is hashtext(current_schema()), so stores in different schemas of one
// database do not wait for each other. lockWrite must match the overlap
// trigger in migration 1.
const (
	lockMigrate int32 = 1785292899
	lockWrite   int32 = 1785292900
)

// migrate applies every embedded migration the schema lacks, in one
// transaction under an advisory lock, so servers starting together apply
// each migration exactly once. It returns the migrations it applied. A
// migration whose text changed after it was applied, or a schema newer than
// this binary, is an error.
func migrate(ctx context.Context, conn *pgx.Conn) ([]Migration, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock($1, hashtext(current_schema()))", lockMigrate); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `create table if not exists schema_migrations (
		version    integer primary key,
		name       text not null,
		checksum   text not null,
		applied_at timestamptz not null default now())`); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, "select version, checksum from schema_migrations")
	if err != nil {
		return nil, err
	}
	applied := map[int]string{}
	var v int
	var sum string
	_, err = pgx.ForEachRow(rows, []any{&v, &sum}, func() error { applied[v] = sum; return nil })
	if err != nil {
		return nil, err
	}
	known := map[int]bool{}
	var done []Migration
	for _, m := range all {
		known[m.Version] = true
		if have, ok := applied[m.Version]; ok {
			if have != m.Checksum {
				return nil, fmt.Errorf("migration %d (%s) was changed after it was applied; add a new migration instead", m.Version, m.Name)
			}
			continue
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return nil, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
		if _, err := tx.Exec(ctx, "insert into schema_migrations (version, name, checksum) values ($1, $2, $3)", m.Version, m.Name, m.Checksum); err != nil {
			return nil, err
		}
		done = append(done, m)
	}
	for v := range applied {
		if !known[v] {
			return nil, fmt.Errorf("the database schema has migration %d, which this jingge does not know; upgrade jingge", v)
		}
	}
	return done, tx.Commit(ctx)
}
