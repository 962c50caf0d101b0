package intake

import (
	"strings"
	"testing"
)

func TestParseIncidentsCSV(t *testing.T) {
	rows, err := ParseCSV(strings.NewReader("occurred_at,category,lon,lat,cleared,status\n"+
		"2025-01-01 00:00:00,criminal,109.3,34.1,是,closed\n"+
		"2025-01-01 00:00:00,criminal,109.3\n"+
		"\"2025-01-01\n00:00\",criminal,109.3,34.1,maybe,lost\n"+
		"2025-01-02 00:00:00,fire,200,34.1,,\n"), shanghai)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		where    string
		problems []string
	}{
		{"line 2", nil},
		{"line 3", []string{"3 fields, but the header has 6"}},
		{"line 4", []string{"occurred_at", "status", "cleared"}},
		{"line 6", []string{"lon must be"}},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		if r.Where != w.where || len(r.Problems) != len(w.problems) {
			t.Errorf("row %d: %s %v, want %s with %d problem(s)", i, r.Where, r.Problems, w.where, len(w.problems))
			continue
		}
		for k, p := range w.problems {
			if !strings.Contains(r.Problems[k], p) {
				t.Errorf("row %d problem %d: %q lacks %q", i, k, r.Problems[k], p)
			}
		}
	}
	if !rows[0].Incident.Cleared || rows[0].Incident.Status != "closed" {
		t.Errorf("row 0: %+v", rows[0].Incident)
	}
	for _, bad := range []string{"", "occurred_at,category,lon\n", "occurred_at,category,lon,lat,lon\n", "a\"b,c\n"} {
		if _, err := ParseCSV(strings.NewReader(bad), shanghai); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
