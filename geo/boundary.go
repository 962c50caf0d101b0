package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// onEdgeRelative is the distance, relative to the magnitude of the point's
// coordinates, within which a point counts as on an edge: 2^-45, 128 to 256
// units in the last place of the coordinates. The midpoint of an edge
// computed in float64 misses the true segment by up to about one unit, and
// the float64 distance test below errs by a few units for edges no longer
// than the coordinates are large, so such points are on the edge, and
// points off it by more than about twice the tolerance are not. At Lantian's
// longitudes it is 3·10⁻¹² degrees, a third of a micrometre.
const onEdgeRelative = 0x1p-45

// onEdgeTolerance is the absolute tolerance of OnBoundary at (x, y). Below
// magnitude 1 it stays at 2^-45, so coordinates near zero are not held to a
// closer test than the rounding of the edges around them allows.
func onEdgeTolerance(x, y float64) float64 {
	return onEdgeRelative * max(math.Abs(x), math.Abs(y), 1)
}

// near reports whether (x, y) lies within tol of the segment: within tol of
// the line through it and of its bounding box. It works for edges in either
// orientation and for horizontal ones.
func (e *edge) near(x, y, tol float64) bool {
	if y < min(e.ay, e.by)-tol || y > max(e.ay, e.by)+tol || x < min(e.ax, e.bx)-tol || x > max(e.ax, e.bx)+tol {
		return false
	}
	dx, dy := e.bx-e.ax, e.by-e.ay
	cross := dx*(y-e.ay) - dy*(x-e.ax) // |cross| / |(dx, dy)| is the distance to the line
	return cross*cross <= tol*tol*(dx*dx+dy*dy)
}

// OnBoundary reports whether pt lies on an edge of the polygon, holes and
// horizontal edges included: within onEdgeTolerance of the segment, which
// is 2^-45 of the larger of |x|, |y| and 1 (see onEdgeRelative). Vertices
// and points exactly on an edge are, and so is the float64 midpoint of an
// edge, on whichever side it rounded to. It is false for NaN and
// infinite coordinates and does not allocate.
//
// OnBoundary is the fallback for points Contains gives to no polygon: a
// point on the union's outline, which has no neighbour east or north of it.
func (p *Prepared) OnBoundary(pt orb.Point) bool {
	x, y := pt[0], pt[1]
	if x-x != 0 || y-y != 0 { // NaN or infinite
		return false
	}
	tol := onEdgeTolerance(x, y)
	if x < p.bound.Min[0]-tol || x > p.bound.Max[0]+tol || y < p.bound.Min[1]-tol || y > p.bound.Max[1]+tol {
		return false
	}
	// An edge is listed in every band its y-span touches, and a point near
	// it has y within tol of that span, so these bands hold every candidate.
	for b, last := p.band(y-tol), p.band(y+tol); b <= last; b++ {
		edges := p.edges[p.bandStart[b]:p.bandStart[b+1]]
		for i := range edges {
			if edges[i].near(x, y, tol) {
				return true
			}
		}
		flat := p.flat[p.flatStart[b]:p.flatStart[b+1]]
		for i := range flat {
			if flat[i].near(x, y, tol) {
				return true
			}
		}
	}
	return false
}
