package intake

import (
	"fmt"
	"strings"
	"time"

	"jingge/geo"
)

// ParseTime reads an occurrence or report time: RFC 3339 (with T or a
// space between date and time). A time without an offset is local time in
// loc, the dataset's zone.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("must be a time such as 2026-05-01T14:30:00+08:00 (without an offset, %s local time), got %q", loc, Clip([]byte(s)))
}

// ParseCategory reads a category by its id or its Chinese name (交通).
func ParseCategory(s string) (geo.Category, error) {
	s = strings.TrimSpace(s)
	for _, c := range geo.Categories {
		if s == string(c) || s == c.LabelZH() {
			return c, nil
		}
	}
	return "", fmt.Errorf("must be one of %s, got %q", categoryNames(), Clip([]byte(s)))
}

func categoryNames() string {
	names := make([]string, len(geo.Categories))
	for i, c := range geo.Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// ValidStatus reports whether s is one of the statuses an incident may
// have.
func ValidStatus(s geo.IncidentStatus) bool {
	switch s {
	case geo.Reported, geo.Dispatched, geo.OnScene, geo.Closed:
		return true
	}
	return false
}
