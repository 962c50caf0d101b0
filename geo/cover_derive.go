package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// recoverCells rasterises again the cells of the cover that the bound
// changed comes near (with the margin, and a cell more for the rounding
// of colOf and rowOf), from every leaf that comes near them, exactly as
// buildCover fills them: the same leaves in the same search order, the
// same border entries and runs. The cells must be ix's own; the blocks of
// the cells go to extra (newBlock).
func (ix *Index) recoverCells(changed orb.Bound) {
	c := &ix.cover
	m := c.margin
	c0, c1 := max(c.colOf(changed.Min[0]-m)-1, 0), min(c.colOf(changed.Max[0]+m)+1, c.nx-1)
	r0, r1 := max(c.rowOf(changed.Min[1]-m)-1, 0), min(c.rowOf(changed.Max[1]+m)+1, c.ny-1)
	w, h := c1-c0+1, r1-r0+1
	cellW, cellH := 1/c.scaleX, 1/c.scaleY
	area := orb.Bound{
		Min: orb.Point{c.minX + float64(c0)*cellW - m - cellW, c.minY + float64(r0)*cellH - m - cellH},
		Max: orb.Point{c.minX + float64(c1+1)*cellW + m + cellW, c.minY + float64(r1+1)*cellH + m + cellH},
	}
	var leaves []int32
	collect := func(_, _ [2]float64, gi int32) bool {
		leaves = append(leaves, gi)
		return true
	}
	ix.community.Search(area.Min, area.Max, collect)
	ix.police.Search(area.Min, area.Max, collect)
	slices.SortFunc(leaves, func(a, b int32) int {
		return int(min(max(ix.searchRank(a)-ix.searchRank(b), -1), 1))
	})

	// local maps a cell of the cover to its place in the rectangle, or -1.
	local := func(cell int32) int {
		row, col := int(cell)/c.nx, int(cell)%c.nx
		if row < r0 || row > r1 || col < c0 || col > c1 {
			return -1
		}
		return (row-r0)*w + col - c0
	}
	b := coverBuilder{c: c, fine: c.fineRaster()}
	entryAt := make([]int, len(leaves)+1)
	runAt := make([]int, len(leaves)+1)
	for k, gi := range leaves {
		b.leaf(ix.ds.Grids[gi].Geometry, &ix.prepared[gi])
		entryAt[k+1], runAt[k+1] = len(b.entries), len(b.runs)
	}
	counts := make([]int32, w*h)
	for _, e := range b.entries {
		if l := local(e.cell); l >= 0 {
			counts[l]++
		}
	}
	for lr := range h {
		for lc := range w {
			cell := (r0+lr)*c.nx + c0 + lc
			n := counts[lr*w+lc]
			if n == 0 {
				c.cells[cell] = noLeaf
				continue
			}
			c.cells[cell] = -c.newBlock(int(n)) - 2
		}
	}
	for k, gi := range leaves {
		for _, e := range b.entries[entryAt[k]:entryAt[k+1]] {
			if local(e.cell) < 0 {
				continue
			}
			o := -c.cells[e.cell] - 2
			count := c.word(o)
			at := o + 1 + 2**count
			*c.word(at), *c.word(at + 1) = gi, int32(uint32(e.near)<<16|uint32(e.in))
			(*count)++
		}
	}
	whole := map[int]int32{}
	for k, gi := range leaves {
		for _, r := range b.runs[runAt[k]:runAt[k+1]] {
			if int(r.row) < r0 || int(r.row) > r1 {
				continue
			}
			row := int(r.row) * c.nx
			for col := max(int(r.lo), c0); col <= min(int(r.hi), c1); col++ {
				switch v := c.cells[row+col]; {
				case v == noLeaf:
					c.cells[row+col] = gi
				case v <= -2:
					if _, ok := whole[row+col]; !ok {
						whole[row+col] = gi
					}
				}
			}
		}
	}
	if len(whole) > 0 {
		ix.listWhole(whole)
	}
}

// compact copies the blocks the cells refer to into new lists of the
// index's own, leaving the stale ones and extra behind.
func (c *cover) compact() {
	lists := make([]int32, 0, len(c.lists))
	for k, v := range c.cells {
		if v > -2 {
			continue
		}
		block := c.block(v)
		c.cells[k] = int32(-len(lists) - 2)
		lists = append(lists, int32(len(block)/2))
		lists = append(lists, block...)
	}
	c.lists, c.extra = lists, nil
}
