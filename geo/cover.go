package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// cellsPerLeaf is how many raster cells the cover spends per leaf grid.
// More cells put more of the area in cells that answer at once, but a
// bigger raster falls out of the caches; docs/performance.md has the
// measurements it was chosen by.
const cellsPerLeaf = 64

// A small dataset, a county of hundreds of grids, gets up to
// smallCellsPerLeaf cells per leaf while its raster stays within
// smallCoverCells (512 KB, a core's L2 cache on the machines measured):
// fewer points then land in border cells, and the raster still answers
// from the cache.
const smallCellsPerLeaf = 256

// smallCoverCells is the raster budget of a small dataset (a variable so
// the benchmarks can build the cover without it, as it was before).
var smallCoverCells = 1 << 17

// maxCoverCells caps the raster of one index (4 bytes a cell).
const maxCoverCells = 1 << 24

// noLeaf is the value of a cell in no leaf grid. A cell value >= 0 is the
// position of the leaf grid holding the whole cell; a value <= -2 marks a
// border cell whose block starts at lists[-value-2].
const noLeaf = -1

// subSide is how many sub-cells a border cell is split into along each
// axis. Borders cross few of them, so a point in a border cell mostly
// still gets its answer from the cell's block without an exact test; the
// measurements it was chosen by are in docs/performance.md. The sub-cells
// of a cell are the bits of a uint16, bit subSide*row+col from the
// south-west, so subSide is 4.
const subSide = 4

// coverMarginTolerances is the margin of the cover in on-edge tolerances:
// an edge this close to a cell makes it a border cell. OnBoundary is false
// beyond about two tolerances and the crossing test errs by a few units in
// the last place, far less than one, so every leaf's answer is constant over
// a cell no edge of it comes this near.
const coverMarginTolerances = 8

// cover is a regular raster over the leaf grids' extent. A cell that no
// leaf's edge comes near lies wholly in one leaf, or in none, and holds the
// answer; a border cell has a block listing the leaves that may hold a
// point of it, each with the sub-cells (subSide×subSide to a cell) its
// edges come near and, of the others, those it holds. A lookup there
// mostly answers from the block too, and otherwise runs the exact test
// over the leaves whose edges come near its sub-cell, without the R-tree.
//
// The answers are those of the exact path (holder, then edgeOwner) by
// construction: a cell or sub-cell is a border one of a leaf when an edge
// of the leaf comes within the margin of a point that maps to it, so every
// other leaf's Contains is constant over it and its OnBoundary false. A
// border cell's candidates are in the order the R-tree search visits them
// (community grids first), so the first candidate holding a point is the
// one holder returns, even where grids overlap.
type cover struct {
	minX, minY     float64
	scaleX, scaleY float64 // cells per unit
	fnx, fny       float64 // nx and ny as floats, 0 for an empty cover
	nx, ny         int
	margin         float64
	cells          []int32 // row-major
	// lists holds each border cell's block: a count n, then n pairs of a
	// leaf position, in search order, and its sub-cells: those its edges
	// come near in the high 16 bits, those it holds of the others in the
	// low 16 bits.
	lists []int32
	// extra holds the blocks an index derived by WithGrids made: it
	// shares lists with the index it came from, so its new blocks go
	// here, at offsets from len(lists) on; derived says so. The blocks
	// of lists it no longer uses stay there until compact.
	extra   []int32
	derived bool
}

// colOf maps x to its column, clamped to the raster. It is monotone in x,
// which the rasterisation of edges relies on.
func (c *cover) colOf(x float64) int {
	f := (x - c.minX) * c.scaleX
	if !(f > 0) {
		return 0
	}
	if f >= c.fnx {
		return c.nx - 1
	}
	return int(f)
}

// rowOf maps y to its row, clamped to the raster; monotone in y.
func (c *cover) rowOf(y float64) int {
	f := (y - c.minY) * c.scaleY
	if !(f > 0) {
		return 0
	}
	if f >= c.fny {
		return c.ny - 1
	}
	return int(f)
}

// outsideRaster is what cell answers for a point outside the raster (NaN
// and infinite coordinates included). No cell value is this low: a border
// cell's value is minus its block's offset in lists, far shorter.
const outsideRaster = math.MinInt32

// cell returns the value of pt's cell and pt's position in cells, or
// outsideRaster. It maps x and y with the arithmetic of colOf and rowOf,
// and is small enough to be inlined: a lookup answered by a cell inside
// one grid takes no call.
func (c *cover) cell(pt orb.Point) (v int32, fx, fy float64) {
	fx = (pt[0] - c.minX) * c.scaleX
	fy = (pt[1] - c.minY) * c.scaleY
	if !(fx >= 0 && fy >= 0 && fx < c.fnx && fy < c.fny) {
		return outsideRaster, 0, 0
	}
	return c.cells[int(fy)*c.nx+int(fx)], fx, fy
}

// subCell is the number of the sub-cell at position fx, fy in cells
// (cell's), mapped with the arithmetic of a raster subSide times as fine:
// scaling by a power of two is exact, so a point's sub-cell lies in its
// cell.
func subCell(fx, fy float64) int {
	ix, iy := int(fx), int(fy)
	return (int(fy*subSide)-iy*subSide)*subSide + int(fx*subSide) - ix*subSide
}

// block returns the pairs of leaf and sub-cells of a border cell's block,
// v being the cell's value.
func (c *cover) block(v int32) []int32 {
	o := -v - 2
	if int(o) < len(c.lists) {
		return c.lists[o+1 : o+1+2*c.lists[o]]
	}
	o -= int32(len(c.lists))
	return c.extra[o+1 : o+1+2*c.extra[o]]
}

// newBlock stores a block of n pairs, zeroed, and returns its offset:
// in lists while building, in extra for a derived index.
func (c *cover) newBlock(n int) int32 {
	if c.derived {
		o := len(c.lists) + len(c.extra)
		c.extra = append(c.extra, make([]int32, 1+2*n)...)
		return int32(o)
	}
	o := len(c.lists)
	c.lists = append(c.lists, make([]int32, 1+2*n)...)
	return int32(o)
}

// word returns the word at offset o of lists and then extra.
func (c *cover) word(o int32) *int32 {
	if int(o) < len(c.lists) {
		return &c.lists[o]
	}
	return &c.extra[int(o)-len(c.lists)]
}

// coverShape sizes the raster for n leaves over the extent w×h: about
// cellsPerLeaf cells per leaf, more for a small dataset (smallCellsPerLeaf),
// square in the dataset's units.
func coverShape(n int, w, h float64) (nx, ny int) {
	cells := float64(min(max(n*cellsPerLeaf, min(n*smallCellsPerLeaf, smallCoverCells), 1), maxCoverCells))
	if !(w > 0) || !(h > 0) {
		return 1, 1
	}
	side := math.Sqrt(w * h / cells)
	nx = int(min(max(math.Ceil(w/side), 1), maxCoverCells))
	ny = int(min(max(math.Ceil(h/side), 1), float64(maxCoverCells/nx)))
	return nx, ny
}
