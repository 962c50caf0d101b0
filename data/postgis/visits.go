package postgis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var _ data.VisitStore = (*Store)(nil)

// visitSelect lists the columns scanVisit reads.
const visitSelect = `select id, officer_id, at, ST_X(location), ST_Y(location), kind, whom, coalesce(key_place_id, ''), outcome,
	coalesce(community_grid_id, ''), coalesce(police_grid_id, ''), coalesce(station_id, ''), recorded_at, recorded_by from visits`

// visitRow scans one row of visitSelect.
type visitRow struct {
	id   int64
	v    geo.Visit
	kind string
}

func (r *visitRow) dest() []any {
	return []any{&r.id, &r.v.OfficerID, &r.v.At, &r.v.Location[0], &r.v.Location[1], &r.kind, &r.v.Whom, &r.v.KeyPlaceID, &r.v.Outcome,
		&r.v.CommunityGridID, &r.v.PoliceGridID, &r.v.StationID, &r.v.RecordedAt, &r.v.RecordedBy}
}

func (r *visitRow) visit() geo.Visit {
	v := r.v
	v.ID = strconv.FormatInt(r.id, 10)
	v.Kind = geo.VisitKind(r.kind)
	v.At, v.RecordedAt = v.At.UTC(), v.RecordedAt.UTC()
	return v
}

// AddVisit implements data.VisitStore: in one transaction, holding a lock
// on the key when there is one (so two requests with the same key store
// one visit), the key is looked up, and the visit and its key are
// inserted. The visit is acknowledged only after COMMIT returns.
func (s *Store) AddVisit(ctx context.Context, w data.VisitWrite) (data.VisitResult, error) {
	if err := data.CheckBatchKey(w.Key); err != nil {
		return data.VisitResult{}, err
	}
	v := w.Visit
	if err := data.CheckVisit(&v); err != nil {
		return data.VisitResult{}, fmt.Errorf("postgis: %w", err)
	}
	var digest []byte
	if w.Key != "" {
		digest = w.KeyDigest()
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return data.VisitResult{}, mapError("add visit", err)
	}
	defer tx.Rollback(context.Background())
	if w.Key != "" {
		if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock(hashtextextended($1 || chr(1) || $2, 0))", w.Scope, w.Key); err != nil {
			return data.VisitResult{}, mapError("add visit", err)
		}
		var prev []byte
		var id int64
		var r visitRow
		err := tx.QueryRow(ctx, "select digest, visit_id from visit_keys where scope = $1 and key = $2", w.Scope, w.Key).Scan(&prev, &id)
		switch {
		case err == nil:
			if err := tx.QueryRow(ctx, visitSelect+" where id = $1", id).Scan(r.dest()...); err != nil {
				return data.VisitResult{}, mapError("add visit", err)
			}
			if !bytes.Equal(prev, digest) {
				return data.VisitResult{}, fmt.Errorf("postgis: add visit: %w", data.KeyConflict(w.Key, r.v.RecordedAt))
			}
			return data.VisitResult{Visit: r.visit(), Replayed: true}, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return data.VisitResult{}, mapError("add visit", err)
		}
	}
	var keyPlace *string
	if v.KeyPlaceID != "" {
		keyPlace = &v.KeyPlaceID
	}
	var recordedAt any
	if !v.RecordedAt.IsZero() {
		recordedAt = v.RecordedAt
	}
	var r visitRow
	err = tx.QueryRow(ctx, `with ins as (
	insert into visits (officer_id, at, location, kind, whom, key_place_id, outcome, community_grid_id, police_grid_id, station_id, recorded_at, recorded_by)
	values ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), $5, $6, $7, $8, nullif($9, ''), nullif($10, ''), nullif($11, ''), coalesce($12, now()), $13)
	returning *) `+strings.Replace(visitSelect, "from visits", "from ins", 1),
		v.OfficerID, v.At, v.Location[0], v.Location[1], string(v.Kind), v.Whom, keyPlace, v.Outcome,
		v.CommunityGridID, v.PoliceGridID, v.StationID, recordedAt, v.RecordedBy).Scan(r.dest()...)
	if err != nil {
		return data.VisitResult{}, mapError("add visit", err)
	}
	if w.Key != "" {
		if _, err := tx.Exec(ctx, "insert into visit_keys (scope, key, digest, visit_id) values ($1, $2, $3, $4)", w.Scope, w.Key, digest, r.id); err != nil {
			return data.VisitResult{}, mapError("add visit", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return data.VisitResult{}, mapError("add visit: commit", err)
	}
	return data.VisitResult{Visit: r.visit()}, nil
}

// QueryVisits implements data.VisitStore: one statement, newest first,
// fetching one row more than the page to know whether another follows.
func (s *Store) QueryVisits(ctx context.Context, f data.VisitFilter, p data.Page) (data.VisitPage, error) {
	c, err := data.ParseCursor(p.Cursor)
	if err != nil {
		return data.VisitPage{}, err
	}
	limit := p.Limit
	if limit <= 0 {
		limit = data.DefaultPageLimit
	}
	limit = min(limit, data.MaxPageLimit)
	var args pgsql.Args
	sql := visitSelect + pgsql.VisitWhere(&f, c, &args) + " order by at desc, id desc limit " + args.Add(limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return data.VisitPage{}, mapError("query visits", err)
	}
	out := data.VisitPage{Visits: []geo.Visit{}}
	var r visitRow
	var lastID int64
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		if len(out.Visits) == limit {
			out.Next = data.Cursor{OccurredAt: out.Visits[limit-1].At, ID: lastID}.Encode()
			return nil
		}
		out.Visits = append(out.Visits, r.visit())
		lastID = r.id
		return nil
	})
	if err != nil {
		return data.VisitPage{}, mapError("query visits", err)
	}
	return out, nil
}
