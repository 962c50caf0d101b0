package geo

import "github.com/paulmach/orb"

// LookupHalfOpen is Lookup without the outline rule: the lookup as it was
// before points on the union's outline got a grid. The benchmarks keep it
// as the baseline the outline rule must not slow down inside the grids.
func (ix *Index) LookupHalfOpen(pt orb.Point) Hit {
	if found := ix.holder(pt); found >= 0 {
		return ix.hitOf(int(found))
	}
	return Hit{}
}

// LookupExact is Lookup without the cell cover: the R-tree searches and the
// exact tests alone, as before the cover. The property tests compare the
// two, and the benchmarks keep it as the cover's baseline.
func (ix *Index) LookupExact(pt orb.Point) Hit {
	if found := ix.exactLeaf(pt); found >= 0 {
		return ix.hitOf(int(found))
	}
	return Hit{}
}

// CoverStats describes the cell cover: its cells, how many are border cells,
// and the bytes it holds.
func (ix *Index) CoverStats() (cells, border int, bytes int) {
	c := &ix.cover
	for _, v := range c.cells {
		if v <= -2 {
			border++
		}
	}
	return len(c.cells), border, 4 * (len(c.cells) + len(c.lists))
}

// NewIndexWithoutCover is NewIndex without the cell cover, as before it: the
// baseline of the cover's build time.
func NewIndexWithoutCover(ds *Dataset) (*Index, error) { return newIndex(ds, false) }
