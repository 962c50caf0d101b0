package geo_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo"
)

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func TestPreparedContains(t *testing.T) {
	withHole := orb.MultiPolygon{{square(0, 0, 10, 10), square(4, 4, 6, 6)}}
	twoParts := orb.MultiPolygon{{square(0, 0, 1, 1)}, {square(5, 5, 6, 6)}}
	// A ring with many vertices, so the banded path is used.
	var circle orb.Ring
	for k := 0; k < 400; k++ {
		a := 2 * math.Pi * float64(k) / 400
		circle = append(circle, orb.Point{math.Cos(a), math.Sin(a)})
	}
	circle = append(circle, circle[0])
	cases := []struct {
		name string
		mp   orb.MultiPolygon
		p    orb.Point
		want bool
	}{
		{"inside", withHole, orb.Point{1, 1}, true},
		{"in the hole", withHole, orb.Point{5, 5}, false},
		{"outside", withHole, orb.Point{11, 5}, false},
		{"west edge belongs to the polygon east of it", withHole, orb.Point{0, 5}, true},
		{"east edge belongs to the next polygon", withHole, orb.Point{10, 5}, false},
		{"south edge belongs to the polygon north of it", withHole, orb.Point{5, 0}, true},
		{"north edge belongs to the next polygon", withHole, orb.Point{5, 10}, false},
		{"south-west corner", withHole, orb.Point{0, 0}, true},
		{"north-east corner", withHole, orb.Point{10, 10}, false},
		{"hole's east edge is the polygon's west edge", withHole, orb.Point{6, 5}, true},
		{"hole's west edge", withHole, orb.Point{4, 5}, false},
		{"second part", twoParts, orb.Point{5.5, 5.5}, true},
		{"between parts", twoParts, orb.Point{3, 3}, false},
		{"circle centre", orb.MultiPolygon{{circle}}, orb.Point{0, 0}, true},
		{"circle near rim inside", orb.MultiPolygon{{circle}}, orb.Point{0.99, 0}, true},
		{"circle outside bound corner", orb.MultiPolygon{{circle}}, orb.Point{0.9, 0.9}, false},
		{"NaN", withHole, orb.Point{math.NaN(), 1}, false},
		{"Inf", withHole, orb.Point{math.Inf(1), 1}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := geo.Prepare(c.mp).Contains(c.p); got != c.want {
				t.Errorf("Contains(%v) = %v, want %v", c.p, got, c.want)
			}
		})
	}
}

