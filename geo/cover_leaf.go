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
	// The rest are one leaf's, reused: its edges' spans in the fine
	// raster, the rectangle of cells they cover (from column c0, row r0,
	// w by h), and by cell of the rectangle the sub-cells its edges come
	// near, of the others those it holds, and those not decided yet.
	spans             []span
	c0, r0            int32
	w, h              int
	near, in, unknown []uint16
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
// as p, to the builder's entries and runs.
func (b *coverBuilder) leaf(mp orb.MultiPolygon, p *Prepared) {
	if !b.rasterise(mp) {
		return
	}
	b.decide(p)
	b.emit()
}

// rasterise sets near to the sub-cells the edges of mp come near, over the
// rectangle of cells they cover, and reports whether there is any.
func (b *coverBuilder) rasterise(mp orb.MultiPolygon) bool {
	f := &b.fine
	m := f.margin
	b.spans = b.spans[:0]
	for _, poly := range mp {
		for _, ring := range poly {
			n := len(ring)
			if n < 2 {
				continue
			}
			// Most edges of a detailed ring start and end in one
			// sub-cell, well inside it: that sub-cell is all they come
			// near, as it is convex.
			cellOf := func(p orb.Point) (col, row int32, ok bool) {
				col, row = int32(f.colOf(p[0]-m)), int32(f.rowOf(p[1]-m))
				return col, row, col == int32(f.colOf(p[0]+m)) && row == int32(f.rowOf(p[1]+m))
			}
			pc, pr, pok := cellOf(ring[n-1])
			for i := range n {
				col, row, ok := cellOf(ring[i])
				if ok && pok && col == pc && row == pr {
					b.spans = appendSpan(b.spans, span{row, col, col})
				} else {
					b.spans = f.edgeSpans(b.spans, ring[(i+n-1)%n], ring[i])
				}
				pc, pr, pok = col, row, ok
			}
		}
	}
	if len(b.spans) == 0 {
		return false
	}
	// The rectangle of cells the spans cover.
	r0, r1, c0, c1 := b.spans[0].row, b.spans[0].row, b.spans[0].lo, b.spans[0].hi
	for _, s := range b.spans[1:] {
		r0, r1, c0, c1 = min(r0, s.row), max(r1, s.row), min(c0, s.lo), max(c1, s.hi)
	}
	b.r0, b.c0 = r0/subSide, c0/subSide
	b.w, b.h = int(c1/subSide-b.c0+1), int(r1/subSide-b.r0+1)
	b.near = resetUint16(b.near, b.w*b.h)
	b.in = resetUint16(b.in, b.w*b.h)
	b.unknown = resetUint16(b.unknown, b.w*b.h)
	near := b.near
	for _, s := range b.spans {
		row := (int(s.row/subSide-b.r0))*b.w - int(b.c0)
		shift := subSide * (s.row % subSide)
		for col := s.lo; col <= s.hi; col++ {
			near[row+int(col/subSide)] |= 1 << (shift + col%subSide)
		}
	}
	return true
}

// decide sets in to the sub-cells the leaf p holds of those its edges do
// not come near. That is carried from the sub-cells next to one, which no
// edge separates from it: first from the west and south, cell by cell,
// then from the east and north for what is left; beyond the rectangle
// there is nothing of the leaf, which starts the carrying. Only what is
// still left costs an exact test.
func (b *coverBuilder) decide(p *Prepared) {
	w, h := b.w, b.h
	// Locals, so the loops need not reload them after every store.
	nearOf, inOf, unknownOf := b.near[:w*h], b.in[:w*h], b.unknown[:w*h]
	left := false
	for lr := range h {
		for lc := range w {
			k := lr*w + lc
			free := ^nearOf[k]
			var in, out uint16
			if lc > 0 {
				wFree := (^nearOf[k-1] &^ unknownOf[k-1] & subEastCol) >> (subSide - 1)
				wIn := (inOf[k-1] & subEastCol) >> (subSide - 1)
				in, out = in|wFree&wIn, out|wFree&^wIn
			} else {
				out |= subWestCol
			}
			if lr > 0 {
				sFree := (^nearOf[k-w] &^ unknownOf[k-w] & subNorthRow) >> (subSide * (subSide - 1))
				sIn := (inOf[k-w] & subNorthRow) >> (subSide * (subSide - 1))
				in, out = in|sFree&sIn, out|sFree&^sIn
			} else {
				out |= subSouthRow
			}
			in, out = spread(free, in&free, out&free)
			inOf[k], unknownOf[k] = in, free&^(in|out)
			left = left || unknownOf[k] != 0
		}
	}
	for lr := h - 1; left && lr >= 0; lr-- {
		for lc := w - 1; lc >= 0; lc-- {
			k := lr*w + lc
			rest := unknownOf[k]
			if rest == 0 {
				continue
			}
			free := ^nearOf[k]
			in, out := inOf[k], free&^inOf[k]&^rest
			if lc < w-1 {
				eFree := (^nearOf[k+1] &^ unknownOf[k+1] & subWestCol) << (subSide - 1)
				eIn := (inOf[k+1] & subWestCol) << (subSide - 1)
				in, out = in|eFree&eIn, out|eFree&^eIn
			} else {
				out |= subEastCol
			}
			if lr < h-1 {
				nFree := (^nearOf[k+w] &^ unknownOf[k+w] & subSouthRow) << (subSide * (subSide - 1))
				nIn := (inOf[k+w] & subSouthRow) << (subSide * (subSide - 1))
				in, out = in|nFree&nIn, out|nFree&^nIn
			} else {
				out |= subNorthRow
			}
			in, out = spread(free, in&free, out&free)
			for rest = free &^ (in | out); rest != 0; rest &^= in | out {
				s := bits.TrailingZeros16(rest)
				comp := flood16(1<<s, free)
				if p.Contains(b.subCentre(int(b.c0)+lc, int(b.r0)+lr, s)) {
					in |= comp
				} else {
					out |= comp
				}
			}
			inOf[k], unknownOf[k] = in, 0
		}
	}
}

// spread grows the sub-cells known to be in and out of the leaf across
// the free ones, those its edges do not come near.
func spread(free, in, out uint16) (uint16, uint16) {
	switch {
	case free != 0xffff:
		return flood16(in, free), flood16(out, free)
	case in != 0: // no edge in the cell: all or nothing
		return free, 0
	case out != 0:
		return 0, free
	}
	return 0, 0
}

// emit appends the leaf's border cells to entries and the runs of cells it
// holds whole to runs.
func (b *coverBuilder) emit() {
	c := b.c
	nearOf, inOf := b.near, b.in
	for lr := range b.h {
		runFrom := -1
		row := b.r0 + int32(lr)
		for lc := range b.w {
			k := lr*b.w + lc
			near, in := nearOf[k], inOf[k]
			if near != 0 {
				cell := int(row)*c.nx + int(b.c0) + lc
				b.entries = append(b.entries, coverEntry{int32(cell), near, in})
			}
			switch whole := near == 0 && in != 0; {
			case whole && runFrom < 0:
				runFrom = lc
			case !whole && runFrom >= 0:
				b.runs = append(b.runs, span{row, b.c0 + int32(runFrom), b.c0 + int32(lc-1)})
				runFrom = -1
			}
		}
		if runFrom >= 0 {
			b.runs = append(b.runs, span{row, b.c0 + int32(runFrom), b.c0 + int32(b.w-1)})
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
