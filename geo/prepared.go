package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// edge is a ring segment stored with its lower endpoint first (ay < by).
// Storing every edge in the same orientation makes the crossing test give
// bit-identical answers for an edge shared by two grids, which is what lets
// a point on a shared boundary belong to exactly one of them.
type edge struct{ ax, ay, bx, by float64 }

// crossesRay reports whether the edge crosses the ray from (x, y) towards +x,
// with the half-open rule: the edge covers ay <= y < by and a point exactly
// on the edge is not crossed by its own ray.
func (e *edge) crossesRay(x, y float64) bool {
	if y < e.ay || y >= e.by {
		return false
	}
	// x < x-intercept, written without division; by-ay > 0 here.
	return (x-e.ax)*(e.by-e.ay) < (e.bx-e.ax)*(y-e.ay)
}

// Polygons with at most this many edges are tested by a plain scan.
const smallPolygonEdges = 32

// edgesPerBand is the mean number of edges per band in a banded polygon.
const edgesPerBand = 4

// maxBands caps the band table of one polygon.
const maxBands = 1 << 14

// Prepared is a MultiPolygon made ready for fast point-in-polygon tests. Its
// non-horizontal edges are bucketed into horizontal bands, so a test touches
// only the edges of the band that holds the point, not every vertex.
//
// Contains uses the even-odd rule over all rings, so holes and multiple
// parts need no special case. Points on the boundary follow the half-open
// rule: a point on an edge that is not horizontal belongs to the polygon on
// the edge's east side, a point on a horizontal edge to the polygon on its
// north side. In a partition whose neighbours share identical edges this puts
// every point of the union in exactly one polygon; a point on the union's own
// outline with nothing east (north) of it is in none, and OnBoundary is the
// test that finds its polygon.
type Prepared struct {
	bound     orb.Bound
	minY      float64
	bandScale float64 // bands per unit of y
	nBands    int
	bandStart []int32 // len(bands)+1 offsets into edges
	edges     []edge
	// flatStart and flat hold the horizontal edges, by the band of their y.
	// Contains never needs them; OnBoundary does.
	flatStart []int32
	flat      []edge
}

// Prepare builds the banded edge table of mp.
func Prepare(mp orb.MultiPolygon) *Prepared {
	var all, flat []edge
	for _, poly := range mp {
		for _, ring := range poly {
			all, flat = appendRingEdges(all, flat, ring)
		}
	}
	p := &Prepared{bound: mp.Bound()}
	p.minY = p.bound.Min[1]
	height := p.bound.Max[1] - p.bound.Min[1]
	nBands := 1
	if len(all) > smallPolygonEdges && height > 0 {
		nBands = min(max(len(all)/edgesPerBand, 1), maxBands)
	}
	if nBands == 1 || height <= 0 {
		p.bandScale = 0
		p.bandStart = []int32{0, int32(len(all))}
		p.edges = all
		p.flatStart = []int32{0, int32(len(flat))}
		p.flat = flat
		return p
	}
	p.bandScale = float64(nBands) / height
	p.nBands = nBands
	p.bandStart, p.edges = p.bucket(all)
	p.flatStart, p.flat = p.bucket(flat)
	return p
}

// bucket lists each edge in every band its y-span touches and returns the
// band offsets and the listed edges.
func (p *Prepared) bucket(all []edge) (start []int32, listed []edge) {
	n := p.nBands
	start = make([]int32, n+1)
	for i := range all {
		lo, hi := p.band(all[i].ay), p.band(all[i].by)
		for b := lo; b <= hi; b++ {
			start[b+1]++
		}
	}
	for b := 1; b <= n; b++ {
		start[b] += start[b-1]
	}
	listed = make([]edge, start[n])
	next := make([]int32, n)
	copy(next, start[:n])
	for i := range all {
		lo, hi := p.band(all[i].ay), p.band(all[i].by)
		for b := lo; b <= hi; b++ {
			listed[next[b]] = all[i]
			next[b]++
		}
	}
	return start, listed
}

// appendRingEdges appends ring's non-horizontal edges to slanted and its
// horizontal ones to flat, dropping zero-length edges.
func appendRingEdges(slanted, flat []edge, ring orb.Ring) ([]edge, []edge) {
	n := len(ring)
	if n < 2 {
		return slanted, flat
	}
	for i := 0; i < n; i++ {
		a, b := ring[i], ring[(i+1)%n]
		switch {
		case a == b:
		case a[1] == b[1]: // never crosses a horizontal ray, so Contains skips it
			if a[0] > b[0] {
				a, b = b, a
			}
			flat = append(flat, edge{a[0], a[1], b[0], b[1]})
		default:
			if a[1] > b[1] {
				a, b = b, a
			}
			slanted = append(slanted, edge{a[0], a[1], b[0], b[1]})
		}
	}
	return slanted, flat
}

// band maps y to its band. It is monotone in y, so an edge spanning
// [ay, by] is listed in every band any of its points can be looked up in.
func (p *Prepared) band(y float64) int {
	if p.bandScale == 0 {
		return 0
	}
	n := p.nBands
	f := (y - p.minY) * p.bandScale
	if !(f > 0) { // also catches NaN
		return 0
	}
	b := int(math.Floor(f))
	if b >= n {
		return n - 1
	}
	return b
}

// Bound is the bounding box of the prepared geometry.
func (p *Prepared) Bound() orb.Bound { return p.bound }

// Contains reports whether pt lies in the polygon, with the boundary rule
// documented on Prepared. It does not allocate.
func (p *Prepared) Contains(pt orb.Point) bool {
	x, y := pt[0], pt[1]
	if x < p.bound.Min[0] || x > p.bound.Max[0] || y < p.bound.Min[1] || y > p.bound.Max[1] {
		return false
	}
	// One band holds every edge: skip its offsets, a memory access fewer
	// for the small polygons of large datasets.
	edges := p.edges
	if p.bandScale != 0 {
		b := p.band(y)
		edges = p.edges[p.bandStart[b]:p.bandStart[b+1]]
	}
	inside := false
	for i := range edges {
		if edges[i].crossesRay(x, y) {
			inside = !inside
		}
	}
	return inside
}
