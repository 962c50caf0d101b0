package geotest

import (
	"github.com/paulmach/orb"

	"jingge/geo"
)

// OutlineEdge is an edge of a grid's ring, in the ring's direction, with
// the grid whose ring holds it.
type OutlineEdge struct {
	A, B orb.Point
	Grid *geo.Grid
}

// Mid is the edge's midpoint computed in float64, which may lie a rounding
// off the true segment.
func (e OutlineEdge) Mid() orb.Point {
	return orb.Point{(e.A[0] + e.B[0]) / 2, (e.A[1] + e.B[1]) / 2}
}

// Outline returns the edges that no other grid of grids shares: the outline
// of their union, the rings of holes no grid fills included. It relies on
// neighbours sharing identical vertices, as in Lattice, Holed and the
// bundled Lantian grids, so that an inner edge is in exactly two rings.
// Zero-length edges are left out. The order is that of grids and rings.
func Outline(grids []*geo.Grid) []OutlineEdge {
	key := func(a, b orb.Point) [2]orb.Point {
		if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
			a, b = b, a
		}
		return [2]orb.Point{a, b}
	}
	each := func(f func(g *geo.Grid, a, b orb.Point)) {
		for _, g := range grids {
			for _, poly := range g.Geometry {
				for _, ring := range poly {
					for k := 0; k+1 < len(ring); k++ {
						if ring[k] != ring[k+1] {
							f(g, ring[k], ring[k+1])
						}
					}
				}
			}
		}
	}
	count := map[[2]orb.Point]int{}
	each(func(_ *geo.Grid, a, b orb.Point) { count[key(a, b)]++ })
	var out []OutlineEdge
	each(func(g *geo.Grid, a, b orb.Point) {
		if count[key(a, b)] == 1 {
			out = append(out, OutlineEdge{A: a, B: b, Grid: g})
		}
	})
	return out
}
