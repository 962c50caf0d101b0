package api

import (
	"strings"
	"testing"
	"time"

	"jingge/api/ogc"
)

// FuzzParseDatetime checks datetime=, read with the REST API's time
// parser, never panics and gives either a refusal naming datetime or a
// non-empty interval: an instant whose both ends are set, or an interval
// whose set ends are in order.
func FuzzParseDatetime(f *testing.F) {
	for _, seed := range []string{
		"2026-05-01", "2026-05-01T14:30:00+08:00", "2026-05-01T14:30:00", "2026-05-01/2026-05-31",
		"../2026-05-31", "2026-05-01/..", "/", "..", "", "2026-05-31/2026-05-01", "2026-02-30", "x/y/z",
	} {
		f.Add(seed)
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		iv, bad := ogc.ParseDatetime(text, loc, parseTimeParam)
		if bad != nil {
			if bad.Name != "datetime" || !strings.Contains(bad.Reason, "datetime") {
				t.Fatalf("%q: refusal %+v", text, bad)
			}
			return
		}
		switch {
		case iv.Instant && (iv.From.IsZero() || iv.To.IsZero()):
			t.Fatalf("%q: an instant with an open end: %+v", text, iv)
		case !iv.From.IsZero() && !iv.To.IsZero() && !iv.From.Before(iv.To):
			t.Fatalf("%q: empty interval %+v", text, iv)
		}
	})
}
