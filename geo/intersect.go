package geo

import "github.com/paulmach/orb"

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
					if segmentsCross(a, c, corners[k], corners[(k+1)%4]) {
						return true
					}
				}
			}
		}
	}
	return false
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// segmentsCross reports whether segments ab and cd intersect (touching counts).
func segmentsCross(a, b, c, d orb.Point) bool {
	d1, d2 := orient(c, d, a), orient(c, d, b)
	d3, d4 := orient(a, b, c), orient(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	on := func(p, q, r orb.Point) bool { // r on segment pq, given collinear
		return min(p[0], q[0]) <= r[0] && r[0] <= max(p[0], q[0]) && min(p[1], q[1]) <= r[1] && r[1] <= max(p[1], q[1])
	}
	return (d1 == 0 && on(c, d, a)) || (d2 == 0 && on(c, d, b)) || (d3 == 0 && on(a, b, c)) || (d4 == 0 && on(a, b, d))
}
