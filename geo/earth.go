package geo

import (
	"github.com/paulmach/orb"
	ogeo "github.com/paulmach/orb/geo"
)

// EarthRadiusMeters is the radius of the sphere on which jingge measures
// every distance, circle and area: orb's, the WGS-84 semi-major axis
// (6,378,137 m). orb's geo functions and the Web Mercator tiles are built
// on it, so the planner, the patrol rules and the tiles use orb as it is;
// choosing another sphere would mean scaling every one of those calls. A
// store whose engine measures on another sphere converts at its edge
// (PostGIS's ST_DWithin on geography without the spheroid uses the mean
// radius: data/postgis scales the radius it sends).
const EarthRadiusMeters = orb.EarthRadius

// DistanceMeters is the great-circle distance between a and b (longitude,
// latitude in degrees) on the sphere of EarthRadiusMeters, by haversine,
// which stays accurate for distances of a few metres.
func DistanceMeters(a, b orb.Point) float64 { return ogeo.DistanceHaversine(a, b) }
