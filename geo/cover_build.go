package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// span is the columns lo..hi of one raster row that an edge comes near.
type span struct{ row, lo, hi int32 }

// coverEntry is one leaf's part in one of its border cells: the sub-cells
// its edges come near, and of the others those it holds.
type coverEntry struct {
	cell     int32
	near, in uint16
}

// buildCover rasterises the leaf grids' edges and fills the cells between
// them, its blocks in search order (searchOrder).
// Leaves with a coordinate that is not finite get no raster: their edges
// cannot be placed in cells, and the exact path answers for them.
func (ix *Index) buildCover() {
	if !ix.hasLeaves {
		return
	}
	order := ix.searchOrder()
	for _, gi := range order {
		for _, poly := range ix.ds.Grids[gi].Geometry {
			for _, ring := range poly {
				for _, p := range ring {
					if !finite(p[0]) || !finite(p[1]) {
						// A coordinate no dataset check let through: no
						// raster, every lookup takes the exact path.
						return
					}
				}
			}
		}
	}
	c := &ix.cover
	lb := ix.leafBound
	c.margin = coverMarginTolerances * onEdgeTolerance(
		max(math.Abs(lb.Min[0]), math.Abs(lb.Max[0])), max(math.Abs(lb.Min[1]), math.Abs(lb.Max[1])))
	// Every edge lies inside the raster with its margin, so the cells
	// along the outside are in no leaf.
	pad := 2 * c.margin
	c.minX, c.minY = lb.Min[0]-pad, lb.Min[1]-pad
	w, h := lb.Max[0]+pad-c.minX, lb.Max[1]+pad-c.minY
	c.nx, c.ny = coverShape(len(order), w, h)
	c.fnx, c.fny = float64(c.nx), float64(c.ny)
	c.scaleX, c.scaleY = c.fnx/w, c.fny/h
	c.cells = make([]int32, c.nx*c.ny)

	// Each leaf's border cells, counted per cell, and the runs of cells
	// it holds whole.
	// Room for a border cell of one leaf in half the cells and a run in
	// every row of every leaf's square of cells, so the slices do not
	// grow again and again.
	rowsPerLeaf := int(math.Sqrt(float64(len(c.cells))/float64(len(order)))) + 1
	b := coverBuilder{c: c, fine: c.fineRaster(),
		entries: make([]coverEntry, 0, len(c.cells)/2), runs: make([]span, 0, rowsPerLeaf*len(order))}
	entryAt := make([]int32, len(order)+1)
	runAt := make([]int32, len(order)+1)
	for k, gi := range order {
		b.leaf(ix.ds.Grids[gi].Geometry, &ix.prepared[gi])
		entryAt[k+1], runAt[k+1] = int32(len(b.entries)), int32(len(b.runs))
	}
	for _, e := range b.entries {
		c.cells[e.cell]++
	}
	total := 0
	for k, n := range c.cells {
		if n == 0 {
			c.cells[k] = noLeaf
			continue
		}
		c.cells[k] = int32(-total - 2)
		total += 1 + 2*int(n)
	}
	c.lists = make([]int32, total)
	// In search order, so every block comes out in it.
	for k, gi := range order {
		for _, e := range b.entries[entryAt[k]:entryAt[k+1]] {
			o := -c.cells[e.cell] - 2
			at := o + 1 + 2*c.lists[o]
			c.lists[at], c.lists[at+1] = gi, int32(uint32(e.near)<<16|uint32(e.in))
			c.lists[o]++
		}
	}
	// A leaf that holds a border cell of others wholly (grids overlap)
	// answers before the listed leaves that come after it in search order.
	whole := map[int]int32{}
	for k, gi := range order {
		for _, r := range b.runs[runAt[k]:runAt[k+1]] {
			row := int(r.row) * c.nx
			for col := r.lo; col <= r.hi; col++ {
				switch v := c.cells[row+int(col)]; {
				case v == noLeaf:
					c.cells[row+int(col)] = gi
				case v <= -2:
					if _, ok := whole[row+int(col)]; !ok {
						whole[row+int(col)] = gi
					}
				}
			}
		}
	}
	if len(whole) > 0 {
		ix.listWhole(whole)
	}
}

