package pgsql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb/encoding/wkb"

	"jingge/data"
	"jingge/geo"
)

// IncidentSelect lists the columns IncidentRow reads.
const IncidentSelect = `select id, occurred_at, reported_at, category, severity, status, cleared, ST_X(location), ST_Y(location),
	coalesce(community_grid_id, ''), coalesce(police_grid_id, ''), coalesce(station_id, ''), source, summary from incidents`

// IncidentRow scans one row of IncidentSelect.
type IncidentRow struct {
	ID       int64
	inc      geo.Incident
	category string
	status   string
	severity int16
}

// Dest is the scan destinations of one row of IncidentSelect.
func (r *IncidentRow) Dest() []any {
	return []any{&r.ID, &r.inc.OccurredAt, &r.inc.ReportedAt, &r.category, &r.severity, &r.status, &r.inc.Cleared,
		&r.inc.Location[0], &r.inc.Location[1], &r.inc.CommunityGridID, &r.inc.PoliceGridID, &r.inc.StationID, &r.inc.Source, &r.inc.Summary}
}

// Incident is the incident the row last scanned holds, with its id.
func (r *IncidentRow) Incident() geo.Incident {
	inc := r.inc
	inc.ID = strconv.FormatInt(r.ID, 10)
	inc.Category = geo.Category(r.category)
	inc.Status = geo.IncidentStatus(r.status)
	inc.Severity = int(r.severity)
	return inc
}

// IncidentWhere turns f into a where clause (" where ..." or "") whose
// values travel in args; nothing of f is pasted into the SQL text.
func IncidentWhere(f *data.IncidentFilter, c data.Cursor, args *Args) string {
	var conds []string
	if !f.From.IsZero() {
		conds = append(conds, "occurred_at >= "+args.Add(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "occurred_at < "+args.Add(f.To))
	}
	if len(f.Categories) > 0 {
		conds = append(conds, "category = any("+args.Add(strs(f.Categories))+")")
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "status = any("+args.Add(strs(f.Statuses))+")")
	}
	if len(f.Stations) > 0 {
		conds = append(conds, "station_id = any("+args.Add(f.Stations)+")")
	}
	if len(f.Severities) > 0 {
		conds = append(conds, "severity = any("+args.Add(f.Severities)+")")
	}
	if len(f.Grids) > 0 {
		p := args.Add(f.Grids)
		conds = append(conds, "(community_grid_id = any("+p+") or police_grid_id = any("+p+"))")
	}
	if f.Bound != nil {
		conds = append(conds, "location && "+envelope(args, f.Bound.Min[0], f.Bound.Min[1], f.Bound.Max[0], f.Bound.Max[1]))
	}
	if len(f.Within) > 0 {
		b, _ := wkb.Marshal(f.Within)
		conds = append(conds, "ST_Intersects(location, ST_GeomFromWKB("+args.Add(b)+", 4326))")
	}
	if f.Near != nil {
		nb := f.Near.Bound()
		conds = append(conds, "location && "+envelope(args, nb.Min[0], nb.Min[1], nb.Max[0], nb.Max[1]),
			fmt.Sprintf("ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s, false)",
				args.Add(f.Near.Center[0]), args.Add(f.Near.Center[1]), args.Add(PostGISRadius(f.Near.RadiusMeters))))
	}
	if c.ID != 0 {
		conds = append(conds, fmt.Sprintf("(occurred_at, id) < (%s, %s)", args.Add(c.OccurredAt), args.Add(c.ID)))
	}
	if len(conds) == 0 {
		return ""
	}
	return " where " + strings.Join(conds, " and ")
}

func envelope(args *Args, minX, minY, maxX, maxY float64) string {
	return fmt.Sprintf("ST_MakeEnvelope(%s, %s, %s, %s, 4326)", args.Add(minX), args.Add(minY), args.Add(maxX), args.Add(maxY))
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
	var args Args
	where := IncidentWhere(f, c, &args)
	return IncidentSelect + where + " order by occurred_at desc, id desc limit " + args.Add(limit), args
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
	var args Args
	col := groupColumns[a.GroupBy]
	where := IncidentWhere(&a.Filter, data.Cursor{}, &args)
	bucket := args.Add(string(a.Bucket))
	zone := args.Add(a.Location().String())
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

// postgisSphereMeters is the radius of the sphere PostGIS measures
// geography on when told not to use the spheroid: the mean radius of the
// WGS-84 ellipsoid.
const postgisSphereMeters = 6371008.7714

// PostGISRadius converts a distance on jingge's sphere
// (geo.EarthRadiusMeters) into the same angle on PostGIS's, so
// ST_DWithin selects exactly the points data.Circle.Contains does: a
// great-circle distance is the angle times the radius.
func PostGISRadius(meters float64) float64 {
	return meters * postgisSphereMeters / geo.EarthRadiusMeters
}
