package postgis

import (
	"context"
	"strconv"
	"time"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var _ data.VisitStore = (*Store)(nil)

// visitsTable is the visits' table, newest visit first.
var visitsTable = workTable[geo.Visit]{
	name: "visit", table: "visits", keys: "visit_keys", keyColumn: "visit_id",
	columns: `id, officer_id, at, ST_X(location), ST_Y(location), kind, whom, coalesce(key_place_id, ''), outcome,
	coalesce(community_grid_id, ''), coalesce(police_grid_id, ''), coalesce(station_id, ''), recorded_at, recorded_by`,
	order:      "at desc, id desc",
	sortTime:   func(v *geo.Visit) time.Time { return v.At },
	recordedAt: func(v *geo.Visit) time.Time { return v.RecordedAt },
	check:      data.CheckVisit,
	insert: func(v *geo.Visit) (string, []any) {
		return `insert into visits (officer_id, at, location, kind, whom, key_place_id, outcome, community_grid_id, police_grid_id, station_id, recorded_at, recorded_by)
	values ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), $5, $6, $7, $8, nullif($9, ''), nullif($10, ''), nullif($11, ''), coalesce($12, now()), $13)`,
			[]any{v.OfficerID, v.At, v.Location[0], v.Location[1], string(v.Kind), v.Whom, pgsql.NullText(v.KeyPlaceID), v.Outcome,
				v.CommunityGridID, v.PoliceGridID, v.StationID, pgsql.NullTime(v.RecordedAt), v.RecordedBy}
	},
	newRow: func() workRow[geo.Visit] { return &visitRow{} },
}

// visitRow scans one row of visits' columns.
type visitRow struct {
	id   int64
	v    geo.Visit
	kind string
}

func (r *visitRow) dest() []any {
	return []any{&r.id, &r.v.OfficerID, &r.v.At, &r.v.Location[0], &r.v.Location[1], &r.kind, &r.v.Whom, &r.v.KeyPlaceID, &r.v.Outcome,
		&r.v.CommunityGridID, &r.v.PoliceGridID, &r.v.StationID, &r.v.RecordedAt, &r.v.RecordedBy}
}

func (r *visitRow) record() (int64, geo.Visit) {
	v := r.v
	v.ID = strconv.FormatInt(r.id, 10)
	v.Kind = geo.VisitKind(r.kind)
	v.At, v.RecordedAt = v.At.UTC(), v.RecordedAt.UTC()
	return r.id, v
}

// AddVisit implements data.VisitStore (workTable.add): the visit is
// acknowledged only after COMMIT returns.
func (s *Store) AddVisit(ctx context.Context, w data.VisitWrite) (data.VisitResult, error) {
	v, replayed, err := visitsTable.add(ctx, s, w.Visit, w.Scope, w.Key, w.KeyDigest)
	if err != nil {
		return data.VisitResult{}, err
	}
	return data.VisitResult{Visit: v, Replayed: replayed}, nil
}

// QueryVisits implements data.VisitStore (workTable.page).
func (s *Store) QueryVisits(ctx context.Context, f data.VisitFilter, p data.Page) (data.VisitPage, error) {
	rows, next, err := visitsTable.page(ctx, s, p, func(c data.Cursor, args *pgsql.Args) string { return pgsql.VisitWhere(&f, c, args) })
	if err != nil {
		return data.VisitPage{}, err
	}
	return data.VisitPage{Visits: rows, Next: next}, nil
}
