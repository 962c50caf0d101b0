package crs

import (
	"math"

	"github.com/paulmach/orb"
)

// The inverse conversions iterate until a step moves the point by less than
// stepTolerance degrees or maxIterations steps have run. Each step shrinks
// the error at least fiftyfold, so the error left is below 2e-12 degrees,
// and the cap bounds the work for any input, however odd.
const (
	stepTolerance = 1e-10
	maxIterations = 16
)

// Convert returns p, given in from, expressed in to. It dispatches to the
// pairwise functions of this package and inherits their guarantees. When
// from == to, p is returned unchanged if finite. A NaN or infinite coordinate
// yields (NaN, NaN); so does an invalid from or to (get CRS values from the
// constants or Parse to rule that out).
func Convert(p orb.Point, from, to CRS) orb.Point {
	if !finite(p) {
		return nanPoint()
	}
	if from == to {
		return p
	}
	switch from {
	case WGS84:
		switch to {
		case GCJ02:
			return WGS84ToGCJ02(p)
		case BD09:
			return WGS84ToBD09(p)
		}
	case GCJ02:
		switch to {
		case WGS84:
			return GCJ02ToWGS84(p)
		case BD09:
			return GCJ02ToBD09(p)
		}
	case BD09:
		switch to {
		case WGS84:
			return BD09ToWGS84(p)
		case GCJ02:
			return BD09ToGCJ02(p)
		}
	}
	return nanPoint()
}

// finite reports whether both coordinates of p are neither NaN nor infinite.
func finite(p orb.Point) bool {
	// x-x is 0 for finite x and NaN for NaN and ±Inf.
	return p[0]-p[0] == 0 && p[1]-p[1] == 0
}

// nanPoint is what every conversion returns for input it cannot convert.
func nanPoint() orb.Point { return orb.Point{math.NaN(), math.NaN()} }
