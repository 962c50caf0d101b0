package crs

import (
	"math"

	"github.com/paulmach/orb"
)

// BD-09 perturbs the GCJ-02 point in polar form around (0, 0) and then adds a
// fixed offset.
const (
	bdAngularFreq = math.Pi * 3000 / 180 // radians per degree in the perturbations
	bdRadiusAmp   = 0.00002              // degrees added to the radius
	bdAngleAmp    = 0.000003             // radians added to the angle
	bdLonOffset   = 0.0065               // degrees
	bdLatOffset   = 0.006                // degrees
)

// GCJ02ToBD09 converts a GCJ-02 point to Baidu's BD-09 (bd09ll). The shift
// is about a kilometre and, unlike GCJ-02's, is applied everywhere, inside
// China or not. A NaN or infinite coordinate yields (NaN, NaN).
func GCJ02ToBD09(p orb.Point) orb.Point {
	if !finite(p) {
		return nanPoint()
	}
	x, y := p[0], p[1]
	r := math.Hypot(x, y) + bdRadiusAmp*math.Sin(y*bdAngularFreq)
	theta := math.Atan2(y, x) + bdAngleAmp*math.Cos(x*bdAngularFreq)
	sin, cos := math.Sincos(theta)
	return orb.Point{r*cos + bdLonOffset, r*sin + bdLatOffset}
}

// BD09ToGCJ02 converts a BD-09 (bd09ll) point to GCJ-02. The result g
// satisfies GCJ02ToBD09(g) == p to about 1e-12 degrees: the perturbations are
// removed by fixed-point iteration rather than by the usual one-step formula,
// which is off by up to about 2e-6 degrees (20 cm). Four or five steps
// suffice. A NaN or infinite coordinate yields (NaN, NaN).
func BD09ToGCJ02(p orb.Point) orb.Point {
	if !finite(p) {
		return nanPoint()
	}
	bx, by := p[0]-bdLonOffset, p[1]-bdLatOffset
	bR, bTheta := math.Hypot(bx, by), math.Atan2(by, bx)

	// Solve r + a·sin(y·f) = bR, θ + b·cos(x·f) = bθ for (r, θ), where
	// (x, y) = r·(cos θ, sin θ), starting from (x, y) = (bx, by).
	x, y := bx, by
	r, theta := bR, bTheta
	for range maxIterations {
		nextR := bR - bdRadiusAmp*math.Sin(y*bdAngularFreq)
		nextTheta := bTheta - bdAngleAmp*math.Cos(x*bdAngularFreq)
		step := math.Abs(nextR-r) + math.Abs(nextR*(nextTheta-theta))
		r, theta = nextR, nextTheta
		sin, cos := math.Sincos(theta)
		x, y = r*cos, r*sin
		if step < stepTolerance {
			break
		}
	}
	return orb.Point{x, y}
}

// WGS84ToBD09 converts a WGS-84 point to BD-09 through GCJ-02; see
// WGS84ToGCJ02 and GCJ02ToBD09 for the guarantees.
func WGS84ToBD09(p orb.Point) orb.Point {
	return GCJ02ToBD09(WGS84ToGCJ02(p))
}

// BD09ToWGS84 converts a BD-09 point to WGS-84 through GCJ-02; see
// BD09ToGCJ02 and GCJ02ToWGS84 for the guarantees.
func BD09ToWGS84(p orb.Point) orb.Point {
	return GCJ02ToWGS84(BD09ToGCJ02(p))
}
