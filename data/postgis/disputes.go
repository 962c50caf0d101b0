package postgis

import (
	"context"
	"strconv"
	"time"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var _ data.DisputeStore = (*Store)(nil)

// disputesTable is the disputes' table, newest reported first.
var disputesTable = workTable[geo.DisputeCase]{
	name: "dispute", table: "disputes", keys: "dispute_keys", keyColumn: "dispute_id",
	columns: `id, reported_at, ST_X(location), ST_Y(location), kind, parties, summary, level, coalesce(method, ''), mediation_brand,
	settled_at, coalesce(community_grid_id, ''), coalesce(police_grid_id, ''), coalesce(station_id, ''), recorded_at, recorded_by, updated_at, updated_by`,
	order:      "reported_at desc, id desc",
	sortTime:   func(d *geo.DisputeCase) time.Time { return d.ReportedAt },
	recordedAt: func(d *geo.DisputeCase) time.Time { return d.RecordedAt },
	check:      data.CheckDispute,
	insert: func(d *geo.DisputeCase) (string, []any) {
		return `insert into disputes (reported_at, location, kind, parties, summary, level, method, mediation_brand, settled_at,
		community_grid_id, police_grid_id, station_id, recorded_at, recorded_by, updated_at, updated_by)
	values ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), $4, $5, $6, $7, $8, $9, $10, nullif($11, ''), nullif($12, ''), nullif($13, ''), coalesce($14, now()), $15, $16, $17)`,
			[]any{d.ReportedAt, d.Location[0], d.Location[1], string(d.Kind), d.Parties, d.Summary, string(d.Level), pgsql.NullText(string(d.Method)), d.MediationBrand, pgsql.NullTime(d.SettledAt),
				d.CommunityGridID, d.PoliceGridID, d.StationID, pgsql.NullTime(d.RecordedAt), d.RecordedBy, pgsql.NullTime(d.UpdatedAt), d.UpdatedBy}
	},
	newRow: func() workRow[geo.DisputeCase] { return &disputeRow{} },
}

// disputeRow scans one row of disputes' columns.
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

func (r *disputeRow) record() (int64, geo.DisputeCase) {
	d := r.d
	d.ID = strconv.FormatInt(r.id, 10)
	d.Kind, d.Level, d.Method = geo.DisputeKind(r.kind), geo.DisputeLevel(r.level), geo.SettleMethod(r.method)
	d.ReportedAt, d.RecordedAt = d.ReportedAt.UTC(), d.RecordedAt.UTC()
	d.SettledAt, d.UpdatedAt = utcOrZero(r.settledAt), utcOrZero(r.updatedAt)
	return r.id, d
}

// AddDispute implements data.DisputeStore as AddVisit does for visits
// (workTable.add).
func (s *Store) AddDispute(ctx context.Context, w data.DisputeWrite) (data.DisputeResult, error) {
	d, replayed, err := disputesTable.add(ctx, s, w.Dispute, w.Scope, w.Key, w.KeyDigest)
	if err != nil {
		return data.DisputeResult{}, err
	}
	return data.DisputeResult{Dispute: d, Replayed: replayed}, nil
}

// UpdateDispute implements data.DisputeStore (workTable.update): the row
// is read under a lock, changed by data.ApplyDisputePatch and written
// back in one transaction, so the level never moves down.
func (s *Store) UpdateDispute(ctx context.Context, id string, p data.DisputePatch) (geo.DisputeCase, error) {
	return disputesTable.update(ctx, s, id, p.Key, p.Answer, &p.At,
		func(cur geo.DisputeCase) (geo.DisputeCase, error) { return data.ApplyDisputePatch(cur, p) },
		func(next *geo.DisputeCase) (string, []any) {
			return "level = $2, method = $3, mediation_brand = $4, settled_at = $5, updated_at = $6, updated_by = $7",
				[]any{string(next.Level), pgsql.NullText(string(next.Method)), next.MediationBrand, pgsql.NullTime(next.SettledAt), pgsql.NullTime(next.UpdatedAt), next.UpdatedBy}
		})
}

// Dispute implements data.DisputeStore.
func (s *Store) Dispute(ctx context.Context, id string) (geo.DisputeCase, error) {
	return disputesTable.byID(ctx, s, id)
}

// QueryDisputes implements data.DisputeStore (workTable.page).
func (s *Store) QueryDisputes(ctx context.Context, f data.DisputeFilter, p data.Page) (data.DisputePage, error) {
	rows, next, err := disputesTable.page(ctx, s, p, func(c data.Cursor, args *pgsql.Args) string { return pgsql.DisputeWhere(&f, c, args) })
	if err != nil {
		return data.DisputePage{}, err
	}
	return data.DisputePage{Disputes: rows, Next: next}, nil
}
