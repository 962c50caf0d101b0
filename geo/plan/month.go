package plan

import (
	"fmt"
	"time"
)

// Month is a calendar month; it reads and writes as "2026-03" in JSON.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the month t falls in, in loc.
func MonthOf(t time.Time, loc *time.Location) Month {
	t = t.In(loc)
	return Month{Year: t.Year(), Month: t.Month()}
}

// ParseMonth reads "2026-03".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Month{}, invalid("month %q: write it as YYYY-MM, e.g. 2026-03", s)
	}
	return Month{Year: t.Year(), Month: t.Month()}, nil
}

// String writes the month as "2026-03".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// IsZero reports whether m is the zero Month.
func (m Month) IsZero() bool { return m == Month{} }

// Valid reports whether m names a real month.
func (m Month) Valid() bool { return m.Month >= time.January && m.Month <= time.December && m.Year > 0 }

// AddMonths is the month n months after m (n may be negative).
func (m Month) AddMonths(n int) Month {
	k := m.Year*12 + int(m.Month) - 1 + n
	return Month{Year: k / 12, Month: time.Month(k%12 + 1)}
}

// Before reports whether m is earlier than o.
func (m Month) Before(o Month) bool {
	return m.Year < o.Year || (m.Year == o.Year && m.Month < o.Month)
}

// MarshalText writes "2026-03".
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads "2026-03".
func (m *Month) UnmarshalText(b []byte) error {
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
