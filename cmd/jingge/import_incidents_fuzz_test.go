package main

import (
	"math"
	"strings"
	"testing"
)

// FuzzParseIncidentsCSV checks the CSV reader never panics, that every
// row is named by its line, and that a row without problems holds an
// incident with a time, a category and a position in range.
func FuzzParseIncidentsCSV(f *testing.F) {
	for _, seed := range []string{
		"occurred_at,category,lon,lat\n2025-01-01 08:00:00,traffic,109.3,34.1\n",
		"\ufeffoccurred_at,category,lon,lat,severity,status,cleared,source,summary,reported_at\n2025-01-01T08:00:00+08:00,交通,109.3,34.1,3,closed,否,110,\"a, b\",2025-01-01 08:05\n",
		"time,type,lng,latitude\n1,2,3,4\n,,,\n",
		"occurred_at,category,lon,lat\n\"unterminated\n",
		"", "\n\n", "occurred_at\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rows, err := ParseIncidentsCSV(strings.NewReader(body))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, r := range rows {
			if !strings.HasPrefix(r.where, "line ") {
				t.Fatalf("row named %q", r.where)
			}
			if len(r.problems) > 0 {
				continue
			}
			p := r.inc.Location
			if r.inc.OccurredAt.IsZero() || r.inc.Category == "" || math.IsNaN(p[0]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 || r.inc.Severity < 0 || r.inc.Severity > 5 {
				t.Fatalf("accepted %+v from %q", r.inc, body)
			}
		}
	})
}
