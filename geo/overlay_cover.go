package geo

import (
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// areaCover is a raster over the areas' extent that answers AreasAt
// without a tree search: each cell lists the areas that hold all of it,
// answered at once, and those with an edge whose bounding box reaches
// into it, in the order of their ids so an answer needs no sorting. A
// border cell is cut in 4×4 sub-cells: in a sub-cell an edge's box
// reaches, Prepared.Contains answers; any other lies wholly inside or
// wholly outside the area, so its centre decided when the cover was
// built, and so did the centre of a cell no edge reaches. The sub-cell of
// a point is found by the same arithmetic as the sub-cells an edge
// reaches, so a point on an edge is always in one that tests it exactly.
type areaCover struct {
	minX, minY, maxX, maxY float64
	sx, sy                 float64 // sub-cells per degree
	nx, ny                 int     // cells; a cell is 4×4 sub-cells
	start                  []int32 // cell c's entries are entries[start[c]:start[c+1]]
	entries                []areaEntry
}

// areaEntry is an area of a cell: its position << 2 with the flags
// coverTimed and coverWhole, and for a border cell the sub-cells an edge
// reaches (bits 0–15, bit 4·row+column) and of the others those inside
// the area (bits 16–31).
type areaEntry struct {
	area int32
	subs uint32
}

// The flags of an entry: the area has a period (Validity.In decides), the
// area holds the whole cell (no exact test).
const (
	coverWhole = 1
	coverTimed = 2
)

// maxAreaCells bounds the raster; cellsPerArea sizes it to the areas.
const (
	maxAreaCells = 1 << 18
	cellsPerArea = 256
)

func (c *areaCover) build(areas []Area, prep []Prepared) {
	*c = areaCover{}
	if !c.size(areas, prep) {
		return
	}
	rank := idRanks(areas)
	var pairs []coverPair
	for i := range areas {
		if len(areas[i].Geometry) == 0 {
			continue
		}
		pairs = c.areaCells(pairs, &areas[i], &prep[i], int32(i), rank[i])
	}
	slices.SortFunc(pairs, func(a, b coverPair) int {
		if a.cell != b.cell {
			return int(a.cell - b.cell)
		}
		return int(a.rank - b.rank)
	})
	c.start = make([]int32, c.nx*c.ny+1)
	c.entries = make([]areaEntry, len(pairs))
	for k, p := range pairs {
		c.start[p.cell+1]++
		c.entries[k] = p.entry
	}
	for k := 1; k < len(c.start); k++ {
		c.start[k] += c.start[k-1]
	}
}

// size lays the raster over the extent of the areas with a geometry;
// false when there is none, or it has no width or height.
func (c *areaCover) size(areas []Area, prep []Prepared) bool {
	var ext orb.Bound
	n := 0
	for i := range areas {
		if len(areas[i].Geometry) == 0 {
			continue
		}
		if b := prep[i].Bound(); n == 0 {
			ext = b
		} else {
			ext = ext.Union(b)
		}
		n++
	}
	w, h := ext.Max[0]-ext.Min[0], ext.Max[1]-ext.Min[1]
	if n == 0 || !(w > 0) || !(h > 0) {
		return false
	}
	cells := min(maxAreaCells, max(1024, cellsPerArea*n))
	c.nx = max(1, int(math.Sqrt(float64(cells)*w/h)))
	c.ny = max(1, cells/c.nx)
	c.minX, c.minY, c.maxX, c.maxY = ext.Min[0], ext.Min[1], ext.Max[0], ext.Max[1]
	c.sx, c.sy = float64(4*c.nx)/w, float64(4*c.ny)/h
	return true
}

// idRanks orders the areas by id, and by position among equal ids, as
// AreasAt answers them: rank[i] is area i's place in that order.
func idRanks(areas []Area) []int32 {
	byID := make([]int32, len(areas))
	for i := range byID {
		byID[i] = int32(i)
	}
	slices.SortStableFunc(byID, func(a, b int32) int { return strings.Compare(areas[a].ID, areas[b].ID) })
	rank := make([]int32, len(areas))
	for r, i := range byID {
		rank[i] = int32(r)
	}
	return rank
}

// coverPair is one area's entry in one cell, with the area's rank.
type coverPair struct {
	cell, rank int32
	entry      areaEntry
}

// areaCells appends the cells area a (at position pos, prepared as p)
// reaches: whole when no edge comes near the cell and its centre is
// inside, else with the masks of the sub-cells its edges reach and of
// the others it holds.
func (c *areaCover) areaCells(pairs []coverPair, a *Area, p *Prepared, pos, rank int32) []coverPair {
	entry := pos << 2
	if !a.ValidFrom.IsZero() || !a.ValidTo.IsZero() {
		entry |= coverTimed
	}
	x0, y0, x1, y1 := c.subRange(p.Bound())
	x0, y0, x1, y1 = x0&^3, y0&^3, x1|3, y1|3 // whole cells
	bw := x1 - x0 + 1
	border := c.edgeSubCells(a, x0, y0, bw, y1-y0+1)
	for y := y0; y <= y1; y += 4 {
		for x := x0; x <= x1; x += 4 {
			cell := int32(y/4*c.nx + x/4)
			var reach, inside uint32
			for k := range 16 {
				if border[(y+k/4-y0)*bw+x+k%4-x0] {
					reach |= 1 << k
				}
			}
			if reach == 0 {
				if p.Contains(c.center(x, y, 4)) {
					pairs = append(pairs, coverPair{cell, rank, areaEntry{entry | coverWhole, 0}})
				}
				continue
			}
			for k := range 16 {
				if reach&(1<<k) == 0 && p.Contains(c.center(x+k%4, y+k/4, 1)) {
					inside |= 1 << k
				}
			}
			pairs = append(pairs, coverPair{cell, rank, areaEntry{entry, reach | inside<<16}})
		}
	}
	return pairs
}

// edgeSubCells marks, in a bw×bh window of sub-cells from x0, y0, those
// the bounding box of one of a's edges reaches.
func (c *areaCover) edgeSubCells(a *Area, x0, y0, bw, bh int) []bool {
	border := make([]bool, bw*bh)
	for _, poly := range a.Geometry {
		for _, ring := range poly {
			for k := range ring {
				e := orb.Bound{Min: ring[k], Max: ring[k]}.Extend(ring[(k+1)%len(ring)])
				ex0, ey0, ex1, ey1 := c.subRange(e)
				for y := ey0; y <= ey1; y++ {
					for x := ex0; x <= ex1; x++ {
						border[(y-y0)*bw+x-x0] = true
					}
				}
			}
		}
	}
	return border
}

// index is the column or row of a coordinate, clamped to the raster.
func index(v, origin, scale float64, n int) int {
	f := (v - origin) * scale
	if !(f > 0) { // also NaN
		return 0
	}
	return min(int(f), n-1)
}

// subRange is the sub-cells b reaches, clamped to the raster.
func (c *areaCover) subRange(b orb.Bound) (x0, y0, x1, y1 int) {
	return index(b.Min[0], c.minX, c.sx, 4*c.nx), index(b.Min[1], c.minY, c.sy, 4*c.ny),
		index(b.Max[0], c.minX, c.sx, 4*c.nx), index(b.Max[1], c.minY, c.sy, 4*c.ny)
}

// center is the centre of the square of side sub-cells from sub-cell x, y.
func (c *areaCover) center(x, y, side int) orb.Point {
	h := float64(side) / 2
	return orb.Point{c.minX + (float64(x)+h)/c.sx, c.minY + (float64(y)+h)/c.sy}
}

// cell is the entries of the cell holding pt and the bit of pt's sub-cell,
// or nil for a point outside the raster (outside every area: a point on
// the extent's east or north edge is outside by the half-open rule).
func (c *areaCover) cell(pt orb.Point) ([]areaEntry, uint32) {
	if c.nx == 0 || !(pt[0] >= c.minX && pt[0] < c.maxX && pt[1] >= c.minY && pt[1] < c.maxY) {
		return nil, 0
	}
	x, y := index(pt[0], c.minX, c.sx, 4*c.nx), index(pt[1], c.minY, c.sy, 4*c.ny)
	k := y/4*c.nx + x/4
	return c.entries[c.start[k]:c.start[k+1]], 1 << (y%4*4 + x%4)
}

// placeGrid buckets the key places in cells of about a default radius, so
// PlacesNear reads the few cells its circle's box reaches instead of
// searching a tree.
type placeGrid struct {
	minX, minY float64
	sx, sy     float64 // cells per degree
	nx, ny     int
	start      []int32
	items      []int32 // place positions, by cell
}

// placeCellMeters is the side of a place cell; maxPlaceCells bounds the
// grid (a wider spread gets larger cells) and maxPlaceScan the cells one
// search reads before it falls back to the tree.
const (
	placeCellMeters = 500
	maxPlaceCells   = 1 << 20
	maxPlaceScan    = 64
)

func (g *placeGrid) build(places []Place) {
	*g = placeGrid{}
	if len(places) == 0 {
		return
	}
	var ext orb.Bound
	for i := range places {
		if i == 0 {
			ext = orb.Bound{Min: places[i].Location, Max: places[i].Location}
		} else {
			ext = ext.Extend(places[i].Location)
		}
	}
	if !lonLat(ext.Min) || !lonLat(ext.Max) {
		return // not degrees: the tree answers
	}
	cellLat := placeCellMeters / EarthRadiusMeters * 180 / math.Pi
	cos := math.Max(math.Cos(math.Max(math.Abs(ext.Min[1]), math.Abs(ext.Max[1]))*math.Pi/180), 0.05)
	cellLon := cellLat / cos
	w, h := ext.Max[0]-ext.Min[0], ext.Max[1]-ext.Min[1]
	for (w/cellLon+1)*(h/cellLat+1) > maxPlaceCells {
		cellLat, cellLon = 2*cellLat, 2*cellLon
	}
	g.minX, g.minY = ext.Min[0], ext.Min[1]
	g.sx, g.sy = 1/cellLon, 1/cellLat
	g.nx, g.ny = int(w*g.sx)+1, int(h*g.sy)+1
	g.start = make([]int32, g.nx*g.ny+1)
	cellOf := make([]int32, len(places))
	for i := range places {
		p := places[i].Location
		cellOf[i] = int32(index(p[1], g.minY, g.sy, g.ny)*g.nx + index(p[0], g.minX, g.sx, g.nx))
		g.start[cellOf[i]+1]++
	}
	for k := 1; k < len(g.start); k++ {
		g.start[k] += g.start[k-1]
	}
	g.items = make([]int32, len(places))
	fill := slices.Clone(g.start[:len(g.start)-1])
	for i, c := range cellOf {
		g.items[fill[c]] = int32(i)
		fill[c]++
	}
}

// search calls f with every place in the cells box reaches; false when
// the grid cannot answer (no grid, or too many cells) and the tree must.
func (g *placeGrid) search(lo, hi [2]float64, f func(i int32)) bool {
	if g.nx == 0 {
		return false
	}
	x0, x1 := index(lo[0], g.minX, g.sx, g.nx), index(hi[0], g.minX, g.sx, g.nx)
	y0, y1 := index(lo[1], g.minY, g.sy, g.ny), index(hi[1], g.minY, g.sy, g.ny)
	if (x1-x0+1)*(y1-y0+1) > maxPlaceScan {
		return false
	}
	for y := y0; y <= y1; y++ {
		row := y * g.nx
		for _, i := range g.items[g.start[row+x0]:g.start[row+x1+1]] {
			f(i)
		}
	}
	return true
}
