package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// QueryIncidents implements data.IncidentStore: one statement, newest
// first, fetching one row more than the page to know whether another
// page follows.
func (s *Store) QueryIncidents(ctx context.Context, f data.IncidentFilter, p data.Page) (data.IncidentPage, error) {
	c, err := data.ParseCursor(p.Cursor)
	if err != nil {
		return data.IncidentPage{}, err
	}
	limit := p.Limit
	if limit <= 0 {
		limit = data.DefaultPageLimit
	}
	limit = min(limit, data.MaxPageLimit)
	sql, args := pgsql.QueryIncidentsSQL(&f, c, limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return data.IncidentPage{}, mapError("query incidents", err)
	}
	var out data.IncidentPage
	var r pgsql.IncidentRow
	var lastID int64
	_, err = pgx.ForEachRow(rows, r.Dest(), func() error {
		if len(out.Incidents) == limit {
			last := out.Incidents[limit-1]
			out.Next = data.Cursor{OccurredAt: last.OccurredAt, ID: lastID}.Encode()
			return nil
		}
		out.Incidents = append(out.Incidents, r.Incident())
		lastID = r.ID
		return nil
	})
	if err != nil {
		return data.IncidentPage{}, mapError("query incidents", err)
	}
	return out, nil
}

// Incident implements data.IncidentStore.
func (s *Store) Incident(ctx context.Context, id string) (geo.Incident, error) {
	n, err := data.ParseIncidentID(id)
	if err != nil {
		return geo.Incident{}, err
	}
	var r pgsql.IncidentRow
	err = s.pool.QueryRow(ctx, pgsql.IncidentSelect+" where id = $1", n).Scan(r.Dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Incident{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no incident " + id})
	}
	if err != nil {
		return geo.Incident{}, mapError("incident", err)
	}
	return r.Incident(), nil
}

// UpdateIncident implements data.IncidentStore: the row is locked, the
// patch checked against it and written in one transaction.
func (s *Store) UpdateIncident(ctx context.Context, id string, p data.IncidentPatch) (geo.Incident, error) {
	n, err := data.ParseIncidentID(id)
	if err != nil {
		return geo.Incident{}, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return geo.Incident{}, mapError("update incident", err)
	}
	defer tx.Rollback(context.Background())
	var r pgsql.IncidentRow
	err = tx.QueryRow(ctx, pgsql.IncidentSelect+" where id = $1 for update", n).Scan(r.Dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Incident{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no incident " + id})
	}
	if err != nil {
		return geo.Incident{}, mapError("update incident", err)
	}
	next, changed, err := data.CheckPatch(r.Incident(), p)
	if err != nil {
		return geo.Incident{}, fmt.Errorf("postgis: %w", err)
	}
	if !changed {
		return next, nil
	}
	if _, err := tx.Exec(ctx, "update incidents set status = $2, cleared = $3, updated_at = now() where id = $1",
		n, string(next.Status), next.Cleared); err != nil {
		return geo.Incident{}, mapError("update incident", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return geo.Incident{}, mapError("update incident: commit", err)
	}
	return next, nil
}

// AggregateIncidents implements data.IncidentStore.
func (s *Store) AggregateIncidents(ctx context.Context, a data.Aggregation) ([]data.AggregateRow, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	sql, args := pgsql.AggregateIncidentsSQL(&a)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, mapError("aggregate incidents", err)
	}
	type key struct {
		group string
		start int64
	}
	groups := map[key]*data.AggregateRow{}
	var group, category string
	var local time.Time
	var n int
	_, err = pgx.ForEachRow(rows, []any{&group, &local, &category, &n}, func() error {
		start := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, a.Location())
		k := key{group, start.Unix()}
		row := groups[k]
		if row == nil {
			row = &data.AggregateRow{Key: group, Start: start, Counts: map[geo.Category]int{}}
			groups[k] = row
		}
		row.Counts[geo.Category(category)] += n
		row.Total += n
		return nil
	})
	if err != nil {
		return nil, mapError("aggregate incidents", err)
	}
	out := make([]data.AggregateRow, 0, len(groups))
	for _, r := range groups {
		out = append(out, *r)
	}
	data.SortAggregateRows(out)
	return out, nil
}
