package geo

import (
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"
)

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

// LookupWithoutSubCells is Lookup with the cover as it was before its
// sub-cells: in a border cell every candidate is tested, in search order,
// then the outline rule runs over them all. The benchmarks keep it as the
// baseline of the sub-cells; its answers are Lookup's.
func (ix *Index) LookupWithoutSubCells(pt orb.Point) Hit {
	v, _, _ := ix.cover.cell(pt)
	if v == outsideRaster {
		return ix.LookupExact(pt)
	}
	found := v
	if v < noLeaf {
		block := ix.cover.block(v)
		var buf [64]int32 // on the stack: the baseline does not allocate
		cands := buf[:0]
		for k := 0; k+1 < len(block) && len(cands) < len(buf); k += 2 {
			cands = append(cands, block[k])
		}
		if len(cands) < len(block)/2 {
			return ix.LookupExact(pt)
		}
		found = ix.testLeaves(pt, cands)
	}
	if found < 0 {
		return Hit{}
	}
	return ix.hitOf(int(found))
}

// testLeaves returns the first of cands that holds pt by the half-open
// rule, else by the outline rule the one with the lowest id that has pt on
// an edge, else -1.
func (ix *Index) testLeaves(pt orb.Point, cands []int32) int32 {
	for _, gi := range cands {
		if ix.prepared[gi].Contains(pt) {
			return gi
		}
	}
	best := int32(-1)
	for _, gi := range cands {
		if (best < 0 || ix.ds.Grids[gi].ID < ix.ds.Grids[best].ID) && ix.prepared[gi].OnBoundary(pt) {
			best = gi
		}
	}
	return best
}

// NearRasterStats describes the raster that answers PlacesNear up to
// NearRadiusMeters: its cells, the entries of its lists, and the bytes it
// holds.
func (ix *Index) NearRasterStats() (cells, listed, bytes int) {
	r := &ix.overlays.placeRaster
	return r.nx * r.ny, len(r.items), r.bytes()
}

// NearRasterLines returns the longitudes and latitudes of the raster's
// cell borders, so tests can put places and points on them.
func (ix *Index) NearRasterLines() (xs, ys []float64) {
	r := &ix.overlays.placeRaster
	for x := 0; x <= r.nx; x++ {
		xs = append(xs, r.minX+float64(x)/r.sx)
	}
	for y := 0; y <= r.ny; y++ {
		ys = append(ys, r.minY+float64(y)/r.sy)
	}
	return xs, ys
}

// NearRadiusMeters is the widest radius the raster answers.
const NearRadiusMeters = nearRadiusMeters

// PlacesNearByRaster is the raster's answer alone, sorted as PlacesNear
// sorts; false when the raster cannot answer.
func (ix *Index) PlacesNearByRaster(pt orb.Point, radiusMeters float64, t time.Time) ([]PlaceNear, bool) {
	out, ok := ix.overlays.placeRaster.near(pt, radiusMeters, t, ix.ds.Places, nil)
	sortNear(out)
	return out, ok
}

// PlacesNearWithoutRaster is PlacesNear as it was before the raster: the
// place grid's cells in the circle's box, or the tree. It appends to dst
// as PlacesNear does.
func (ix *Index) PlacesNearWithoutRaster(pt orb.Point, radiusMeters float64, t time.Time, dst []PlaceNear) []PlaceNear {
	if !(radiusMeters >= 0) || !lonLat(pt) {
		return dst
	}
	start := len(dst)
	dst = ix.placesNearInGrid(pt, radiusMeters, t, dst)
	sortNear(dst[start:])
	return dst
}

// DistanceCos is the distance the raster measures with: DistanceMeters
// with the latitudes' cosines given (LatCos).
func DistanceCos(p1, p2 orb.Point, cos1, cos2 float64) float64 {
	return distanceCos(p1, p2, cos1, cos2)
}

// LatCos is the cosine of a latitude as DistanceMeters takes it.
func LatCos(lat float64) float64 { return latCos(lat) }

// CoverDiff describes the first difference between the covers of a and b:
// their raster, or a cell whose value or block differs; "" when the two
// answer alike from every cell. Blocks are compared entry by entry, not
// by where they lie in lists.
func CoverDiff(a, b *Index) string {
	ca, cb := &a.cover, &b.cover
	if ca.minX != cb.minX || ca.minY != cb.minY || ca.scaleX != cb.scaleX || ca.scaleY != cb.scaleY ||
		ca.nx != cb.nx || ca.ny != cb.ny || ca.margin != cb.margin || len(ca.cells) != len(cb.cells) {
		return fmt.Sprintf("rasters differ: %d×%d from (%v, %v) against %d×%d from (%v, %v)", ca.nx, ca.ny, ca.minX, ca.minY, cb.nx, cb.ny, cb.minX, cb.minY)
	}
	for k := range ca.cells {
		va, vb := ca.cells[k], cb.cells[k]
		if va > -2 || vb > -2 {
			if va != vb {
				return fmt.Sprintf("cell %d: %d against %d", k, va, vb)
			}
			continue
		}
		if ba, bb := ca.block(va), cb.block(vb); !slices.Equal(ba, bb) {
			return fmt.Sprintf("cell %d: block %v against %v", k, ba, bb)
		}
	}
	return ""
}

// CoverExtra returns how many words of blocks the index's derivations
// keep apart from the blocks it shares (cover.extra).
func CoverExtra(ix *Index) int { return len(ix.cover.extra) }

// NewIndexWithoutSmallCover is NewIndex with cellsPerLeaf cells per leaf
// whatever the dataset's size, as the cover was before small datasets got
// a finer raster; the benchmarks pair the two.
func NewIndexWithoutSmallCover(ds *Dataset) (*Index, error) {
	budget := smallCoverCells
	smallCoverCells = 0
	defer func() { smallCoverCells = budget }()
	return NewIndex(ds)
}

// LookupThroughCalls is Lookup as it was before the cell's arithmetic was
// inlined into it: the cell and the answer each found by a call. The
// benchmarks pair the two; the answers are the same.
func (ix *Index) LookupThroughCalls(pt orb.Point) Hit {
	found := ix.leafThroughCall(pt)
	if found < 0 {
		return Hit{}
	}
	return ix.hitOf(int(found))
}

//go:noinline
func (ix *Index) leafThroughCall(pt orb.Point) int32 {
	v, fx, fy := ix.cover.cellThroughCall(pt)
	switch {
	case v == outsideRaster:
		return ix.exactLeaf(pt)
	case v < noLeaf:
		return ix.borderLeaf(pt, ix.cover.block(v), subCell(fx, fy))
	}
	return v
}

//go:noinline
func (c *cover) cellThroughCall(pt orb.Point) (int32, float64, float64) { return c.cell(pt) }
