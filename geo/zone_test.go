package geo

import (
	"testing"
	"time"
)

func TestMetaLocation(t *testing.T) {
	for _, c := range []struct {
		zone, want string
		ok         bool
	}{
		{"", LegacyTimeZone, true},
		{"Asia/Shanghai", "Asia/Shanghai", true},
		{"Europe/Berlin", "Europe/Berlin", true},
		{"UTC", "UTC", true},
		{"Local", "", false}, // the server's zone is not the territory's
		{"Mars/Olympus_Mons", "", false},
		{"+08:00", "", false},
	} {
		loc, err := Meta{TimeZone: c.zone}.Location()
		if (err == nil) != c.ok {
			t.Errorf("%q: err = %v, want ok %v", c.zone, err, c.ok)
			continue
		}
		if c.ok && loc.String() != c.want {
			t.Errorf("%q: zone %s, want %s", c.zone, loc, c.want)
		}
	}
}

// The index reads times in its dataset's zone; Check names a zone nobody
// keeps.
func TestIndexLocationAndCheck(t *testing.T) {
	ds := &Dataset{Meta: Meta{Name: "t", Datum: "wgs84", TimeZone: "Europe/Berlin"}}
	ix, err := NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC).In(ix.Location()).Hour(); got != 14 {
		t.Errorf("12:00 UTC in the index's zone is %d:00, want 14:00", got)
	}
	ds.Meta.TimeZone = "Mars/Olympus_Mons"
	found := false
	for _, p := range Check(ds) {
		found = found || p.Code == ProblemUnknownTimeZone
	}
	if !found {
		t.Errorf("Check(%q) has no %s problem", ds.Meta.TimeZone, ProblemUnknownTimeZone)
	}
}