// listWhole gives every border cell that a leaf holds wholly a block of
// its own: the candidates before that leaf in search order, then the
// leaf, holding every sub-cell.
func (ix *Index) listWhole(whole map[int]int32) {
	c := &ix.cover
	var pairs []int32
	for cell, gi := range whole {
		pairs = pairs[:0]
		block := c.block(c.cells[cell])
		for k := 0; k+1 < len(block); k += 2 {
			if ix.searchRank(block[k]) < ix.searchRank(gi) {
				pairs = append(pairs, block[k], block[k+1])
			}
		}
		pairs = append(pairs, gi, 0xffff)
		o := c.newBlock(len(pairs) / 2)
		*c.word(o) = int32(len(pairs) / 2)
		for k, w := range pairs {
			*c.word(o + 1 + int32(k)) = w
		}
		c.cells[cell] = -o - 2
	}
}

// searchOrder returns the leaf positions in the order holder prefers
// them: the community grids, then the police grids without community
// grids, each by position in the dataset. The order depends on the
// dataset alone, not on the shape of the R-trees, so an index derived
// from another (WithGrids) lists its blocks as one built afresh.
func (ix *Index) searchOrder() []int32 {
	order := make([]int32, 0, ix.community.Len()+ix.police.Len())
	for pass := range 2 {
		for i := range ix.ds.Grids {
			if lvl := ix.leafTree(i); lvl == pass+1 {
				order = append(order, int32(i))
			}
		}
	}
	return order
}

// leafTree says which tree grid position i is in: 1 for the community
// tree, 2 for the police tree (a police grid without community grids), 0
// for neither.
func (ix *Index) leafTree(i int) int {
	switch {
	case ix.ds.Grids[i].Level == CommunityLevel:
		return 1
	case len(ix.children[i]) == 0:
		return 2
	}
	return 0
}

// searchRank orders leaf positions as searchOrder lists them.
func (ix *Index) searchRank(gi int32) int64 {
	return int64(ix.leafTree(int(gi)))<<32 | int64(gi)
}

// fineRaster is the raster subSide times as fine as c, over the same
// extent, whose cells are c's sub-cells.
func (c *cover) fineRaster() cover {
	f := *c
	f.nx, f.ny = c.nx*subSide, c.ny*subSide
	f.fnx, f.fny = float64(f.nx), float64(f.ny)
	f.scaleX, f.scaleY = c.scaleX*subSide, c.scaleY*subSide
	f.cells, f.lists = nil, nil
	return f
}

// edgeSpans appends, for every row the edge ab comes within the margin of,
// the columns it comes within the margin of there: the edge clipped to the
// row's strip widened by the margin, its x-range widened by the margin.
// The rounding of the clipping is far below the margin.
func (c *cover) edgeSpans(out []span, a, b orb.Point) []span {
	if a[1] > b[1] {
		a, b = b, a
	}
	m := c.margin
	r0, r1 := c.rowOf(a[1]-m), c.rowOf(b[1]+m)
	if r0 == r1 || a[0] == b[0] || a[1] == b[1] {
		// The same columns in every row.
		lo, hi := int32(c.colOf(min(a[0], b[0])-m)), int32(c.colOf(max(a[0], b[0])+m))
		for r := r0; r <= r1; r++ {
			out = appendSpan(out, span{int32(r), lo, hi})
		}
		return out
	}
	rowHeight := 1 / c.scaleY
	t := (b[0] - a[0]) / (b[1] - a[1])
	for r := r0; r <= r1; r++ {
		lo := min(max(a[1], c.minY+float64(r)*rowHeight-m), b[1])
		hi := max(min(b[1], c.minY+float64(r+1)*rowHeight+m), lo)
		xa, xb := a[0]+(lo-a[1])*t, a[0]+(hi-a[1])*t
		out = appendSpan(out, span{int32(r), int32(c.colOf(min(xa, xb) - m)), int32(c.colOf(max(xa, xb) + m))})
	}
	return out
}

// appendSpan appends s to out, merged with the last span if they touch in
// one row: consecutive edges mostly stay in one cell.
func appendSpan(out []span, s span) []span {
	if k := len(out) - 1; k >= 0 && out[k].row == s.row && s.lo <= out[k].hi+1 && s.hi+1 >= out[k].lo {
		out[k].lo, out[k].hi = min(out[k].lo, s.lo), max(out[k].hi, s.hi)
		return out
	}
	return append(out, s)
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return v-v == 0 }
