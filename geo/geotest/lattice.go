// Package geotest builds synthetic datasets for tests and benchmarks.
package geotest

import (
	"fmt"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// Lattice returns a dataset of n×n community grids that partition the box
// [origin, origin + n*cellDeg]² exactly: a lattice whose interior corners
// are jittered and whose edges are bent into `bends` extra points each, so
// every grid has 4*(bends+1) vertices and neighbours share identical edges.
// Grids are grouped into police grids of 2×2 and all belong to one station.
// The same arguments give the same dataset.
func Lattice(n, bends int, cellDeg float64, seed uint64) *geo.Dataset {
	m := newMesh(n, bends, cellDeg, seed)
	ds := &geo.Dataset{
		Meta:     geo.Meta{Name: fmt.Sprintf("synthetic lattice %dx%d", n, n), Datum: "wgs84"},
		Stations: []geo.Station{{ID: "s1", Name: "Synthetic station", Region: geo.Plain, Location: m.corner[0]}},
	}
	police := func(i, j int) string { return fmt.Sprintf("P%05d%05d", i/2, j/2) }
	for j := 0; j < n; j += 2 {
		for i := 0; i < n; i += 2 {
			ds.Grids = append(ds.Grids, geo.Grid{ID: police(i, j), Level: geo.PoliceLevel, StationID: "s1",
				Geometry: orb.MultiPolygon{{m.block(i, j, min(i+2, n), min(j+2, n))}}})
		}
	}
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			ds.Grids = append(ds.Grids, geo.Grid{
				ID: fmt.Sprintf("C%05d%05d", i, j), Level: geo.CommunityLevel, Name: fmt.Sprintf("cell %d,%d", i, j),
				StationID: "s1", ParentID: police(i, j),
				Geometry: orb.MultiPolygon{{m.block(i, j, i+1, j+1)}},
			})
		}
	}
	return ds
}

// mesh is a jittered n×n lattice of cells whose edges are bent and stored
// once, so every ring traced over it shares identical vertices with its
// neighbours.
type mesh struct {
	n      int
	corner []orb.Point
	hEdge  [][]orb.Point // (i,j)->(i+1,j): its interior points from the lower corner
	vEdge  [][]orb.Point // (i,j)->(i,j+1)
}

// newMesh jitters the interior corners and bends every interior edge;
// the outer sides stay straight.
func newMesh(n, bends int, cellDeg float64, seed uint64) *mesh {
	rng := rand.New(rand.NewPCG(seed, 7))
	origin := orb.Point{100, 20}
	m := &mesh{n: n, corner: make([]orb.Point, (n+1)*(n+1)), hEdge: make([][]orb.Point, n*(n+1)), vEdge: make([][]orb.Point, (n+1)*n)}
	for j := 0; j <= n; j++ {
		for i := 0; i <= n; i++ {
			p := orb.Point{origin[0] + float64(i)*cellDeg, origin[1] + float64(j)*cellDeg}
			if i > 0 && j > 0 && i < n && j < n {
				p[0] += (rng.Float64() - 0.5) * 0.4 * cellDeg
				p[1] += (rng.Float64() - 0.5) * 0.4 * cellDeg
			}
			m.corner[j*(n+1)+i] = p
		}
	}
	bend := func(a, b orb.Point, straight bool) []orb.Point {
		pts := make([]orb.Point, bends)
		for k := range bends {
			f := float64(k+1) / float64(bends+1)
			p := orb.Point{a[0] + (b[0]-a[0])*f, a[1] + (b[1]-a[1])*f}
			if !straight {
				off := (rng.Float64() - 0.5) * 0.15 * cellDeg
				p[0] += -(b[1] - a[1]) / cellDeg * off
				p[1] += (b[0] - a[0]) / cellDeg * off
			}
			pts[k] = p
		}
		return pts
	}
	for j := 0; j <= n; j++ {
		for i := 0; i < n; i++ {
			m.hEdge[j*n+i] = bend(m.corner[j*(n+1)+i], m.corner[j*(n+1)+i+1], j == 0 || j == n)
		}
	}
	for j := 0; j < n; j++ {
		for i := 0; i <= n; i++ {
			m.vEdge[j*(n+1)+i] = bend(m.corner[j*(n+1)+i], m.corner[(j+1)*(n+1)+i], i == 0 || i == n)
		}
	}
	return m
}

// block traces the counter-clockwise ring around cells [i0,i1)×[j0,j1).
func (m *mesh) block(i0, j0, i1, j1 int) orb.Ring {
	var r orb.Ring
	n := m.n
	c := func(i, j int) orb.Point { return m.corner[j*(n+1)+i] }
	for i := i0; i < i1; i++ { // bottom, west to east
		r = append(r, c(i, j0))
		r = append(r, m.hEdge[j0*n+i]...)
	}
	for j := j0; j < j1; j++ { // east side, south to north
		r = append(r, c(i1, j))
		r = append(r, m.vEdge[j*(n+1)+i1]...)
	}
	for i := i1; i > i0; i-- { // top, east to west
		r = append(r, c(i, j1))
		r = append(r, reversed(m.hEdge[j1*n+i-1])...)
	}
	for j := j1; j > j0; j-- { // west side, north to south
		r = append(r, c(i0, j))
		r = append(r, reversed(m.vEdge[(j-1)*(n+1)+i0])...)
	}
	return append(r, r[0])
}

func reversed(pts []orb.Point) []orb.Point {
	out := make([]orb.Point, len(pts))
	for k, p := range pts {
		out[len(pts)-1-k] = p
	}
	return out
}
