package postgis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var _ data.DisputeStore = (*Store)(nil)

// disputeSelect lists the columns disputeRow reads.
const disputeSelect = `select id, reported_at, ST_X(location), ST_Y(location), kind, parties, summary, level, coalesce(method, ''), mediation_brand,
	settled_at, coalesce(community_grid_id, ''), coalesce(police_grid_id, ''), coalesce(station_id, ''), recorded_at, recorded_by, updated_at, updated_by from disputes`

// disputeRow scans one row of disputeSelect.
type disputeRow struct {
	id                   int64
	d                    geo.DisputeCase
	kind, level, method  string
	settledAt, updatedAt *time.Time
}

func (r *disputeRow) dest() []any {
	return []any{&r.id, &r.d.ReportedAt, &r.d.Location[0], &r.d.Location[1], &r.kind, &r.d.Parties, &r.d.Summary, &r.level, &r.method, &r.d.MediationBrand,
		&r.settledAt, &r.d.CommunityGridID, &r.d.PoliceGridID, &r.d.StationID, &r.d.RecordedAt, &r.d.RecordedBy, &r.updatedAt, &r.d.UpdatedBy}
}

func (r *disputeRow) dispute() geo.DisputeCase {
	d := r.d
	d.ID = strconv.FormatInt(r.id, 10)
	d.Kind, d.Level, d.Method = geo.DisputeKind(r.kind), geo.DisputeLevel(r.level), geo.SettleMethod(r.method)
	d.ReportedAt, d.RecordedAt = d.ReportedAt.UTC(), d.RecordedAt.UTC()
	d.SettledAt, d.UpdatedAt = utcOrZero(r.settledAt), utcOrZero(r.updatedAt)
	return d
}

