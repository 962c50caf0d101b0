package crs

import (
	"math"

	"github.com/paulmach/orb"
)

// The GCJ-02 shift is defined on the Krasovsky 1940 ellipsoid.
const (
	krasovskyA  = 6378245.0              // semi-major axis, metres
	krasovskyE2 = 0.00669342162296594323 // first eccentricity squared
)

// The rectangle outside which GCJ-02 applies no shift.
const (
	chinaMinLon = 72.004
	chinaMaxLon = 137.8347
	chinaMinLat = 0.8293
	chinaMaxLat = 55.8271
)

// OutOfChina reports whether p lies outside the rectangle longitude
// 72.004–137.8347, latitude 0.8293–55.8271 (edges inside) that every GCJ-02
// implementation uses to decide whether to shift a point. The rectangle is
// coarse: it includes parts of neighbouring countries and excludes nothing
// of mainland China. A point with a NaN coordinate is out of China.
func OutOfChina(p orb.Point) bool {
	return !(p[0] >= chinaMinLon && p[0] <= chinaMaxLon &&
		p[1] >= chinaMinLat && p[1] <= chinaMaxLat)
}

// WGS84ToGCJ02 converts a WGS-84 (or CGCS2000) point to GCJ-02. Inside China
// the shift is a few hundred metres and varies smoothly; points for which
// OutOfChina is true are returned unchanged. A NaN or infinite coordinate
// yields (NaN, NaN).
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if !finite(p) {
		return nanPoint()
	}
	if OutOfChina(p) {
		return p
	}
	dLon, dLat := gcjShift(p[0], p[1])
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// GCJ02ToWGS84 converts a GCJ-02 point back to WGS-84. Points for which
// OutOfChina is true are returned unchanged. Inside China the result w
// satisfies WGS84ToGCJ02(w) == p to about 1e-12 degrees, found by fixed-point
// iteration from p (each step cuts the error at least a hundredfold; four to
// six steps). The usual one-step formula, p minus the shift at p, is off by
// up to 6e-5 degrees (7 m). The shift is at most about 0.012 degrees, so only
// within that distance of the rectangle's edge can it carry a point across
// the edge; there a GCJ-02 point may have no exact WGS-84 origin and
// WGS84ToGCJ02 and GCJ02ToWGS84 are not inverses. A NaN or infinite
// coordinate yields (NaN, NaN).
func GCJ02ToWGS84(p orb.Point) orb.Point {
	if !finite(p) {
		return nanPoint()
	}
	if OutOfChina(p) {
		return p
	}
	w := p
	for range maxIterations {
		dLon, dLat := gcjShift(w[0], w[1])
		next := orb.Point{p[0] - dLon, p[1] - dLat}
		step := math.Abs(next[0]-w[0]) + math.Abs(next[1]-w[1])
		w = next
		if step < stepTolerance {
			break
		}
	}
	return w
}

// gcjShift returns the GCJ-02 offset, in degrees, that is added to the WGS-84
// point (lon, lat). It evaluates the published polynomial-plus-sines formula
// in metres-like units and scales it by the Krasovsky radii of curvature.
// Sines of multiples of one angle come from one Sincos and angle-sum
// identities, which halves the trigonometric calls; the result agrees with
// evaluating each sine directly to about 1e-14 degrees.
func gcjShift(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105, lat-35

	// sin(πx), sin(2πx), sin(6πx) from one Sincos.
	s1, c1 := math.Sincos(math.Pi * x)
	s2 := 2 * s1 * c1
	s6 := s2 * (3 - 4*s2*s2)
	// sin(πx/12) and sin(πx/3) = sin(4·πx/12).
	sx12, cx12 := math.Sincos(math.Pi * x / 12)
	sx3 := 4 * sx12 * cx12 * (1 - 2*sx12*sx12)
	// sin(πy/12) and sin(πy/3) likewise.
	sy12, cy12 := math.Sincos(math.Pi * y / 12)
	sy3 := 4 * sy12 * cy12 * (1 - 2*sy12*sy12)

	shared := 20*s6 + 20*s2
	rootX := math.Sqrt(math.Abs(x))
	tLat := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*rootX +
		(shared+20*math.Sin(math.Pi*y)+40*sy3+160*sy12+320*math.Sin(math.Pi*y/30))*2/3
	tLon := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*rootX +
		(shared+20*s1+40*sx3+150*sx12+300*math.Sin(math.Pi*x/30))*2/3

	sinLat, cosLat := math.Sincos(lat * math.Pi / 180)
	w := 1 - krasovskyE2*sinLat*sinLat
	sqrtW := math.Sqrt(w)
	dLat = tLat * 180 / (krasovskyA * (1 - krasovskyE2) / (w * sqrtW) * math.Pi)
	dLon = tLon * 180 / (krasovskyA / sqrtW * cosLat * math.Pi)
	return dLon, dLat
}
