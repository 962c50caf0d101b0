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
