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
)

// Bucket is the length of the time buckets of AggregateIncidents. Buckets
// follow China Standard Time (UTC+8): days start at midnight there, weeks
// on Monday, months on the first.
type Bucket string

// The buckets of AggregateIncidents.
const (
	Day   Bucket = "day"
	Week  Bucket = "week"
	Month Bucket = "month"
)

// ChinaTime is the zone of the county: UTC+8, without daylight saving.
var ChinaTime = time.FixedZone("CST", 8*3600)

// Start returns the start of the bucket holding t, in ChinaTime.
func (b Bucket) Start(t time.Time) time.Time {
	t = t.In(ChinaTime)
	y, m, d := t.Date()
	switch b {
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, ChinaTime)
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, ChinaTime)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, ChinaTime)
}

// Aggregation asks AggregateIncidents for counts.
type Aggregation struct {
	GroupBy GroupBy
	Bucket  Bucket
	Filter  IncidentFilter
}

// Check reports an unknown grouping or bucket as ErrInvalid.
func (a Aggregation) Check() error {
	switch a.GroupBy {
	case ByGrid, ByPoliceGrid, ByStation:
	default:
		return userError(ErrInvalid, "cannot group incidents by %q (want grid, police_grid or station)", a.GroupBy)
	}
	switch a.Bucket {
	case Day, Week, Month:
	default:
		return userError(ErrInvalid, "unknown time bucket %q (want day, week or month)", a.Bucket)
	}
	return nil
}

// Key returns the group inc belongs to under a.GroupBy.
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
	Key    string               // grid id or station id, per GroupBy
	Start  time.Time            // the bucket's first moment, in ChinaTime
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
