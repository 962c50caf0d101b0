package postgis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"jingge/data"
	"jingge/geo"
)

// incidentSelect lists the columns scanIncident reads.
const incidentSelect = `select id, occurred_at, reported_at, category, severity, status, cleared, ST_X(location), ST_Y(location),
	coalesce(community_grid_id, ''), coalesce(police_grid_id, ''), coalesce(station_id, ''), source, summary from incidents`

// incidentRow scans one row of incidentSelect.
type incidentRow struct {
	id       int64
	inc      geo.Incident
	category string
	status   string
	severity int16
}

func (r *incidentRow) dest() []any {
	return []any{&r.id, &r.inc.OccurredAt, &r.inc.ReportedAt, &r.category, &r.severity, &r.status, &r.inc.Cleared,
		&r.inc.Location[0], &r.inc.Location[1], &r.inc.CommunityGridID, &r.inc.PoliceGridID, &r.inc.StationID, &r.inc.Source, &r.inc.Summary}
}

func (r *incidentRow) incident() geo.Incident {
	inc := r.inc
	inc.ID = strconv.FormatInt(r.id, 10)
	inc.Category = geo.Category(r.category)
	inc.Status = geo.IncidentStatus(r.status)
	inc.Severity = int(r.severity)
	return inc
}

// sqlArgs collects the arguments of a statement and hands out their
// placeholders.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// incidentWhere turns f into a where clause (" where ..." or "") whose
// values travel in args; nothing of f is pasted into the SQL text.
func incidentWhere(f *data.IncidentFilter, c data.Cursor, args *sqlArgs) string {
	var conds []string
	if !f.From.IsZero() {
		conds = append(conds, "occurred_at >= "+args.add(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "occurred_at < "+args.add(f.To))
	}
	if len(f.Categories) > 0 {
		conds = append(conds, "category = any("+args.add(strs(f.Categories))+")")
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "status = any("+args.add(strs(f.Statuses))+")")
	}
	if len(f.Stations) > 0 {
		conds = append(conds, "station_id = any("+args.add(f.Stations)+")")
	}
	if len(f.Severities) > 0 {
		conds = append(conds, "severity = any("+args.add(f.Severities)+")")
	}
	if len(f.Grids) > 0 {
		p := args.add(f.Grids)
		conds = append(conds, "(community_grid_id = any("+p+") or police_grid_id = any("+p+"))")
	}
	if f.Bound != nil {
		conds = append(conds, "location && "+envelope(args, f.Bound.Min[0], f.Bound.Min[1], f.Bound.Max[0], f.Bound.Max[1]))
	}
	if len(f.Within) > 0 {
		b, _ := wkb.Marshal(f.Within)
		conds = append(conds, "ST_Intersects(location, ST_GeomFromWKB("+args.add(b)+", 4326))")
	}
	if f.Near != nil {
		nb := f.Near.Bound()
		conds = append(conds, "location && "+envelope(args, nb.Min[0], nb.Min[1], nb.Max[0], nb.Max[1]),
			fmt.Sprintf("ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s, false)",
				args.add(f.Near.Center[0]), args.add(f.Near.Center[1]), args.add(postgisRadius(f.Near.RadiusMeters))))
	}
	if c.ID != 0 {
		conds = append(conds, fmt.Sprintf("(occurred_at, id) < (%s, %s)", args.add(c.OccurredAt), args.add(c.ID)))
	}
	if len(conds) == 0 {
		return ""
	}
	return " where " + strings.Join(conds, " and ")
}

func envelope(args *sqlArgs, minX, minY, maxX, maxY float64) string {
	return fmt.Sprintf("ST_MakeEnvelope(%s, %s, %s, %s, 4326)", args.add(minX), args.add(minY), args.add(maxX), args.add(maxY))
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// QueryIncidentsSQL returns the statement QueryIncidents runs for f, c
// and limit, with its arguments; benchmarks compare it with hand-written
// SQL.
func QueryIncidentsSQL(f *data.IncidentFilter, c data.Cursor, limit int) (string, []any) {
	var args sqlArgs
	where := incidentWhere(f, c, &args)
	return incidentSelect + where + " order by occurred_at desc, id desc limit " + args.add(limit), args
}

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
	sql, args := QueryIncidentsSQL(&f, c, limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return data.IncidentPage{}, mapError("query incidents", err)
	}
	var out data.IncidentPage
	var r incidentRow
	var lastID int64
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		if len(out.Incidents) == limit {
			last := out.Incidents[limit-1]
			out.Next = data.Cursor{OccurredAt: last.OccurredAt, ID: lastID}.Encode()
			return nil
		}
		out.Incidents = append(out.Incidents, r.incident())
		lastID = r.id
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
	var r incidentRow
	err = s.pool.QueryRow(ctx, incidentSelect+" where id = $1", n).Scan(r.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Incident{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no incident " + id})
	}
	if err != nil {
		return geo.Incident{}, mapError("incident", err)
	}
	return r.incident(), nil
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
	var r incidentRow
	err = tx.QueryRow(ctx, incidentSelect+" where id = $1 for update", n).Scan(r.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Incident{}, fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no incident " + id})
	}
	if err != nil {
		return geo.Incident{}, mapError("update incident", err)
	}
	next, changed, err := data.CheckPatch(r.incident(), p)
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

// groupColumns maps each grouping to its column; the SQL takes only these
// fixed names.
var groupColumns = map[data.GroupBy]string{
	data.ByGrid:       "community_grid_id",
	data.ByPoliceGrid: "police_grid_id",
	data.ByStation:    "station_id",
}

// AggregateIncidentsSQL returns the statement AggregateIncidents runs.
// Buckets are cut in the aggregation's zone, passed by its IANA name.
func AggregateIncidentsSQL(a *data.Aggregation) (string, []any) {
	var args sqlArgs
	col := groupColumns[a.GroupBy]
	where := incidentWhere(&a.Filter, data.Cursor{}, &args)
	bucket := args.add(string(a.Bucket))
	zone := args.add(a.Location().String())
	if a.GroupBy == data.ByArea {
		// The filter names the incidents' columns unqualified, and areas
		// share some names (id, station_id): filter first, then join.
		return "select a.id, date_trunc(" + bucket + ", i.occurred_at at time zone " + zone + "), i.category, count(*)" +
			" from (select occurred_at, category, location from incidents" + where + ") i" +
			" join current_areas a on ST_Covers(a.geom, i.location) group by 1, 2, 3", args
	}
	return "select coalesce(" + col + ", ''), date_trunc(" + bucket + ", occurred_at at time zone " + zone + "), category, count(*) from incidents" +
		where + " group by 1, 2, 3", args
}

// AggregateIncidents implements data.IncidentStore.
func (s *Store) AggregateIncidents(ctx context.Context, a data.Aggregation) ([]data.AggregateRow, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	sql, args := AggregateIncidentsSQL(&a)
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

// postgisSphereMeters is the radius of the sphere PostGIS measures
// geography on when told not to use the spheroid: the mean radius of the
// WGS-84 ellipsoid.
const postgisSphereMeters = 6371008.7714

// postgisRadius converts a distance on jingge's sphere
// (geo.EarthRadiusMeters) into the same angle on PostGIS's, so
// ST_DWithin selects exactly the points data.Circle.Contains does: a
// great-circle distance is the angle times the radius.
func postgisRadius(meters float64) float64 {
	return meters * postgisSphereMeters / geo.EarthRadiusMeters
}
