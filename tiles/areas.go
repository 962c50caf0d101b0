package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Area is one feature of an index layer as a whole, unsimplified shape in
// WGS-84 longitude and latitude: what the tiles draw, before any tile cuts
// or simplifies it.
type Area struct {
	ID         string
	Properties geojson.Properties
	// Geometry is nil for a feature without an area (a station's point).
	Geometry orb.MultiPolygon
}

// Areas returns the polygon features of the index layer name (regions,
// county, townships, stations) in id order, dissolved exactly as the tiles
// draw them, so a client reading them as features sees the borders the
// map shows; ok is false for a layer the source does not build. Point
// features are left out. The caller must not change the properties.
func (s *Source) Areas(name string) (areas []Area, ok bool) {
	l, ok := s.byName[name]
	if !ok {
		return nil, false
	}
	for i := range l.features {
		f := &l.features[i]
		if f.isPoint() {
			continue
		}
		mp := make(orb.MultiPolygon, 0, len(f.shape))
		for _, pc := range f.shape {
			poly := make(orb.Polygon, 0, len(pc))
			for k, c := range pc {
				poly = append(poly, orientRing(unprojectRing(s.topo.ringWorld(c)), k == 0))
			}
			mp = append(mp, poly)
		}
		areas = append(areas, Area{ID: f.id, Properties: f.props, Geometry: mp})
	}
	return areas, true
}

// unprojectRing turns a ring of Web Mercator world units (0..1, y down)
// back into longitude and latitude, in place.
func unprojectRing(r orb.Ring) orb.Ring {
	for i, w := range r {
		r[i] = orb.Point{w[0]*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*w[1]))) * 180 / math.Pi}
	}
	return r
}

// orientRing turns r counter-clockwise when it is an exterior and
// clockwise when it is a hole, as RFC 7946 asks of GeoJSON writers: the
// y axis flips between world units and latitude, and with it every ring.
func orientRing(r orb.Ring, exterior bool) orb.Ring {
	want := orb.CW
	if exterior {
		want = orb.CCW
	}
	if r.Orientation() != want {
		r.Reverse()
	}
	return r
}
