package ogc

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"jingge/api/httpx"
	"jingge/api/intake"
)

// format reads f=, the encoding a client asks for by name: json or
// geojson (the same document), and returns the media type to answer with;
// geoJSON is the type used when f is absent.
func format(q Query, geoJSON string) (string, error) {
	text, ok := q("f")
	if !ok {
		return geoJSON, nil
	}
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "json", httpx.ContentTypeJSON:
		return httpx.ContentTypeJSON, nil
	case "geojson", httpx.ContentTypeGeoJSON:
		if geoJSON == httpx.ContentTypeGeoJSON {
			return httpx.ContentTypeGeoJSON, nil
		}
	}
	kinds := "json"
	if geoJSON == httpx.ContentTypeGeoJSON {
		kinds = "json or geojson"
	}
	return "", httpx.Invalid(httpx.InvalidParam{Name: "f", Reason: fmt.Sprintf("f must be %s (there is no HTML encoding), got %q", kinds, intake.Clip([]byte(text)))})
}

// parseLimit reads limit=: a whole number of at least 1; above max it is
// max, which OGC API – Features lets a server do.
func parseLimit(q Query, def, max int) (int, *httpx.InvalidParam) {
	text, ok := q("limit")
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < 1 {
		return 0, &httpx.InvalidParam{Name: "limit", Reason: fmt.Sprintf("limit must be a whole number of at least 1 (pages hold at most %d), got %q", max, intake.Clip([]byte(text)))}
	}
	return min(n, max), nil
}

// parseOffset reads offset=, the number of items to skip.
func parseOffset(q Query) (int, *httpx.InvalidParam) {
	text, ok := q("offset")
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < 0 {
		return 0, &httpx.InvalidParam{Name: "offset", Reason: fmt.Sprintf("offset must be a whole number of at least 0, got %q", intake.Clip([]byte(text)))}
	}
	return n, nil
}

// Interval is a datetime= of OGC API – Features: From <= t < To, with a
// zero end open. Instant reports a single instant (or date) rather than an
// interval.
type Interval struct {
	From, To time.Time
	Instant  bool
}

// ParseDatetime reads datetime=: an instant (2026-05-01T14:30:00+08:00),
// a date (the whole day in loc) or an interval start/end whose ends are
// either or "..", or empty, for open. Both ends of an interval are
// included, as OGC defines them; each end is read by parseTime, times
// without an offset in loc. A refusal names datetime.
func ParseDatetime(text string, loc *time.Location, parseTime TimeParser) (Interval, *httpx.InvalidParam) {
	fail := func(reason string) (Interval, *httpx.InvalidParam) {
		return Interval{}, &httpx.InvalidParam{Name: "datetime", Reason: "datetime " + reason + fmt.Sprintf("; got %q. Give an instant (2026-05-01T14:30:00+08:00), a date (2026-05-01) or an interval 2026-05-01/2026-05-31 with .. for an open end", intake.Clip([]byte(text)))}
	}
	end := func(s string, last bool) (time.Time, bool) {
		s = strings.TrimSpace(s)
		if s == "" || s == ".." {
			return time.Time{}, true
		}
		t, bad := parseTime("datetime", s, last, loc)
		if bad != nil {
			return time.Time{}, false
		}
		if _, date := intake.ParseDate(s, loc); last && !date {
			t = t.Add(time.Nanosecond) // the end instant itself is included
		}
		return t, true
	}
	a, b, interval := strings.Cut(text, "/")
	if !interval {
		if strings.TrimSpace(a) == ".." || strings.TrimSpace(a) == "" {
			return fail("must not be open without a /")
		}
		from, ok1 := end(a, false)
		to, ok2 := end(a, true)
		if !ok1 || !ok2 {
			return fail("is not a time or date")
		}
		return Interval{From: from, To: to, Instant: true}, nil
	}
	from, ok1 := end(a, false)
	to, ok2 := end(b, true)
	switch {
	case !ok1 || !ok2:
		return fail("has an end that is not a time, a date or ..")
	case !from.IsZero() && !to.IsZero() && !from.Before(to):
		return fail("ends before it starts")
	}
	return Interval{From: from, To: to}, nil
}
