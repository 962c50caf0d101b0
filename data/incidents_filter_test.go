package data

import (
	"testing"

	"github.com/paulmach/orb"
	ogeo "github.com/paulmach/orb/geo"

	"jingge/geo"
)

// TestCircleUsesTheOneEarthRadius: a circle holds exactly the points whose
// distance by geo.DistanceMeters (the planner's, the patrols', the
// dispatch's) is within its radius, also in the last metre, where two
// spheres would disagree.
func TestCircleUsesTheOneEarthRadius(t *testing.T) {
	center := orb.Point{109.317, 34.152}
	for _, bearing := range []float64{0, 45, 90, 200, 315} {
		for _, c := range []struct {
			meters float64
			inside bool
		}{{999.5, true}, {1000.5, false}, {14_990, true}, {15_010, false}} {
			p := ogeo.PointAtBearingAndDistance(center, bearing, c.meters)
			d := geo.DistanceMeters(center, p)
			radius := 1000.0
			if c.meters > 2000 {
				radius = 15_000
			}
			circle := Circle{Center: center, RadiusMeters: radius}
			if got := circle.Contains(p); got != c.inside {
				t.Errorf("bearing %v, %v m (geo.DistanceMeters %.3f m): Contains = %v in a circle of %v m", bearing, c.meters, d, got, radius)
			}
			if c.inside && !circle.Bound().Contains(p) {
				t.Errorf("bearing %v, %v m: inside the circle but outside its Bound", bearing, c.meters)
			}
		}
	}
}
