package patrolling

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo/patrol"
)

// Dispatch limits.
const (
	defaultNearest = 5
	maxNearest     = 50
)

// OfficerCandidate is an officer ranked for dispatch to a point.
type OfficerCandidate struct {
	PatrolProperties
	Lon       float64 `json:"lon"` // WGS-84
	Lat       float64 `json:"lat"`
	DistanceM float64 `json:"distance_m"` // straight line
	// ETASeconds is the terrain-adjusted travel estimate: distance × 1.4
	// for the roads' detours × the terrain difficulty along the way ÷
	// 45 km/h (so 25 km/h in the mountains).
	ETASeconds float64 `json:"eta_seconds"`
}

// ParseNearestCount reads the n of a nearest-officers query (given
// false: the default, 5); it is refused unless a whole number from 1 to 50.
func ParseNearestCount(text string, given bool) (int, error) {
	if !given {
		return defaultNearest, nil
	}
	k, err := strconv.Atoi(text)
	if err != nil || k < 1 || k > maxNearest {
		return k, data.InvalidParams(data.Param{Name: "n", Reason: fmt.Sprintf("n must be a whole number from 1 to %d, got %q", maxNearest, intake.Clip([]byte(text)))})
	}
	return k, nil
}

// NearestOfficers ranks the count officers reporting now (not silent)
// nearest to at (in n's datum) by distance and by travel time; the two
// may differ where terrain slows one route.
func (s *Service) NearestOfficers(n Names, at orb.Point, count int) (byDistance, byTime []OfficerCandidate) {
	now := s.opts.Now()
	var live []patrol.State
	for _, st := range s.board.States() {
		if s.Status(st, now) != "silent" {
			live = append(live, st)
		}
	}
	byDist, byT := patrol.NearestOfficers(n.Index, patrol.DefaultTravel, live, at, count)
	return s.candidates(n, byDist, now), s.candidates(n, byT, now)
}

func (s *Service) candidates(n Names, cs []patrol.Candidate, now time.Time) []OfficerCandidate {
	out := make([]OfficerCandidate, len(cs))
	for i, c := range cs {
		ll := n.ToWGS84(c.Location)
		out[i] = OfficerCandidate{PatrolProperties: s.Properties(n, c.State, now), Lon: ll[0], Lat: ll[1],
			DistanceM: math.Round(c.DistanceM), ETASeconds: math.Round(c.Travel.Seconds())}
	}
	return out
}
