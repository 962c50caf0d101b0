package postgis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"jingge/data"
)

// constraintMessages explains the schema's named constraints to people.
var constraintMessages = map[string]string{
	"grids_geom_valid":                "the grid's geometry is not a valid polygon (it crosses itself or a ring is degenerate)",
	"grids_geom_not_empty":            "the grid's geometry is empty",
	"grids_level_known":               "a grid's level must be police or community",
	"grids_population_not_negative":   "a grid's population cannot be negative",
	"grids_terrain_known":             "a grid's terrain must be hill, plateau, plain or mountain, or left out",
	"grids_parent_only_for_community": "only a community grid has a parent grid",
	"grids_one_current_version":       "another change to the same grid was committed at the same time; reload and retry",
	"grids_valid_period":              "a grid version cannot end before it begins",
	"county_geom_valid":               "the county outline is not a valid polygon",
	"townships_geom_valid":            "a township's geometry is not a valid polygon",
	"stations_region_known":           "a station's region must be hill, plateau, plain or mountain",
	"members_role_known":              "a member's role is not one of the known roles",
	"incidents_severity_range":        "an incident's severity must be 1 to 5",
	"incidents_status_known":          "an incident's status must be reported, dispatched, on_scene or closed",
}

// mapError wraps err with the package prefix and the operation, and maps
// what the database said to the data sentinels, putting a message a person
// can act on before the database's own words.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	var verr *data.ValidationError
	if errors.As(err, &verr) {
		return fmt.Errorf("postgis: %s: %w", op, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		msg, sentinel := classify(pgErr)
		if sentinel != nil {
			return fmt.Errorf("postgis: %s: %w: %s (%w)", op, sentinel, msg, err)
		}
		return fmt.Errorf("postgis: %s: %w", op, err)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("postgis: %s: %w", op, err)
	}
	if unreachable(err) {
		return fmt.Errorf("postgis: %s: %w: the database cannot be reached; reads are served from memory until it is back (%w)", op, data.ErrUnavailable, err)
	}
	return fmt.Errorf("postgis: %s: %w", op, err)
}

// classify maps a server error to a message and a sentinel; a nil sentinel
// means the error is a bug or an unexpected state, not the caller's fault.
func classify(e *pgconn.PgError) (string, error) {
	if msg, ok := constraintMessages[e.ConstraintName]; ok {
		switch e.Code {
		case "23505":
			return msg, data.ErrConflict
		default:
			return msg, data.ErrInvalid
		}
	}
	switch {
	case e.Code == "JG001" || e.Code == "JG002": // raised by the schema's triggers in plain words
		return e.Message, data.ErrInvalid
	case e.Code == "23505":
		return "a row with the same key already exists" + about(e), data.ErrConflict
	case e.Code == "23503":
		return "it refers to something that does not exist" + about(e), data.ErrInvalid
	case strings.HasPrefix(e.Code, "23"):
		return "the change breaks a rule of the schema" + about(e), data.ErrInvalid
	case e.Code == "40001" || e.Code == "40P01" || e.Code == "55P03":
		return "a concurrent change got in the way; retry", data.ErrConflict
	case strings.HasPrefix(e.Code, "08"), strings.HasPrefix(e.Code, "53"),
		e.Code == "57P01", e.Code == "57P02", e.Code == "57P03", e.Code == "25006":
		return "the database is not accepting this work now; retry later", data.ErrUnavailable
	case e.Code == "57014":
		return "the database did not finish in time", data.ErrUnavailable
	}
	return "", nil
}

func about(e *pgconn.PgError) string {
	switch {
	case e.Detail != "":
		return ": " + e.Detail
	case e.ConstraintName != "":
		return " (constraint " + e.ConstraintName + ")"
	}
	return ""
}

// unreachable reports whether err means the database could not be talked
// to at all, as opposed to refusing a statement.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &ce), errors.As(err, &oe), errors.As(err, &ne):
		return true
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err), pgconn.SafeToRetry(err):
		return true
	}
	s := err.Error()
	return strings.Contains(s, "conn closed") || strings.Contains(s, "closed pool") || strings.Contains(s, "unexpected EOF")
}
