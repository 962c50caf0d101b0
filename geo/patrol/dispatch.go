package patrol

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// Travel estimates how long the road from one point to another takes:
// straight-line distance × DetourFactor × the mean terrain difficulty along
// the line ÷ PlainSpeedKmh. The difficulty is that of the terrain of the
// grids crossed (geo.Hit.Terrain; geo.Region.Difficulty: plain 1, plateau
// 1.2, hill 1.4, mountain 1.8) sampled along the straight line, so a route
// into the mountains is slower than one of the same length across the
// plain. With the defaults a plain road runs at 45 km/h and a mountain one
// at 25 km/h, the road speeds the planner (geo/plan) uses.
type Travel struct {
	PlainSpeedKmh float64
	DetourFactor  float64
	// SampleMeters is the spacing of the terrain samples along the line
	// (at least 2 and at most 64 samples are taken).
	SampleMeters float64
}

// DefaultTravel is the travel model of the dispatch helpers.
var DefaultTravel = Travel{PlainSpeedKmh: 45, DetourFactor: 1.4, SampleMeters: 500}

// Limits on the number of terrain samples per estimate.
const (
	minSamples = 2
	maxSamples = 64
)

// Estimate returns the straight-line distance from a to b in metres and
// the estimated travel time. Samples outside every grid count as plain.
func (t Travel) Estimate(ix *geo.Index, a, b orb.Point) (meters float64, d time.Duration) {
	meters = geo.DistanceMeters(a, b)
	n := minSamples
	if t.SampleMeters > 0 {
		n = int(math.Min(maxSamples, math.Max(minSamples, math.Ceil(meters/t.SampleMeters))))
	}
	sum := 0.0
	for i := range n {
		f := (float64(i) + 0.5) / float64(n)
		sum += difficultyAt(ix, orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])})
	}
	speed := t.PlainSpeedKmh / 3.6 // m/s on the plain
	if speed <= 0 {
		return meters, 0
	}
	seconds := meters * t.DetourFactor * (sum / float64(n)) / speed
	return meters, time.Duration(seconds * float64(time.Second))
}

// difficultyAt is the travel difficulty of the terrain at pt (the grid's
// own, else its station's region: geo.Hit.Terrain); 1 (plain) outside
// every grid.
func difficultyAt(ix *geo.Index, pt orb.Point) float64 {
	if r, ok := ix.Lookup(pt).Terrain().Region(); ok && r.Difficulty > 0 {
		return r.Difficulty
	}
	return 1
}

// Candidate is an officer, or a station, with the distance and estimated
// travel time to a point.
type Candidate struct {
	ID        string // the officer or station id
	State     State  // for officers: their state
	Location  orb.Point
	DistanceM float64
	Travel    time.Duration
}

// NearestOfficers ranks the officers of states (only those seen and not
// silent) by their distance to pt and, separately, by the estimated travel
// time, and returns the first n of each ranking. Ties go to the smaller
// officer id.
func NearestOfficers(ix *geo.Index, t Travel, states []State, pt orb.Point, n int) (byDistance, byTime []Candidate) {
	all := make([]Candidate, 0, len(states))
	for _, s := range states {
		if !s.Seen() || s.Silent {
			continue
		}
		m, d := t.Estimate(ix, s.Last.Location, pt)
		all = append(all, Candidate{ID: s.Officer, State: s, Location: s.Last.Location, DistanceM: m, Travel: d})
	}
	return rank(all, n)
}

// NearestStations ranks the stations of ix that have a location by
// distance to pt and by estimated travel time, and returns the first n of
// each ranking.
func NearestStations(ix *geo.Index, t Travel, pt orb.Point, n int) (byDistance, byTime []Candidate) {
	stations := ix.Stations()
	all := make([]Candidate, 0, len(stations))
	for i := range stations {
		st := &stations[i]
		if st.Location == (orb.Point{}) {
			continue
		}
		m, d := t.Estimate(ix, st.Location, pt)
		all = append(all, Candidate{ID: st.ID, Location: st.Location, DistanceM: m, Travel: d})
	}
	return rank(all, n)
}

func rank(all []Candidate, n int) (byDistance, byTime []Candidate) {
	n = max(0, min(n, len(all)))
	byDistance = slices.Clone(all)
	slices.SortFunc(byDistance, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.DistanceM, b.DistanceM), cmp.Compare(a.ID, b.ID))
	})
	byTime = all
	slices.SortFunc(byTime, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.Travel, b.Travel), cmp.Compare(a.ID, b.ID))
	})
	return byDistance[:n:n], byTime[:n:n]
}
