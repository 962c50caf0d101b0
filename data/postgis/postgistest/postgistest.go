// Package postgistest gives tests a PostGIS store of their own: each call
// makes a fresh schema in the database named by JINGGE_TEST_DATABASE_URL
// and drops it when the test ends, so tests run in parallel without seeing
// each other. Without the variable tests skip, except under CI=true, where
// a missing database is a failure.
package postgistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data/postgis"
)

// EnvURL names the environment variable that points tests at a database.
const EnvURL = "JINGGE_TEST_DATABASE_URL"

// poolMaxConns keeps each test's pool small, so many parallel tests fit in
// one server's connection limit.
const poolMaxConns = "4"

// URL returns the test database URL, or skips tb (fails it under CI=true)
// when there is none.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal(EnvURL + " is not set; run tests through make test")
		}
		tb.Skip(EnvURL + " is not set; run tests through make test to include the PostGIS tests")
	}
	return u
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// NewSchema creates an empty schema for tb and returns a database URL
// whose search_path selects it (then public, for PostGIS) and whose pool
// is small. The schema is dropped with everything in it when tb ends.
func NewSchema(tb testing.TB) string {
	tb.Helper()
	base := URL(tb)
	var suffix [4]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		tb.Fatal(err)
	}
	name := unsafeChars.ReplaceAllString(strings.ToLower(tb.Name()), "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	schema := "jt_" + strings.Trim(name, "_") + "_" + hex.EncodeToString(suffix[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connecting to the test database: %v", err)
	}
	defer conn.Close(context.Background())
	// PostGIS goes in public once per database, so test schemas share it.
	if _, err := conn.Exec(ctx, "create extension if not exists postgis schema public"); err != nil {
		tb.Fatalf("creating the postgis extension: %v", err)
	}
	if _, err := conn.Exec(ctx, "create schema "+pgx.Identifier{schema}.Sanitize()); err != nil {
		tb.Fatalf("creating test schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("dropping test schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "drop schema "+pgx.Identifier{schema}.Sanitize()+" cascade"); err != nil {
			tb.Errorf("dropping test schema %s: %v", schema, err)
		}
	})
	return withParams(tb, base, map[string]string{"search_path": schema + ",public", "pool_max_conns": poolMaxConns})
}

// withParams adds query parameters to a postgres:// URL or key=value string.
func withParams(tb testing.TB, base string, params map[string]string) string {
	tb.Helper()
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			tb.Fatalf("%s does not parse: %v", EnvURL, err)
		}
		q := u.Query()
		for k, v := range params {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	out := base
	for k, v := range params {
		out += " " + k + "='" + strings.ReplaceAll(v, "'", `\'`) + "'"
	}
	return out
}

// MustOpen opens a store on a fresh schema (migrated at open) and closes it
// when tb ends.
func MustOpen(tb testing.TB) *postgis.Store {
	tb.Helper()
	return MustOpenURL(tb, NewSchema(tb))
}

// MustOpenURL opens a store on dbURL (as from NewSchema) and closes it
// when tb ends; several stores may share one schema.
func MustOpenURL(tb testing.TB, dbURL string) *postgis.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := postgis.Open(ctx, dbURL, postgis.Options{})
	if err != nil {
		tb.Fatalf("postgis.Open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}
