package geo

import (
	"github.com/paulmach/orb"

	"jingge/geo/topo"
)

// MultiPolygonIntersectsBound reports whether mp (prepared as p) and the
// box b share at least one point: a vertex of mp inside b, a corner of b
// inside mp, or an edge of mp crossing an edge of b.
func MultiPolygonIntersectsBound(mp orb.MultiPolygon, p *Prepared, b orb.Bound) bool {
	corners := [4]orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}}
	for _, c := range corners {
		if p.Contains(c) {
			return true
		}
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for i := range ring {
				if b.Contains(ring[i]) {
					return true
				}
				a, c := ring[i], ring[(i+1)%len(ring)]
				for k := range 4 {
					if topo.SegmentsTouch(a, c, corners[k], corners[(k+1)%4]) {
						return true
					}
				}
			}
		}
	}
	return false
}
