package api

import (
	"time"

	"jingge/data"
)

// zone returns the local time of the dataset in force (geo.Meta.Location),
// in which the API reads times given without an offset and writes every
// time; UTC before the first dataset is loaded.
func (s *Server) zone() *time.Location {
	if ix := s.live.Load(); ix != nil {
		return ix.Location()
	}
	return time.UTC
}

// utcOffset names the zone the buckets of rows start in, for
// AggregateResponse.TimeZone: its UTC offset ("+08:00"), or its IANA name
// where daylight saving gives the rows different offsets.
func utcOffset(loc *time.Location, rows []data.AggregateRow) string {
	at := time.Now()
	if len(rows) > 0 {
		at = rows[0].Start
	}
	off := at.In(loc).Format("-07:00")
	for _, r := range rows {
		if r.Start.In(loc).Format("-07:00") != off {
			return loc.String()
		}
	}
	return off
}
