package geo

import (
	"fmt"
	"time"

	// The zone database is compiled in, so a dataset's zone loads the same
	// on a machine without /usr/share/zoneinfo (a minimal container).
	_ "time/tzdata"
)

// LegacyTimeZone is the zone of a dataset whose Meta names none. Every
// dataset written before Meta.TimeZone existed was served in China
// Standard Time, so reading such a dataset this way changes no answer.
const LegacyTimeZone = "Asia/Shanghai"

// Location returns the territory's local time: Meta.TimeZone, or
// LegacyTimeZone when it is empty. It fails for a name the IANA database
// does not know; Check reports that as ProblemUnknownTimeZone.
func (m Meta) Location() (*time.Location, error) {
	name := m.TimeZone
	if name == "" {
		name = LegacyTimeZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fmt.Errorf("geo: time zone %q: not an IANA zone name", m.TimeZone)
	}
	return loc, nil
}

// Location returns the zone of the indexed dataset (Meta.Location). A
// dataset naming an unknown zone, which no store admits (Check), is read
// in UTC rather than refused, as an unknown datum is by its readers.
func (ix *Index) Location() *time.Location { return ix.zone }
