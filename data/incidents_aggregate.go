package data

import (
	"jingge/geo"
	"slices"
	"strings"
	"time"
)

// GroupBy selects what AggregateIncidents groups by.
type GroupBy string

// The groupings of AggregateIncidents.
const (
	ByGrid       GroupBy = "grid"        // the community grid ("" for incidents in police grids without community grids)
	ByPoliceGrid GroupBy = "police_grid" // the police grid
	ByStation    GroupBy = "station"     // the station
	// ByArea counts an incident in every special area of the dataset in
	// force whose polygon covers its location (border included, as
	// PostGIS's ST_Covers), whatever the area's validity period: areas
	// overlap, so an incident may count several times or not at all.
	ByArea GroupBy = "area"
)

// Bucket is the length of the time buckets of AggregateIncidents. Buckets
// follow the dataset's local time (Aggregation.Zone): days start at
// midnight there, weeks on Monday, months on the first.
type Bucket string

// The buckets of AggregateIncidents.
const (
	Day   Bucket = "day"
	Week  Bucket = "week"
	Month Bucket = "month"
)

// Start returns the start of the bucket holding t in the zone loc (UTC
// when nil).
func (b Bucket) Start(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	y, m, d := t.Date()
	switch b {
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Aggregation asks AggregateIncidents for counts.
type Aggregation struct {
	GroupBy GroupBy
	Bucket  Bucket
	Filter  IncidentFilter
	// Zone is the local time the buckets are cut in: the dataset's
	// (geo.Meta.Location). Nil means UTC.
	Zone *time.Location
}

// Location returns a.Zone, or UTC when it is nil.
func (a Aggregation) Location() *time.Location {
	if a.Zone == nil {
		return time.UTC
	}
	return a.Zone
}

// Check reports an unknown grouping or bucket as ErrInvalid.
func (a Aggregation) Check() error {
	switch a.GroupBy {
	case ByGrid, ByPoliceGrid, ByStation, ByArea:
	default:
		return userError(ErrInvalid, "cannot group incidents by %q (want grid, police_grid, station or area)", a.GroupBy)
	}
	switch a.Bucket {
	case Day, Week, Month:
	default:
		return userError(ErrInvalid, "unknown time bucket %q (want day, week or month)", a.Bucket)
	}
	return nil
}

// Key returns the group inc belongs to under a.GroupBy; for ByArea, where
// an incident has any number of groups, see AreaCover.
func (a Aggregation) Key(inc *geo.Incident) string {
	switch a.GroupBy {
	case ByPoliceGrid:
		return inc.PoliceGridID
	case ByStation:
		return inc.StationID
	}
	return inc.CommunityGridID
}

// AggregateRow counts the incidents of one group in one time bucket.
type AggregateRow struct {
	Key    string               // grid id, station id or area id, per GroupBy
	Start  time.Time            // the bucket's first moment, in the Aggregation's zone
	Counts map[geo.Category]int // incidents per category; categories without incidents are left out
	Total  int
}

// SortAggregateRows orders rows by key, then bucket, as stores return them.
func SortAggregateRows(rows []AggregateRow) {
	slices.SortFunc(rows, func(a, b AggregateRow) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return a.Start.Compare(b.Start)
	})
}
