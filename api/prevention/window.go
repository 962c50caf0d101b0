package prevention

import (
	"fmt"
	"time"

	"jingge/api/intake"
	"jingge/data"
)

// dateLayout is a day without a time: midnight in the service's zone.
const dateLayout = "2006-01-02"

// Window reads the period [from, to) of a report from the texts of its
// from and to parameters ("" when not given), as every time window of the
// API (intake.ParseWindowTime): an RFC 3339 time, or a date in the
// service's zone, from= its first instant, to= that whole day
// (to=2025-05-08 holds the 8th). to defaults to now, from to
// DefaultWindow before to; the period may not exceed MaxWindow.
func (s *Service) Window(fromText, toText string) (from, to time.Time, err error) {
	var bad []data.Param
	parse := func(name, text string, bound intake.Bound) time.Time {
		t, fault := intake.ParseWindowTime(name, text, bound, s.Location())
		if fault != nil {
			bad = append(bad, *fault)
		}
		return t
	}
	to = s.now()
	if toText != "" {
		to = parse("to", toText, intake.WindowEnd)
	}
	if fromText != "" {
		from = parse("from", fromText, intake.WindowStart)
	} else {
		from = to.Add(-DefaultWindow)
	}
	if len(bad) > 0 {
		return from, to, data.InvalidParams(bad...)
	}
	from, to = from.In(s.Location()), to.In(s.Location())
	switch {
	case !from.Before(to):
		return from, to, data.InvalidParams(data.Param{Name: "from", Reason: fmt.Sprintf("from (%s) must be before to (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339))})
	case to.Sub(from) > MaxWindow:
		return from, to, data.InvalidParams(data.Param{Name: "from", Reason: fmt.Sprintf("the period from %s to %s is longer than %d days; ask for a shorter one", from.Format(time.RFC3339), to.Format(time.RFC3339), int(MaxWindow/(24*time.Hour)))})
	}
	return from, to, nil
}

// clip shortens a text quoted back to the client.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