// TestPreparedMatchesNaive: the banded test agrees with a plain even-odd
// scan on random points for a large jagged polygon.
func TestPreparedMatchesNaive(t *testing.T) {
	var ring orb.Ring
	for k := 0; k < 5000; k++ {
		a := 2 * math.Pi * float64(k) / 5000
		r := 1 + 0.3*math.Sin(17*a) + 0.1*math.Cos(91*a)
		ring = append(ring, orb.Point{r * math.Cos(a), r * math.Sin(a)})
	}
	ring = append(ring, ring[0])
	mp := orb.MultiPolygon{{ring}}
	p := geo.Prepare(mp)
	naive := func(pt orb.Point) bool {
		in := false
		for k := 0; k+1 < len(ring); k++ {
			a, b := ring[k], ring[k+1]
			if (a[1] > pt[1]) != (b[1] > pt[1]) && pt[0] < a[0]+(pt[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
				in = !in
			}
		}
		return in
	}
	for i := 0; i < 400; i++ {
		for j := 0; j < 400; j++ {
			pt := orb.Point{-1.5 + 3*float64(i)/399, -1.5 + 3*float64(j)/399 + 1e-9}
			if p.Contains(pt) != naive(pt) {
				t.Fatalf("disagree at %v", pt)
			}
		}
	}
}

func TestPreparedOnBoundary(t *testing.T) {
	withHole := orb.MultiPolygon{{square(0, 0, 10, 10), square(4, 4, 6, 6)}}
	slanted := orb.MultiPolygon{{orb.Ring{{109.17566445, 34.20647555}, {109.3137771, 34.3012345}, {109.3137771, 34.20647555}, {109.17566445, 34.20647555}}}}
	a, b := slanted[0][0][0], slanted[0][0][1]
	floatMid := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
	var circle orb.Ring // banded
	for k := 0; k < 400; k++ {
		a := 2 * math.Pi * float64(k) / 400
		circle = append(circle, orb.Point{math.Cos(a), math.Sin(a)})
	}
	circle = append(circle, circle[0])
	cases := []struct {
		name string
		mp   orb.MultiPolygon
		p    orb.Point
		want bool
	}{
		{"west edge", withHole, orb.Point{0, 5}, true},
		{"east edge", withHole, orb.Point{10, 5}, true},
		{"south edge (horizontal)", withHole, orb.Point{5, 0}, true},
		{"north edge (horizontal)", withHole, orb.Point{5, 10}, true},
		{"north-east corner", withHole, orb.Point{10, 10}, true},
		{"hole's west edge", withHole, orb.Point{4, 5}, true},
		{"hole's north edge", withHole, orb.Point{5, 6}, true},
		{"inside", withHole, orb.Point{1, 1}, false},
		{"in the hole", withHole, orb.Point{5, 5}, false},
		{"outside", withHole, orb.Point{11, 5}, false},
		{"a micrometre east of the east edge", withHole, orb.Point{10 + 1e-11, 5}, false},
		{"beyond the end of an edge's line", withHole, orb.Point{10, 10 + 1e-9}, false},
		{"float64 midpoint of a slanted edge", slanted, floatMid, true},
		{"slanted edge's vertex", slanted, b, true},
		{"a nanometre off the slanted edge", slanted, orb.Point{floatMid[0] + 1e-11, floatMid[1] - 1e-11}, false},
		{"circle vertex", orb.MultiPolygon{{circle}}, circle[123], true},
		{"circle centre", orb.MultiPolygon{{circle}}, orb.Point{0, 0}, false},
		{"NaN", withHole, orb.Point{math.NaN(), 0}, false},
		{"Inf", withHole, orb.Point{math.Inf(1), 10}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := geo.Prepare(c.mp).OnBoundary(c.p); got != c.want {
				t.Errorf("OnBoundary(%v) = %v, want %v", c.p, got, c.want)
			}
		})
	}
}

// TestPreparedOnBoundaryEveryEdge: every vertex and float64 midpoint of a
// large jagged ring with holes is on the boundary (banded path, horizontal
// edges included), and points moved a little off each edge are not.
func TestPreparedOnBoundaryEveryEdge(t *testing.T) {
	var ring orb.Ring
	for k := 0; k < 3000; k++ {
		a := 2 * math.Pi * float64(k) / 3000
		r := 1 + 0.3*math.Sin(17*a) + 0.1*math.Cos(91*a)
		p := orb.Point{109 + r*math.Cos(a), 34 + r*math.Sin(a)}
		if k%7 == 0 && k > 0 { // a horizontal edge from the previous vertex
			p[1] = ring[len(ring)-1][1]
		}
		ring = append(ring, p)
	}
	ring = append(ring, ring[0])
	hole := square(108.9, 33.9, 109.1, 34.1)
	hole.Reverse()
	mp := orb.MultiPolygon{{ring, hole}}
	p := geo.Prepare(mp)
	for _, r := range mp[0] {
		for k := 0; k+1 < len(r); k++ {
			a, b := r[k], r[k+1]
			m := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
			if !p.OnBoundary(a) || !p.OnBoundary(m) {
				t.Fatalf("vertex %v or midpoint %v of edge %d is not on the boundary", a, m, k)
			}
			// 1e-9 degrees off the edge, along its normal.
			dx, dy := b[0]-a[0], b[1]-a[1]
			l := math.Hypot(dx, dy)
			off := orb.Point{m[0] - dy/l*1e-9, m[1] + dx/l*1e-9}
			if p.OnBoundary(off) && !nearAnyVertex(mp, off, 2e-9) {
				t.Fatalf("%v, 1e-9 off edge %d, is on the boundary", off, k)
			}
		}
	}
}

func nearAnyVertex(mp orb.MultiPolygon, p orb.Point, d float64) bool {
	for _, poly := range mp {
		for _, r := range poly {
			for _, q := range r {
				if math.Hypot(q[0]-p[0], q[1]-p[1]) < d {
					return true
				}
			}
		}
	}
	return false
}
