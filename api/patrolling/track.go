package patrolling

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// Track limits.
const (
	defaultTrackWindow = 8 * time.Hour
	maxTrackWindow     = 7 * 24 * time.Hour
	maxTrackPoints     = 100000
)

// TrackProperties describe the LineString feature of a track.
type TrackProperties struct {
	Officer   string    `json:"officer"`
	Name      string    `json:"name"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Points    int       `json:"points"`
	DistanceM float64   `json:"distance_m"` // along the track
	// Truncated is set when the period holds more than the points
	// returned (the first ones are); ask for a shorter period.
	Truncated bool `json:"truncated"`
}

// TrackPointProperties describe one position of a track.
type TrackPointProperties struct {
	At         time.Time `json:"at"`
	SpeedMPS   *float64  `json:"speed_mps"`
	HeadingDeg *float64  `json:"heading_deg"`
	Grid       string    `json:"grid,omitempty"`
}

// Track is the way an officer went in a period: the line in WGS-84 and,
// point by point, when and how fast.
type Track struct {
	Properties TrackProperties
	Line       orb.LineString
	Points     []TrackPointProperties
}

// TrackWindow reads the period [from, to) of a track (has* false when not
// given) as every time window of the API (intake.ParseWindowTime): an RFC
// 3339 time, or a date in loc, the dataset's zone, from= its first
// instant, to= that whole day. to defaults to now (plus the clock skew
// pings may have, so the latest ping is in), from to 8 hours before to;
// the window may not exceed 7 days.
func (s *Service) TrackWindow(fromText string, hasFrom bool, toText string, hasTo bool, loc *time.Location) (from, to time.Time, err error) {
	var bad []data.Param
	parse := func(name, text string, given bool, bound intake.Bound) (time.Time, bool) {
		if !given {
			return time.Time{}, false
		}
		t, fault := intake.ParseWindowTime(name, text, bound, loc)
		if fault != nil {
			bad = append(bad, *fault)
			return time.Time{}, false
		}
		return t, true
	}
	to, hasTo = parse("to", toText, hasTo, intake.WindowEnd)
	from, hasFrom = parse("from", fromText, hasFrom, intake.WindowStart)
	if len(bad) > 0 {
		return from, to, data.InvalidParams(bad...)
	}
	if !hasTo {
		to = s.opts.Now().Add(s.opts.MaxPingAhead)
	}
	if !hasFrom {
		from = to.Add(-defaultTrackWindow)
	}
	switch {
	case !from.Before(to):
		return from, to, data.InvalidParams(data.Param{Name: "from", Reason: "from must be before to"})
	case to.Sub(from) > maxTrackWindow:
		return from, to, data.InvalidParams(data.Param{Name: "from", Reason: fmt.Sprintf("the period from %s to %s is longer than %s; ask for a shorter one", from.Format(time.RFC3339), to.Format(time.RFC3339), maxTrackWindow)})
	}
	return from, to, nil
}

// Officer returns the member officer of n's index who may be on patrol,
// or a not-found refusal.
func (s *Service) Officer(n Names, officer string) (*geo.Member, error) {
	m, err := s.Rules(n.Index).Officer(officer)
	if err != nil {
		return nil, data.NotFound("%s; GET /api/v1/patrols lists officers on patrol", strings.TrimPrefix(err.Error(), patrol.ErrUnknownOfficer.Error()+": "))
	}
	return m, nil
}

// Track returns the way officer (named name) went from from to to, its
// points in WGS-84 as n converts them.
func (s *Service) Track(ctx context.Context, n Names, officer, name string, from, to time.Time) (*Track, error) {
	pings, truncated, err := s.store.Track(ctx, officer, from, to, maxTrackPoints)
	if err != nil {
		return nil, err
	}
	t := &Track{Line: make(orb.LineString, len(pings)), Points: make([]TrackPointProperties, len(pings))}
	dist := 0.0
	for i, pg := range pings {
		t.Line[i] = n.ToWGS84(pg.Location)
		if i > 0 {
			dist += geo.DistanceMeters(t.Line[i-1], t.Line[i])
		}
		t.Points[i] = TrackPointProperties{At: pg.At.UTC(), SpeedMPS: optional(pg.SpeedMPS), HeadingDeg: optional(pg.HeadingDeg), Grid: pg.GridID}
	}
	t.Properties = TrackProperties{Officer: officer, Name: name, From: from.UTC(), To: to.UTC(), Points: len(pings), DistanceM: math.Round(dist*10) / 10, Truncated: truncated}
	return t, nil
}
