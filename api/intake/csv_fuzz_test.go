package intake

import (
	"strings"
	"testing"
)

// FuzzIncidentsCSV checks the incident CSV parser: a file is refused as a
// whole, or every row comes back named by its line, with either problems
// or an incident that has a category and a finite position.
func FuzzIncidentsCSV(f *testing.F) {
	for _, s := range []string{
		"occurred_at,category,lon,lat\n2025-05-01T08:00:00+08:00,traffic,109.31,34.15\n",
		"\ufeffoccurred_at,category,lon,lat,severity\n2025-05-01,theft,NaN,1e999,9\n",
		"occurred_at\n", "", "a,b\n\"x\n", "occurred_at,category,lon,lat\n,,,\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rows, err := ParseCSV(strings.NewReader(text), shanghai)
		if err != nil {
			return
		}
		for _, r := range rows {
			if !strings.HasPrefix(r.Where, "line ") {
				t.Fatalf("row named %q", r.Where)
			}
			if len(r.Problems) == 0 && (r.Incident.Category == "" || r.Incident.Location[0] != r.Incident.Location[0] || r.Incident.Location[1] != r.Incident.Location[1]) {
				t.Fatalf("%q accepted %+v", text, r.Incident)
			}
		}
	})
}
