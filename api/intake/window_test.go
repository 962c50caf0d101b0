package intake

import (
	"strings"
	"testing"
	"time"
)

// A date as the start of a window is its first instant, as the end the
// whole day; a time is exact either way; both are read in the dataset's
// zone, daylight saving included.
func TestParseWindowTime(t *testing.T) {
	berlin := mustZone("Europe/Berlin")
	for _, c := range []struct {
		name  string
		in    string
		bound Bound
		loc   *time.Location
		want  string // UTC, RFC 3339; empty for a refusal
	}{
		{"date as start", "2026-12-07", WindowStart, shanghai, "2026-12-06T16:00:00Z"},
		{"date as end includes the day", "2026-12-07", WindowEnd, shanghai, "2026-12-07T16:00:00Z"},
		{"date as end, spaces", " 2026-12-07 ", WindowEnd, shanghai, "2026-12-07T16:00:00Z"},
		{"end of a month", "2026-12-31", WindowEnd, shanghai, "2026-12-31T16:00:00Z"},
		{"end of February in a leap year", "2028-02-28", WindowEnd, shanghai, "2028-02-28T16:00:00Z"},
		{"day that loses an hour is 23 hours", "2026-03-29", WindowEnd, berlin, "2026-03-29T22:00:00Z"},
		{"start of that day", "2026-03-29", WindowStart, berlin, "2026-03-28T23:00:00Z"},
		{"time with offset as start", "2026-12-07T23:59:59.9+08:00", WindowStart, shanghai, "2026-12-07T15:59:59.9Z"},
		{"time with offset as end is exact", "2026-12-07T08:00:00+08:00", WindowEnd, shanghai, "2026-12-07T00:00:00Z"},
		{"UTC time as end", "2026-12-07T00:00:00Z", WindowEnd, shanghai, "2026-12-07T00:00:00Z"},
		{"local time without offset", "2026-12-07T08:00", WindowEnd, shanghai, "2026-12-07T00:00:00Z"},
		{"local time with a space", "2026-12-07 08:00:00", WindowStart, shanghai, "2026-12-07T00:00:00Z"},
		{"month is not a date", "2026-12", WindowEnd, shanghai, ""},
		{"day out of range", "2026-02-30", WindowEnd, shanghai, ""},
		{"slashes", "2026/12/07", WindowStart, shanghai, ""},
		{"empty", "", WindowStart, shanghai, ""},
		{"year zero", "0000-01-01T00:00:00Z", WindowStart, shanghai, ""},
		{"words", "yesterday", WindowEnd, shanghai, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, bad := ParseWindowTime("to", c.in, c.bound, c.loc)
			if c.want == "" {
				if bad == nil {
					t.Fatalf("%q read as %s; want a refusal", c.in, got.Format(time.RFC3339Nano))
				}
				if bad.Name != "to" || !strings.HasPrefix(bad.Reason, "to must be a date such as 2026-05-01") || !strings.Contains(bad.Reason, "2026-05-01T14:30:00+08:00") {
					t.Errorf("refusal %+v: want it to name to and show a date and a time", bad)
				}
				return
			}
			if bad != nil {
				t.Fatalf("%q refused: %s", c.in, bad.Reason)
			}
			if s := got.UTC().Format(time.RFC3339Nano); s != c.want {
				t.Errorf("%q = %s, want %s", c.in, s, c.want)
			}
		})
	}
}

// A window given as two dates holds the last instant of its last day and
// not the first of the day after, when compared as [from, to).
func TestWindowOfDatesHoldsItsLastDay(t *testing.T) {
	from, _ := ParseWindowTime("from", "2026-12-01", WindowStart, shanghai)
	to, _ := ParseWindowTime("to", "2026-12-07", WindowEnd, shanghai)
	in := func(at time.Time) bool { return !at.Before(from) && at.Before(to) }
	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 12, 1, 0, 0, 0, 0, shanghai), true},
		{time.Date(2026, 11, 30, 23, 59, 59, 999_999_999, shanghai), false},
		{time.Date(2026, 12, 7, 23, 59, 59, 900_000_000, shanghai), true},
		{time.Date(2026, 12, 8, 0, 0, 0, 0, shanghai), false},
	} {
		if got := in(c.at); got != c.want {
			t.Errorf("%s in [from, to) = %v, want %v", c.at.Format(time.RFC3339Nano), got, c.want)
		}
	}
}

// FuzzParseWindowTime checks that any text is read or refused with its
// name, and that as the end of a window a text never falls before the
// same text as the start: a time by nothing, a date by its whole day.
func FuzzParseWindowTime(f *testing.F) {
	for _, s := range []string{"2026-12-07", "2026-12-07T23:59:59.9+08:00", "2026-12-07 08:00", "2026-13-01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		start, bad := ParseWindowTime("from", text, WindowStart, shanghai)
		end, badEnd := ParseWindowTime("to", text, WindowEnd, shanghai)
		if (bad == nil) != (badEnd == nil) {
			t.Fatalf("%q read as one end only", text)
		}
		if bad != nil {
			if bad.Name != "from" || badEnd.Name != "to" {
				t.Fatalf("%q refused under the wrong name: %+v %+v", text, bad, badEnd)
			}
			return
		}
		if d := end.Sub(start); d != 0 && (d < 23*time.Hour || d > 25*time.Hour) { // a day of a zone's clock change is 23 or 25 hours
			t.Fatalf("%q: end %s is %s after start %s", text, end, d, start)
		}
	})
}
