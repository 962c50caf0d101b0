package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"jingge/data"
)

func TestMapError(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want error  // sentinel; nil for none
		says string // part of the message a person reads
	}{
		{"overlap trigger", &pgconn.PgError{Code: "JG002", Message: "grid A overlaps grid B (both police grids in force)"}, data.ErrInvalid, "grid A overlaps grid B"},
		{"history trigger", &pgconn.PgError{Code: "JG001", Message: "grid A version 1 is history and cannot be changed"}, data.ErrInvalid, "is history"},
		{"invalid geometry", &pgconn.PgError{Code: "23514", ConstraintName: "grids_geom_valid"}, data.ErrInvalid, "not a valid polygon"},
		{"unknown terrain", &pgconn.PgError{Code: "23514", ConstraintName: "stations_region_known"}, data.ErrInvalid, "hill, plateau, plain or mountain"},
		{"unknown grid terrain", &pgconn.PgError{Code: "23514", ConstraintName: "grids_terrain_known"}, data.ErrInvalid, "hill, plateau, plain or mountain, or left out"},
		{"two versions in force", &pgconn.PgError{Code: "23505", ConstraintName: "grids_one_current_version"}, data.ErrConflict, "reload and retry"},
		{"foreign key", &pgconn.PgError{Code: "23503", Detail: `Key (station_id)=(x) is not present in table "stations".`}, data.ErrInvalid, "does not exist: Key (station_id)=(x)"},
		{"serialization", &pgconn.PgError{Code: "40001"}, data.ErrConflict, "retry"},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, data.ErrUnavailable, "retry later"},
		{"too many connections", &pgconn.PgError{Code: "53300"}, data.ErrUnavailable, "retry later"},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, data.ErrUnavailable, "did not finish in time"},
		{"cannot connect", &pgconn.ConnectError{}, data.ErrUnavailable, "cannot be reached"},
		{"deadline", fmt.Errorf("reading: %w", context.DeadlineExceeded), data.ErrUnavailable, "cannot be reached"},
		{"cancelled by the caller", context.Canceled, nil, "context canceled"},
		{"syntax error is a bug", &pgconn.PgError{Code: "42601", Message: "syntax error"}, nil, "syntax error"},
		// Not unavailable, so `jingge serve` fails at start instead of
		// waiting for them (cmd/jingge/serve_connect.go).
		{"wrong password", &pgconn.PgError{Code: "28P01", Message: "password authentication failed"}, nil, "password authentication failed"},
		{"unknown role", &pgconn.PgError{Code: "28000", Message: `role "x" does not exist`}, nil, "does not exist"},
		{"unknown database", &pgconn.PgError{Code: "3D000", Message: `database "x" does not exist`}, nil, "does not exist"},
		{"database starting up", &pgconn.PgError{Code: "57P03"}, data.ErrUnavailable, "retry later"},
		{"validation", &data.ValidationError{Problems: []data.Problem{{Kind: "grid", ID: "A", Reason: "bad"}}}, data.ErrInvalid, "grid A: bad"},
	}
	sentinels := []error{data.ErrInvalid, data.ErrConflict, data.ErrUnavailable, data.ErrNotFound}
	for _, c := range cases {
		got := mapError("op", c.err)
		if !strings.HasPrefix(got.Error(), "postgis: op: ") || !strings.Contains(got.Error(), c.says) {
			t.Errorf("%s: %q, want the postgis prefix and %q", c.name, got, c.says)
		}
		if !errors.Is(got, c.err) {
			t.Errorf("%s: the cause is not wrapped", c.name)
		}
		for _, s := range sentinels {
			if errors.Is(got, s) != (s == c.want) {
				t.Errorf("%s: errors.Is(%v) = %v", c.name, s, errors.Is(got, s))
			}
		}
	}
}

func TestFirstSchema(t *testing.T) {
	cases := map[string]string{
		"":                      "",
		"public":                "public",
		`"$user", public`:       "public",
		"jingge,public":         "jingge",
		` "My ""odd"" schema" `: `My "odd" schema`,
		"$user":                 "",
	}
	for in, want := range cases {
		if got := firstSchema(in); got != want {
			t.Errorf("firstSchema(%q) = %q, want %q", in, got, want)
		}
	}
}
