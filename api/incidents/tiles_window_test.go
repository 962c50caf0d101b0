package incidents

import (
	"net/url"
	"testing"
	"time"

	"jingge/tiles"
)

// An incidents tile reads its window as every route does: to= a date
// holds that whole day, from= a date starts at its first instant, and a
// time is exact.
func TestParseTileWindowDates(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	def := tiles.IncidentWindow{From: time.Date(2026, 1, 1, 0, 0, 0, 0, cst), To: time.Date(2026, 2, 1, 0, 0, 0, 0, cst)}
	for _, c := range []struct {
		query    string
		from, to time.Time
	}{
		{"from=2026-05-01&to=2026-05-07", time.Date(2026, 5, 1, 0, 0, 0, 0, cst), time.Date(2026, 5, 8, 0, 0, 0, 0, cst)},
		{"from=2026-05-07&to=2026-05-07", time.Date(2026, 5, 7, 0, 0, 0, 0, cst), time.Date(2026, 5, 8, 0, 0, 0, 0, cst)},
		{"from=2026-05-01T08:00:00%2B08:00&to=2026-05-07T23:59:59.9%2B08:00", time.Date(2026, 5, 1, 8, 0, 0, 0, cst), time.Date(2026, 5, 7, 23, 59, 59, 900_000_000, cst)},
	} {
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		win, bad := ParseTileWindow(func(name string) (string, bool) { v, ok := q[name]; return v0(v), ok }, def, cst)
		if len(bad) > 0 || !win.From.Equal(c.from) || !win.To.Equal(c.to) {
			t.Errorf("%s: %s to %s (%v), want %s to %s", c.query, win.From, win.To, bad, c.from, c.to)
		}
	}
}

func v0(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
