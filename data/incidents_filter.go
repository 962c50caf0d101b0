package data

import (
	"jingge/geo"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// IncidentFilter selects incidents. Zero fields select everything; the
// fields that are set must all hold.
type IncidentFilter struct {
	// From and To bound the occurrence time: From <= occurred_at < To.
	From, To time.Time
	// Categories, Statuses and Stations hold when the incident's value is
	// one of those listed.
	Categories []geo.Category
	Statuses   []geo.IncidentStatus
	Stations   []string
	// Severities holds when the incident's severity (1 to 5) is one of
	// those listed.
	Severities []int
	// Grids holds when the incident's community grid or police grid is one
	// of those listed.
	Grids []string
	// Bound holds for locations inside or on the edge of the box.
	Bound *orb.Bound
	// Within holds for locations inside or on the boundary of the area.
	Within orb.MultiPolygon
	// Near holds for locations within the circle (edge included).
	Near *Circle
}

// Circle is a disk on the earth's surface: the points at most RadiusMeters
// along the surface from Center (longitude, latitude in degrees).
type Circle struct {
	Center       orb.Point
	RadiusMeters float64
}

// Contains reports whether p is within c, by the great-circle distance on
// the sphere of geo.EarthRadiusMeters (geo.DistanceMeters).
func (c Circle) Contains(p orb.Point) bool {
	return geo.DistanceMeters(c.Center, p) <= c.RadiusMeters
}

// Bound returns a box holding the whole circle, for index searches. Near
// the poles it widens to every longitude.
func (c Circle) Bound() orb.Bound {
	dLat := c.RadiusMeters / geo.EarthRadiusMeters * 180 / math.Pi
	maxLat := math.Min(90, math.Abs(c.Center[1])+dLat)
	cos := math.Cos(maxLat * math.Pi / 180)
	dLon := 180.0
	if cos > 1e-9 {
		dLon = math.Min(180, dLat/cos)
	}
	return orb.Bound{
		Min: orb.Point{c.Center[0] - dLon, math.Max(-90, c.Center[1]-dLat)},
		Max: orb.Point{c.Center[0] + dLon, math.Min(90, c.Center[1]+dLat)},
	}
}

// Match reports whether inc passes f. Stores without a query engine use
// it; those with one must agree with it.
func (f *IncidentFilter) Match(inc *geo.Incident) bool {
	switch {
	case !f.From.IsZero() && inc.OccurredAt.Before(f.From),
		!f.To.IsZero() && !inc.OccurredAt.Before(f.To),
		len(f.Categories) > 0 && !slices.Contains(f.Categories, inc.Category),
		len(f.Statuses) > 0 && !slices.Contains(f.Statuses, inc.Status),
		len(f.Stations) > 0 && !slices.Contains(f.Stations, inc.StationID),
		len(f.Severities) > 0 && !slices.Contains(f.Severities, inc.Severity),
		len(f.Grids) > 0 && !slices.Contains(f.Grids, inc.CommunityGridID) && !slices.Contains(f.Grids, inc.PoliceGridID),
		f.Bound != nil && !f.Bound.Contains(inc.Location),
		len(f.Within) > 0 && !planar.MultiPolygonContains(f.Within, inc.Location),
		f.Near != nil && !f.Near.Contains(inc.Location):
		return false
	}
	return true
}
