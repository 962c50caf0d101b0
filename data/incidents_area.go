package data

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/geo"
)

// AreaCover finds the special areas covering a point, for aggregates by
// area (ByArea) in stores that hold their areas in memory. A point on an
// area's border is covered, as by PostGIS's ST_Covers, so both kinds of
// store count the same incidents.
type AreaCover struct {
	areas  []*geo.Area
	bounds []orb.Bound
}

// NewAreaCover indexes areas; they must not change while it is used.
func NewAreaCover(areas []geo.Area) *AreaCover {
	c := &AreaCover{areas: make([]*geo.Area, 0, len(areas)), bounds: make([]orb.Bound, 0, len(areas))}
	for i := range areas {
		if len(areas[i].Geometry) == 0 {
			continue
		}
		c.areas = append(c.areas, &areas[i])
		c.bounds = append(c.bounds, areas[i].Geometry.Bound())
	}
	return c
}

// Covering appends to dst the ids of the areas covering pt, in the order
// of the areas given, and returns the extended slice.
func (c *AreaCover) Covering(pt orb.Point, dst []string) []string {
	for i, a := range c.areas {
		if c.bounds[i].Contains(pt) && covers(a.Geometry, pt) {
			dst = append(dst, a.ID)
		}
	}
	return dst
}

// covers reports whether mp covers pt: inside it or on any of its rings,
// a hole's included (ST_Covers). planar's contains tests count a hole's
// border out of the polygon.
func covers(mp orb.MultiPolygon, pt orb.Point) bool {
	for _, p := range mp {
		if len(p) == 0 || !planar.RingContains(p[0], pt) {
			continue
		}
		in := true
		for _, hole := range p[1:] {
			if planar.RingContains(hole, pt) && !onRing(hole, pt) {
				in = false
				break
			}
		}
		if in {
			return true
		}
	}
	return false
}

// onRing reports whether pt lies exactly on one of r's segments.
func onRing(r orb.Ring, pt orb.Point) bool {
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		cross := (b[0]-a[0])*(pt[1]-a[1]) - (b[1]-a[1])*(pt[0]-a[0])
		if cross == 0 && min(a[0], b[0]) <= pt[0] && pt[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= pt[1] && pt[1] <= max(a[1], b[1]) {
			return true
		}
	}
	return false
}
