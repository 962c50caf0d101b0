package geo

import (
	"math/bits"

	"github.com/paulmach/orb"
)

// coverBuilder rasterises the leaves one at a time: the border cells of
// each, with the sub-cells its edges come near and those it holds, and the
// runs of cells it holds whole.
type coverBuilder struct {
	c    *cover
	fine cover // c's sub-cells as a raster, to rasterise edges in
	// entries and runs are every leaf's so far, in search order.
	entries []coverEntry
	runs    []span
	// spans, near and in are one leaf's, reused: its edges' spans in the
	// fine raster, and by cell of its rectangle the sub-cells its edges
	// come near and, of the others, those it holds.
	spans    []span
	near, in []uint16
}

// The sub-cells of one cell as the bits of a uint16, bit subSide*row+col;
// the masks below are written for subSide 4.
const (
	subWestCol  = 0x1111
	subEastCol  = 0x8888
	subSouthRow = 0x000f
	subNorthRow = 0xf000
)

// leaf adds the border cells and the whole cells of the leaf mp, prepared
// as p. Whether the leaf holds a sub-cell its edges do not come near is
// carried from the sub-cells next to it to the west and south, which are
// decided first, as far as such sub-cells touch, since no edge separates
// them; only the rest cost an exact test. Beyond its edges' rectangle there
// is nothing of the leaf, which starts the carrying.
func (b *coverBuilder) leaf(mp orb.MultiPolygon, p *Prepared) {
	c := b.c
	b.spans = b.spans[:0]
	for _, poly := range mp {
		for _, ring := range poly {
			n := len(ring)
			for i := 0; i < n && n >= 2; i++ {
				b.spans = b.fine.edgeSpans(b.spans, ring[i], ring[(i+1)%n])
			}
		}
	}
	if len(b.spans) == 0 {
		return
	}
	// The rectangle of cells the spans cover.
	r0, r1, c0, c1 := b.spans[0].row, b.spans[0].row, b.spans[0].lo, b.spans[0].hi
	for _, s := range b.spans[1:] {
		r0, r1, c0, c1 = min(r0, s.row), max(r1, s.row), min(c0, s.lo), max(c1, s.hi)
	}
	r0, r1, c0, c1 = r0/subSide, r1/subSide, c0/subSide, c1/subSide
	w, h := int(c1-c0+1), int(r1-r0+1)
	b.near = resetUint16(b.near, w*h)
	b.in = resetUint16(b.in, w*h)
	for _, s := range b.spans {
		row := (int(s.row/subSide-r0))*w - int(c0)
		shift := subSide * (s.row % subSide)
		for col := s.lo; col <= s.hi; col++ {
			b.near[row+int(col/subSide)] |= 1 << (shift + col%subSide)
		}
	}
	for lr := range h {
		runFrom := -1
		for lc := range w {
			k := lr*w + lc
			near := b.near[k]
			free := ^near
			var in, out uint16
			if lc > 0 { // else nothing of the leaf to the west
				wFree := (^b.near[k-1] & subEastCol) >> (subSide - 1)
				wIn := (b.in[k-1] & subEastCol) >> (subSide - 1)
				in, out = in|wFree&wIn, out|wFree&^wIn
			} else {
				out |= subWestCol
			}
			if lr > 0 {
				sFree := (^b.near[k-w] & subNorthRow) >> (subSide * (subSide - 1))
				sIn := (b.in[k-w] & subNorthRow) >> (subSide * (subSide - 1))
				in, out = in|sFree&sIn, out|sFree&^sIn
			} else {
				out |= subSouthRow
			}
			switch {
			case near != 0:
				in, out = flood16(in, free), flood16(out, free)
			case in != 0: // no edge in the cell: all or nothing
				in = free
			case out != 0:
				out = free
			}
			for rest := free &^ (in | out); rest != 0; rest &^= in | out {
				s := bits.TrailingZeros16(rest)
				comp := flood16(1<<s, free)
				if p.Contains(b.subCentre(int(c0)+lc, int(r0)+lr, s)) {
					in |= comp
				} else {
					out |= comp
				}
			}
			b.in[k] = in
			cell := (int(r0)+lr)*c.nx + int(c0) + lc
			if near != 0 {
				b.entries = append(b.entries, coverEntry{int32(cell), near, in})
				c.cells[cell]++
			}
			// Runs of cells the leaf holds whole.
			switch whole := near == 0 && in != 0; {
			case whole && runFrom < 0:
				runFrom = lc
			case !whole && runFrom >= 0:
				b.runs = append(b.runs, span{r0 + int32(lr), c0 + int32(runFrom), c0 + int32(lc-1)})
				runFrom = -1
			}
		}
		if runFrom >= 0 {
			b.runs = append(b.runs, span{r0 + int32(lr), c0 + int32(runFrom), c1})
		}
	}
}

// subCentre is the centre of sub-cell s of the cell at column col, row row.
func (b *coverBuilder) subCentre(col, row, s int) orb.Point {
	f := &b.fine
	return orb.Point{
		f.minX + (float64(col*subSide+s%subSide)+0.5)/f.scaleX,
		f.minY + (float64(row*subSide+s/subSide)+0.5)/f.scaleY,
	}
}

// flood16 grows seed across free to every sub-cell joined to it by
// sub-cells of free sharing a side.
func flood16(seed, free uint16) uint16 {
	seed &= free
	for {
		next := (seed | seed<<1&^subWestCol | seed>>1&^subEastCol | seed<<subSide | seed>>subSide) & free
		if next == seed {
			return seed
		}
		seed = next
	}
}

// resetUint16 returns s resized to n zeros, reusing its array if it can.
func resetUint16(s []uint16, n int) []uint16 {
	if cap(s) < n {
		return make([]uint16, n)
	}
	s = s[:n]
	clear(s)
	return s
}
