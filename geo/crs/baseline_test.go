package crs

import (
	"math"

	"github.com/paulmach/orb"
)

// The naive implementations below evaluate the published formulas term by
// term, as most libraries do. They are the oracle for gcjShift's angle-sum
// rewrite and the baselines the benchmarks compare against; they are not
// exported because their inverses are only approximate.

// naiveShift evaluates the GCJ-02 offset with one math.Sin per term.
func naiveShift(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105, lat-35
	rootX := math.Sqrt(math.Abs(x))
	common := 20*math.Sin(6*math.Pi*x) + 20*math.Sin(2*math.Pi*x)
	tLat := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*rootX +
		(common+
			20*math.Sin(math.Pi*y)+40*math.Sin(math.Pi*y/3)+
			160*math.Sin(math.Pi*y/12)+320*math.Sin(math.Pi*y/30))*2/3
	tLon := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*rootX +
		(common+
			20*math.Sin(math.Pi*x)+40*math.Sin(math.Pi*x/3)+
			150*math.Sin(math.Pi*x/12)+300*math.Sin(math.Pi*x/30))*2/3
	phi := lat * math.Pi / 180
	w := 1 - krasovskyE2*math.Sin(phi)*math.Sin(phi)
	meridian := krasovskyA * (1 - krasovskyE2) / (w * math.Sqrt(w))
	parallel := krasovskyA / math.Sqrt(w) * math.Cos(phi)
	return tLon * 180 / (parallel * math.Pi), tLat * 180 / (meridian * math.Pi)
}

// naiveWGS84ToGCJ02 is WGS84ToGCJ02 without the angle-sum rewrite.
func naiveWGS84ToGCJ02(p orb.Point) orb.Point {
	if OutOfChina(p) {
		return p
	}
	dLon, dLat := naiveShift(p[0], p[1])
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// oneStepGCJ02ToWGS84 subtracts the shift evaluated at the GCJ-02 point
// itself: the common approximate inverse.
func oneStepGCJ02ToWGS84(p orb.Point) orb.Point {
	if OutOfChina(p) {
		return p
	}
	dLon, dLat := naiveShift(p[0], p[1])
	return orb.Point{p[0] - dLon, p[1] - dLat}
}

// oneStepBD09ToGCJ02 removes the BD-09 perturbations evaluated at the BD-09
// point itself: the common approximate inverse.
func oneStepBD09ToGCJ02(p orb.Point) orb.Point {
	x, y := p[0]-bdLonOffset, p[1]-bdLatOffset
	r := math.Sqrt(x*x+y*y) - bdRadiusAmp*math.Sin(y*bdAngularFreq)
	theta := math.Atan2(y, x) - bdAngleAmp*math.Cos(x*bdAngularFreq)
	return orb.Point{r * math.Cos(theta), r * math.Sin(theta)}
}
