package incidents

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
)

// AggregateResponse answers GET /api/v1/incidents/aggregate.
type AggregateResponse struct {
	GroupBy  data.GroupBy   `json:"group_by"`
	Bucket   data.Bucket    `json:"bucket"`
	TimeZone string         `json:"time_zone"`
	Rows     []AggregateRow `json:"rows"`
}

// AggregateRow counts one group's incidents in one bucket, by category.
type AggregateRow struct {
	Key    string         `json:"key"`
	Name   string         `json:"name"` // of the grid or station in force; "" when it has none now
	Start  string         `json:"start"`
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
}

// ParseAggregation reads group_by (grid by default, police_grid, station
// or area) and bucket (month by default, week or day) over filter f, for
// buckets that start at midnight in loc, the dataset's zone.
func ParseAggregation(p Params, f data.IncidentFilter, loc *time.Location) (data.Aggregation, []data.Param) {
	var bad []data.Param
	a := data.Aggregation{GroupBy: data.ByGrid, Bucket: data.Month, Filter: f, Zone: loc}
	if text, ok := p("group_by"); ok {
		a.GroupBy = data.GroupBy(strings.TrimSpace(text))
		if a.GroupBy != data.ByGrid && a.GroupBy != data.ByPoliceGrid && a.GroupBy != data.ByStation && a.GroupBy != data.ByArea {
			bad = append(bad, data.Param{Name: "group_by", Reason: fmt.Sprintf("group_by must be grid, police_grid, station or area, got %q", intake.Clip([]byte(text)))})
		}
	}
	if text, ok := p("bucket"); ok {
		a.Bucket = data.Bucket(strings.TrimSpace(text))
		if a.Bucket != data.Day && a.Bucket != data.Week && a.Bucket != data.Month {
			bad = append(bad, data.Param{Name: "bucket", Reason: fmt.Sprintf("bucket must be day, week or month, got %q", intake.Clip([]byte(text)))})
		}
	}
	return a, bad
}

// Aggregate counts the incidents of a, naming each group as the dataset
// in force (ix) names it.
func (s *Service) Aggregate(ctx context.Context, ix *geo.Index, a data.Aggregation) (*AggregateResponse, error) {
	rows, err := s.store.AggregateIncidents(ctx, a)
	if err != nil {
		return nil, err
	}
	out := &AggregateResponse{GroupBy: a.GroupBy, Bucket: a.Bucket, TimeZone: utcOffset(a.Location(), rows), Rows: make([]AggregateRow, len(rows))}
	for i, row := range rows {
		o := AggregateRow{Key: row.Key, Start: row.Start.In(a.Location()).Format(time.DateOnly), Total: row.Total, Counts: map[string]int{}}
		o.Name = keyName(ix, a.GroupBy, row.Key)
		for c, n := range row.Counts {
			o.Counts[string(c)] = n
		}
		out.Rows[i] = o
	}
	return out, nil
}

// keyName is the name of an aggregate row's group in ix, or "" when the
// dataset in force has none.
func keyName(ix *geo.Index, by data.GroupBy, key string) string {
	switch by {
	case data.ByStation:
		if st, ok := ix.Station(key); ok {
			return st.Name
		}
	case data.ByArea:
		if ar, ok := ix.Area(key); ok {
			return ar.Name
		}
	default:
		if g, ok := ix.Grid(key); ok {
			return g.Name
		}
	}
	return ""
}

// utcOffset names the zone the buckets of rows start in, for
// AggregateResponse.TimeZone: its UTC offset ("+08:00"), or its IANA name
// where daylight saving gives the rows different offsets.
func utcOffset(loc *time.Location, rows []data.AggregateRow) string {
	at := time.Now()
	if len(rows) > 0 {
		at = rows[0].Start
	}
	off := at.In(loc).Format("-07:00")
	for _, r := range rows {
		if r.Start.In(loc).Format("-07:00") != off {
			return loc.String()
		}
	}
	return off
}
