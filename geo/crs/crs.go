// Package crs converts coordinates between the three geographic coordinate
// systems that phones and map SDKs in mainland China report:
//
//   - WGS84: raw GPS/GNSS output. CGCS2000, the national datum, differs from
//     WGS-84 by centimetres to decimetres and is treated as equal to it.
//   - GCJ02: the obfuscated "Mars" system every map published in China must
//     use (Gaode/Amap, Tencent, Google Maps in China, Apple Maps in China).
//   - BD09: Baidu's extra shift on top of GCJ-02, in its longitude/latitude
//     form (Baidu "bd09ll"); the Mercator form "bd09mc" is not supported.
//
// All points are orb.Points in degrees, longitude first. Conversions are pure
// functions of one point, never allocate, and share these guarantees:
//
//   - A point with a NaN or infinite coordinate converts to (NaN, NaN).
//   - Coordinates are not range-checked; validate longitude and latitude
//     before converting.
//   - GCJ-02 leaves points outside a rectangle around China unchanged (see
//     OutOfChina), exactly as the published algorithm does. BD-09's shift is
//     applied everywhere.
//   - The inverse conversions (to WGS-84 from GCJ-02, to GCJ-02 from BD-09)
//     are solved by iteration and invert the forward ones to about 1e-12
//     degrees, far below the 1e-9 degrees (0.1 mm) this package promises.
package crs

// CRS names a geographic coordinate system. The zero value is not valid; get
// values from the constants or from Parse.
type CRS string

// The coordinate systems this package converts between. Their values are the
// canonical spellings accepted by Parse.
const (
	WGS84 CRS = "wgs84" // GPS; CGCS2000 is treated as equal to it
	GCJ02 CRS = "gcj02" // Gaode/Amap, Tencent, Google Maps in China
	BD09  CRS = "bd09"  // Baidu, longitude/latitude form (bd09ll)
)

// Valid reports whether c is one of WGS84, GCJ02 and BD09.
func (c CRS) Valid() bool {
	switch c {
	case WGS84, GCJ02, BD09:
		return true
	}
	return false
}

// Label returns the customary display name of c: "WGS-84", "GCJ-02" or
// "BD-09". For an invalid c it returns `unknown CRS "…"` with c quoted, so a
// label is never empty or mistaken for a real system.
func (c CRS) Label() string {
	switch c {
	case WGS84:
		return "WGS-84"
	case GCJ02:
		return "GCJ-02"
	case BD09:
		return "BD-09"
	}
	return "unknown CRS " + quote(string(c))
}
