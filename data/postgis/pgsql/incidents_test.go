package pgsql

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
)

// TestQueryIncidentsSQLPastesNothing builds the statement of a filter
// using every field, with values made to break out of SQL text, and wants
// each value as an argument behind its own placeholder, in order, and
// none of them in the text.
func TestQueryIncidentsSQLPastesNothing(t *testing.T) {
	evil := "x'); drop table incidents; --"
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := data.IncidentFilter{
		From: from, To: from.AddDate(0, 1, 0),
		Categories: []geo.Category{geo.Category(evil)}, Statuses: []geo.IncidentStatus{geo.IncidentStatus(evil)},
		Stations: []string{evil}, Severities: []int{3}, Grids: []string{evil},
		Bound:  &orb.Bound{Min: orb.Point{109, 33}, Max: orb.Point{110, 34}},
		Within: orb.MultiPolygon{{{{109, 33}, {110, 33}, {110, 34}, {109, 33}}}},
		Near:   &data.Circle{Center: orb.Point{109.5, 33.5}, RadiusMeters: 500},
	}
	sql, args := QueryIncidentsSQL(&f, data.Cursor{OccurredAt: from, ID: 42}, 100)
	if strings.Contains(sql, "drop table") {
		t.Fatalf("a value was pasted into the SQL: %s", sql)
	}
	for i := range args {
		if !strings.Contains(sql, fmt.Sprintf("$%d", i+1)) {
			t.Errorf("argument %d (%v) has no placeholder in %s", i+1, args[i], sql)
		}
	}
	if strings.Contains(sql, fmt.Sprintf("$%d", len(args)+1)) {
		t.Errorf("a placeholder past the %d arguments in %s", len(args), sql)
	}
	if got := args[len(args)-1]; got != 100 {
		t.Errorf("the last argument is %v, want the limit 100", got)
	}
}