// utcOrZero is *t in UTC, or the zero time for a null.
func utcOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// AddDispute implements data.DisputeStore as AddVisit does for visits:
// in one transaction, holding a lock on the key when there is one, the
// key is looked up and the dispute and its key are inserted; the dispute
// is acknowledged only after COMMIT returns.
func (s *Store) AddDispute(ctx context.Context, w data.DisputeWrite) (data.DisputeResult, error) {
	if err := data.CheckBatchKey(w.Key); err != nil {
		return data.DisputeResult{}, err
	}
	d := w.Dispute
	if err := data.CheckDispute(&d); err != nil {
		return data.DisputeResult{}, fmt.Errorf("postgis: %w", err)
	}
	var digest []byte
	if w.Key != "" {
		digest = w.KeyDigest()
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return data.DisputeResult{}, mapError("add dispute", err)
	}
	defer tx.Rollback(context.Background())
	if w.Key != "" {
		if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock(hashtextextended($1 || chr(1) || $2, 0))", w.Scope, w.Key); err != nil {
			return data.DisputeResult{}, mapError("add dispute", err)
		}
		var prev []byte
		var id int64
		var r disputeRow
		err := tx.QueryRow(ctx, "select digest, dispute_id from dispute_keys where scope = $1 and key = $2", w.Scope, w.Key).Scan(&prev, &id)
		switch {
		case err == nil:
			if err := tx.QueryRow(ctx, disputeSelect+" where id = $1", id).Scan(r.dest()...); err != nil {
				return data.DisputeResult{}, mapError("add dispute", err)
			}
			if !bytes.Equal(prev, digest) {
				return data.DisputeResult{}, fmt.Errorf("postgis: add dispute: %w", data.KeyConflict(w.Key, r.d.RecordedAt))
			}
			return data.DisputeResult{Dispute: r.dispute(), Replayed: true}, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return data.DisputeResult{}, mapError("add dispute", err)
		}
	}
	var r disputeRow
	err = tx.QueryRow(ctx, `with ins as (
	insert into disputes (reported_at, location, kind, parties, summary, level, method, mediation_brand, settled_at,
		community_grid_id, police_grid_id, station_id, recorded_at, recorded_by, updated_at, updated_by)
	values ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), $4, $5, $6, $7, $8, $9, $10, nullif($11, ''), nullif($12, ''), nullif($13, ''), coalesce($14, now()), $15, $16, $17)
	returning *) `+strings.Replace(disputeSelect, "from disputes", "from ins", 1),
		d.ReportedAt, d.Location[0], d.Location[1], string(d.Kind), d.Parties, d.Summary, string(d.Level), pgsql.NullText(string(d.Method)), d.MediationBrand, pgsql.NullTime(d.SettledAt),
		d.CommunityGridID, d.PoliceGridID, d.StationID, pgsql.NullTime(d.RecordedAt), d.RecordedBy, pgsql.NullTime(d.UpdatedAt), d.UpdatedBy).Scan(r.dest()...)
	if err != nil {
		return data.DisputeResult{}, mapError("add dispute", err)
	}
	if w.Key != "" {
		if _, err := tx.Exec(ctx, "insert into dispute_keys (scope, key, digest, dispute_id) values ($1, $2, $3, $4)", w.Scope, w.Key, digest, r.id); err != nil {
			return data.DisputeResult{}, mapError("add dispute", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return data.DisputeResult{}, mapError("add dispute: commit", err)
	}
	return data.DisputeResult{Dispute: r.dispute()}, nil
}

// UpdateDispute implements data.DisputeStore: the row is read under a
// lock (select … for update), changed by data.ApplyDisputePatch, and
// written back in the same transaction, so two changes at once are
// checked one after the other and the level never moves down.
func (s *Store) UpdateDispute(ctx context.Context, id string, p data.DisputePatch) (geo.DisputeCase, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return geo.DisputeCase{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no dispute " + id})
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return geo.DisputeCase{}, mapError("update dispute", err)
	}
	defer tx.Rollback(context.Background())
	var r disputeRow
	if err := tx.QueryRow(ctx, disputeSelect+" where id = $1 for update", n).Scan(r.dest()...); errors.Is(err, pgx.ErrNoRows) {
		return geo.DisputeCase{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no dispute " + id})
	} else if err != nil {
		return geo.DisputeCase{}, mapError("update dispute", err)
	}
	if p.At.IsZero() {
		if err := tx.QueryRow(ctx, "select now()").Scan(&p.At); err != nil {
			return geo.DisputeCase{}, mapError("update dispute", err)
		}
	}
	next, err := data.ApplyDisputePatch(r.dispute(), p)
	if err != nil {
		return geo.DisputeCase{}, fmt.Errorf("postgis: %w", err)
	}
	var out disputeRow
	err = tx.QueryRow(ctx, `with up as (
	update disputes set level = $2, method = $3, mediation_brand = $4, settled_at = $5, updated_at = $6, updated_by = $7 where id = $1
	returning *) `+strings.Replace(disputeSelect, "from disputes", "from up", 1),
		n, string(next.Level), pgsql.NullText(string(next.Method)), next.MediationBrand, pgsql.NullTime(next.SettledAt), pgsql.NullTime(next.UpdatedAt), next.UpdatedBy).Scan(out.dest()...)
	if err != nil {
		return geo.DisputeCase{}, mapError("update dispute", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return geo.DisputeCase{}, mapError("update dispute: commit", err)
	}
	return out.dispute(), nil
}

// Dispute implements data.DisputeStore.
func (s *Store) Dispute(ctx context.Context, id string) (geo.DisputeCase, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	var r disputeRow
	if err == nil {
		err = s.pool.QueryRow(ctx, disputeSelect+" where id = $1", n).Scan(r.dest()...)
	}
	switch {
	case err == nil:
		return r.dispute(), nil
	case errors.Is(err, pgx.ErrNoRows), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		return geo.DisputeCase{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no dispute " + id})
	}
	return geo.DisputeCase{}, mapError("read dispute", err)
}

// QueryDisputes implements data.DisputeStore: one statement, newest
// reported first, fetching one row more than the page to know whether
// another follows.
func (s *Store) QueryDisputes(ctx context.Context, f data.DisputeFilter, p data.Page) (data.DisputePage, error) {
	c, err := data.ParseCursor(p.Cursor)
	if err != nil {
		return data.DisputePage{}, err
	}
	limit := pageLimit(p)
	var args pgsql.Args
	sql := disputeSelect + pgsql.DisputeWhere(&f, c, &args) + " order by reported_at desc, id desc limit " + args.Add(limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return data.DisputePage{}, mapError("query disputes", err)
	}
	out := data.DisputePage{Disputes: []geo.DisputeCase{}}
	var r disputeRow
	var lastID int64
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		if len(out.Disputes) == limit {
			out.Next = data.Cursor{OccurredAt: out.Disputes[limit-1].ReportedAt, ID: lastID}.Encode()
			return nil
		}
		out.Disputes = append(out.Disputes, r.dispute())
		lastID = r.id
		return nil
	})
	if err != nil {
		return data.DisputePage{}, mapError("query disputes", err)
	}
	return out, nil
}

// pageLimit is the number of records a page of p holds.
func pageLimit(p data.Page) int {
	if p.Limit <= 0 {
		return data.DefaultPageLimit
	}
	return min(p.Limit, data.MaxPageLimit)
}
