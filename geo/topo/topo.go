// Package topo checks the topology of grid geometry: that polygons are
// valid (simple rings, holes inside their exterior, no ring crossing
// another) and that segments of a set of lines meet only where they should.
package topo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Cross is the orientation of c against the line a→b: positive when c is on
// the left, negative on the right, zero when collinear.
func Cross(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// SegmentsTouch reports whether segments ab and cd share at least one point.
func SegmentsTouch(a, b, c, d orb.Point) bool {
	d1, d2 := Cross(c, d, a), Cross(c, d, b)
	d3, d4 := Cross(a, b, c), Cross(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	on := func(p, q, r orb.Point) bool {
		return min(p[0], q[0]) <= r[0] && r[0] <= max(p[0], q[0]) && min(p[1], q[1]) <= r[1] && r[1] <= max(p[1], q[1])
	}
	return (d1 == 0 && on(c, d, a)) || (d2 == 0 && on(c, d, b)) || (d3 == 0 && on(a, b, c)) || (d4 == 0 && on(a, b, d))
}

// MeetAtEndpointOnly reports whether ab and cd share exactly one endpoint
// and no other point (collinear segments leaving it in opposite directions
// count as meeting only there).
func MeetAtEndpointOnly(a, b, c, d orb.Point) bool {
	var p, u, v orb.Point // the shared point and the two far ends
	switch {
	case a == c && b != d:
		p, u, v = a, b, d
	case a == d && b != c:
		p, u, v = a, b, c
	case b == c && a != d:
		p, u, v = b, a, d
	case b == d && a != c:
		p, u, v = b, a, c
	default:
		return false
	}
	if Cross(p, u, v) != 0 {
		return true
	}
	return (u[0]-p[0])*(v[0]-p[0])+(u[1]-p[1])*(v[1]-p[1]) < 0
}

// Segment is one piece of a line, with where it came from.
type Segment struct {
	A, B orb.Point
	Line int // which line (ring or arc) it belongs to
	Pos  int // its position in that line
	N    int // the number of segments in that line
	// Closed marks segments of closed lines, whose last and first segments
	// meet at the seam.
	Closed bool
}

// Crossing is a pair of segments that meet where they should not.
type Crossing struct{ S, T Segment }

func (c Crossing) String() string {
	return fmt.Sprintf("line %d segment %d (%v-%v) meets line %d segment %d (%v-%v)",
		c.S.Line, c.S.Pos, c.S.A, c.S.B, c.T.Line, c.T.Pos, c.T.A, c.T.B)
}

// LinesOf cuts lines into segments; closed lines are rings whose first and
// last points are equal.
func LinesOf(lines [][]orb.Point, closed bool) []Segment {
	var segs []Segment
	for li, pts := range lines {
		for k := 0; k+1 < len(pts); k++ {
			segs = append(segs, Segment{A: pts[k], B: pts[k+1], Line: li, Pos: k, N: len(pts) - 1, Closed: closed})
		}
	}
	return segs
}

// Crossings returns the pairs of segments that share a point they should
// not. Consecutive segments of a line may share their joint, and segments of
// different lines may share one endpoint (arcs meeting at a junction, rings
// touching at a vertex) when allowEndpoints is true. At most limit pairs are
// returned. Candidates come from a uniform hash of segment bounds, so the
// cost grows with the number of segments, not its square.
func Crossings(segs []Segment, allowEndpoints bool, limit int) []Crossing {
	if len(segs) == 0 {
		return nil
	}
	var b orb.Bound = orb.Bound{Min: segs[0].A, Max: segs[0].A}
	total := 0.0
	for _, s := range segs {
		b = b.Extend(s.A).Extend(s.B)
		total += math.Abs(s.B[0]-s.A[0]) + math.Abs(s.B[1]-s.A[1])
	}
	cell := max(2*total/float64(len(segs)), 1e-9)
	key := func(x, y float64) [2]int64 {
		return [2]int64{int64(math.Floor((x - b.Min[0]) / cell)), int64(math.Floor((y - b.Min[1]) / cell))}
	}
	buckets := map[[2]int64][]int32{}
	for i, s := range segs {
		lo := key(min(s.A[0], s.B[0]), min(s.A[1], s.B[1]))
		hi := key(max(s.A[0], s.B[0]), max(s.A[1], s.B[1]))
		for x := lo[0]; x <= hi[0]; x++ {
			for y := lo[1]; y <= hi[1]; y++ {
				buckets[[2]int64{x, y}] = append(buckets[[2]int64{x, y}], int32(i))
			}
		}
	}
	seen := map[[2]int32]bool{}
	var out []Crossing
	for _, ids := range buckets {
		for x := 0; x < len(ids); x++ {
			for y := x + 1; y < len(ids); y++ {
				s, t := segs[ids[x]], segs[ids[y]]
				if !SegmentsTouch(s.A, s.B, t.A, t.B) || allowed(s, t, allowEndpoints) {
					continue
				}
				pair := [2]int32{min(ids[x], ids[y]), max(ids[x], ids[y])}
				if seen[pair] {
					continue
				}
				seen[pair] = true
				out = append(out, Crossing{s, t})
				if len(out) >= limit {
					return out
				}
			}
		}
	}
	return out
}

func allowed(s, t Segment, allowEndpoints bool) bool {
	if !MeetAtEndpointOnly(s.A, s.B, t.A, t.B) {
		return false
	}
	if s.Line != t.Line {
		return allowEndpoints
	}
	d := s.Pos - t.Pos
	if d == 1 || d == -1 {
		return true
	}
	return s.Closed && ((s.Pos == 0 && t.Pos == s.N-1) || (t.Pos == 0 && s.Pos == s.N-1))
}

// ValidatePolygon checks that each ring is closed with at least four
// points, that no ring crosses itself or another ring of the polygon, that
// the exterior has positive area and that holes lie inside it. Rings may
// not touch, even at a single point.
func ValidatePolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("topo: polygon has no rings")
	}
	lines := make([][]orb.Point, len(p))
	for i, r := range p {
		if len(r) < 4 {
			return fmt.Errorf("topo: ring %d has %d points, a ring needs at least 4", i, len(r))
		}
		if r[0] != r[len(r)-1] {
			return fmt.Errorf("topo: ring %d is not closed", i)
		}
		lines[i] = r
	}
	if c := Crossings(LinesOf(lines, true), false, 1); len(c) > 0 {
		if c[0].S.Line == c[0].T.Line {
			return fmt.Errorf("topo: ring %d intersects itself near %v", c[0].S.Line, c[0].S.A)
		}
		return fmt.Errorf("topo: rings %d and %d intersect near %v", c[0].S.Line, c[0].T.Line, c[0].S.A)
	}
	for i, r := range p {
		if SignedArea(r) == 0 {
			return fmt.Errorf("topo: ring %d has zero area", i)
		}
	}
	for i, h := range p[1:] {
		if !ringContainsPoint(p[0], h[0]) {
			return fmt.Errorf("topo: hole %d lies outside the exterior ring", i+1)
		}
	}
	return nil
}

// ValidateMultiPolygon validates each polygon; the polygons themselves must
// not overlap (checked by the caller's partition tests).
func ValidateMultiPolygon(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return fmt.Errorf("topo: multipolygon is empty")
	}
	for i, p := range mp {
		if err := ValidatePolygon(p); err != nil {
			return fmt.Errorf("polygon %d: %w", i, err)
		}
	}
	return nil
}

// SignedArea is the planar area of a closed ring, positive when its points
// run counter-clockwise.
func SignedArea(r orb.Ring) float64 {
	s := 0.0
	for k := 0; k+1 < len(r); k++ {
		s += r[k][0]*r[k+1][1] - r[k+1][0]*r[k][1]
	}
	return s / 2
}

func ringContainsPoint(r orb.Ring, p orb.Point) bool {
	inside := false
	for k := 0; k+1 < len(r); k++ {
		a, b := r[k], r[k+1]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < a[0]+(p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
			inside = !inside
		}
	}
	return inside
}
