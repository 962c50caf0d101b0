package intake

import (
	"fmt"
	"strings"
	"time"

	"jingge/data"
)

// Bound says which end of a time window a parameter gives.
type Bound bool

// The two ends of a time window [from, to).
const (
	// WindowStart is a window's first instant (from=, since=): a date
	// means its first instant.
	WindowStart Bound = false
	// WindowEnd is the instant a window ends before (to=, until=): a
	// date means that whole day is in the window, which ends before the
	// next day's first instant.
	WindowEnd Bound = true
)

// ParseWindowTime reads one end of a time window [from, to), the
// parameter name given as text: an RFC 3339 time (ParseTime: without an
// offset, local time in loc, the dataset's zone), taken exactly, or a
// date in loc (2026-12-07). As the start a date is its first instant; as
// the end it includes the whole day, so to=2026-12-07 keeps a record at
// 23:59:59.9 on the 7th and leaves out one at 00:00 on the 8th (the result
// is the 8th's first instant, and callers compare with <). Every route
// that takes a window reads it here, so a date means one thing across the
// API; the refusal names the parameter and shows both forms.
func ParseWindowTime(name, text string, bound Bound, loc *time.Location) (time.Time, *data.Param) {
	text = strings.TrimSpace(text)
	if d, ok := ParseDate(text, loc); ok {
		if bound == WindowEnd {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := ParseTime(text, loc)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, &data.Param{Name: name, Reason: fmt.Sprintf("%s must be a date such as 2026-05-01 (a whole day in %s time) or a time such as 2026-05-01T14:30:00+08:00, got %q", name, loc, Clip([]byte(text)))}
	}
	return t, nil
}

// ParseDate reads a date without a time (2026-05-01) as its first instant
// in loc; ok is false for any other text.
func ParseDate(text string, loc *time.Location) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(text), loc)
	return d, err == nil
}
