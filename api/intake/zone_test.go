package intake

import (
	"strings"
	"testing"
	"time"
)

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// A time without an offset is read in the dataset's zone, daylight saving
// included; a time with one keeps it.
func TestParseTimeInTheDatasetsZone(t *testing.T) {
	berlin := mustZone("Europe/Berlin")
	for _, c := range []struct {
		in   string
		loc  *time.Location
		want string
	}{
		{"2026-05-01 14:30", shanghai, "2026-05-01T06:30:00Z"},
		{"2026-05-01 14:30", berlin, "2026-05-01T12:30:00Z"}, // summer time, +02:00
		{"2026-01-15T14:30:00", berlin, "2026-01-15T13:30:00Z"},
		{"2026-05-01T14:30:00+08:00", berlin, "2026-05-01T06:30:00Z"},
		{"2026-05-01 14:30", time.UTC, "2026-05-01T14:30:00Z"},
	} {
		got, err := ParseTime(c.in, c.loc)
		if err != nil {
			t.Fatalf("%q in %s: %v", c.in, c.loc, err)
		}
		if s := got.UTC().Format(time.RFC3339); s != c.want {
			t.Errorf("%q in %s = %s, want %s", c.in, c.loc, s, c.want)
		}
	}
	csv := "occurred_at,category,lon,lat\n2026-05-01 14:30,criminal,9.1,48.7\n"
	rows, err := ParseCSV(strings.NewReader(csv), berlin)
	if err != nil || len(rows) != 1 || len(rows[0].Problems) > 0 {
		t.Fatalf("csv: %v %+v", err, rows)
	}
	if s := rows[0].Incident.OccurredAt.UTC().Format(time.RFC3339); s != "2026-05-01T12:30:00Z" {
		t.Errorf("csv time %s, want 2026-05-01T12:30:00Z", s)
	}
	in, err := Decode([]byte(`{"occurred_at":"2026-05-01 14:30","category":"criminal","location":[9.1,48.7]}`), Options{Zone: berlin})
	if err != nil {
		t.Fatal(err)
	}
	if s := in.Incidents[0].OccurredAt.UTC().Format(time.RFC3339); s != "2026-05-01T12:30:00Z" {
		t.Errorf("body time %s, want 2026-05-01T12:30:00Z", s)
	}
}
