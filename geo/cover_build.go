package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// span is the columns lo..hi of one raster row that an edge comes near.
type span struct{ row, lo, hi int32 }

// buildCover rasterises the leaf grids' edges and fills the cells between
// them. It runs after the R-trees are built, whose visiting order it keeps.
// Leaves with a coordinate that is not finite get no raster: their edges
// cannot be placed in cells, and the exact path answers for them.
func (ix *Index) buildCover() {
	if !ix.hasLeaves {
		return
	}
	order := ix.searchOrder()
	vertices := 0
	for _, gi := range order {
		for _, poly := range ix.ds.Grids[gi].Geometry {
			for _, ring := range poly {
				vertices += len(ring)
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

	// Each leaf's border cells as merged spans, counted per cell.
	spanAt := make([]int32, len(order)+1)
	// Most edges stay in one cell and merge with the one before; two spans
	// per vertex are room enough not to grow the slice again and again.
	spans := make([]span, 0, 2*vertices)
	var buf []span
	for k, gi := range order {
		buf = c.leafSpans(buf[:0], ix.ds.Grids[gi].Geometry)
		spans = append(spans, buf...)
		spanAt[k+1] = int32(len(spans))
		for _, s := range buf {
			row := c.cells[int(s.row)*c.nx:]
			for col := s.lo; col <= s.hi; col++ {
				row[col]++
			}
		}
	}
	total := 0
	for k, n := range c.cells {
		if n == 0 {
			c.cells[k] = noLeaf
			continue
		}
		c.cells[k] = int32(-total - 2)
		total += int(n) + 1
	}
	c.lists = make([]int32, total)
	// In search order, so every list comes out in it.
	for k, gi := range order {
		for _, s := range spans[spanAt[k]:spanAt[k+1]] {
			row := c.cells[int(s.row)*c.nx:]
			for col := s.lo; col <= s.hi; col++ {
				o := -row[col] - 2
				c.lists[o+1+c.lists[o]] = gi
				c.lists[o]++
			}
		}
	}
	c.shareLists()
	// A leaf that holds a border cell of others wholly (grids overlap)
	// answers before the listed leaves that come after it in search order.
	whole := map[int]int32{}
	for k, gi := range order {
		c.fillInside(gi, spans[spanAt[k]:spanAt[k+1]], &ix.prepared[gi], whole)
	}
	if len(whole) > 0 {
		rank := make(map[int32]int, len(order))
		for k, gi := range order {
			rank[gi] = k
		}
		for cell, gi := range whole {
			o := int32(len(c.lists))
			c.lists = append(c.lists, 0)
			for _, cand := range c.candidates(c.cells[cell]) {
				if rank[cand] < rank[gi] {
					c.lists = append(c.lists, cand)
				}
			}
			c.lists = append(c.lists, gi)
			c.lists[o] = int32(len(c.lists)) - o - 1
			c.cells[cell] = -o - 2
		}
	}
}

// searchOrder returns the leaf positions in the order holder visits them:
// the community tree's, then the police tree's.
func (ix *Index) searchOrder() []int32 {
	order := make([]int32, 0, ix.community.Len()+ix.police.Len())
	visit := func(_, _ [2]float64, gi int32) bool {
		order = append(order, gi)
		return true
	}
	ix.community.Scan(visit)
	ix.police.Scan(visit)
	return order
}

// leafSpans appends the merged spans of the cells the edges of mp come
// within the margin of, sorted by row and column.
func (c *cover) leafSpans(out []span, mp orb.MultiPolygon) []span {
	for _, poly := range mp {
		for _, ring := range poly {
			n := len(ring)
			for i := 0; i < n && n >= 2; i++ {
				out = c.edgeSpans(out, ring[i], ring[(i+1)%n])
			}
		}
	}
	slices.SortFunc(out, func(a, b span) int {
		if a.row != b.row {
			return int(a.row - b.row)
		}
		return int(a.lo - b.lo)
	})
	merged := out[:0]
	for _, s := range out {
		if k := len(merged) - 1; k >= 0 && merged[k].row == s.row && s.lo <= merged[k].hi+1 {
			merged[k].hi = max(merged[k].hi, s.hi)
			continue
		}
		merged = append(merged, s)
	}
	return merged
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
	for r := c.rowOf(a[1] - m); r <= c.rowOf(b[1]+m); r++ {
		lo := min(max(a[1], c.minY+float64(r)/c.scaleY-m), b[1])
		hi := max(min(b[1], c.minY+float64(r+1)/c.scaleY+m), lo)
		xa, xb := a[0], b[0]
		if dy := b[1] - a[1]; dy > 0 {
			t := (b[0] - a[0]) / dy
			xa, xb = a[0]+(lo-a[1])*t, a[0]+(hi-a[1])*t
		}
		s := span{int32(r), int32(c.colOf(min(xa, xb) - m)), int32(c.colOf(max(xa, xb) + m))}
		// Consecutive edges mostly stay in one cell: merge before sorting.
		if k := len(out) - 1; k >= 0 && out[k].row == s.row && s.lo <= out[k].hi+1 && s.hi+1 >= out[k].lo {
			out[k].lo, out[k].hi = min(out[k].lo, s.lo), max(out[k].hi, s.hi)
			continue
		}
		out = append(out, s)
	}
	return out
}

// fillInside gives leaf gi every cell of no leaf yet that it holds wholly:
// along each row of its bound, the runs of cells between its border spans,
// each decided by one exact test, since no edge of gi comes near a run.
// A border cell of other leaves it holds wholly is noted in whole.
func (c *cover) fillInside(gi int32, spans []span, p *Prepared, whole map[int]int32) {
	b := p.Bound()
	c0, c1 := int32(c.colOf(b.Min[0])), int32(c.colOf(b.Max[0]))
	next := 0
	for r := int32(c.rowOf(b.Min[1])); r <= int32(c.rowOf(b.Max[1])); r++ {
		for next < len(spans) && spans[next].row < r {
			next++
		}
		pos := c0
		for ; next < len(spans) && spans[next].row == r; next++ {
			s := spans[next]
			if s.lo > pos {
				c.fillRun(gi, r, pos, min(s.lo-1, c1), p, whole)
			}
			pos = max(pos, s.hi+1)
		}
		if pos <= c1 {
			c.fillRun(gi, r, pos, c1, p, whole)
		}
	}
}

// fillRun gives cells lo..hi of row r to gi if gi holds the first one's
// centre: none of gi's edges comes near the run, so gi holds all of it or
// none of it.
func (c *cover) fillRun(gi, r, lo, hi int32, p *Prepared, whole map[int]int32) {
	if lo > hi {
		return
	}
	centre := orb.Point{c.minX + (float64(lo)+0.5)/c.scaleX, c.minY + (float64(r)+0.5)/c.scaleY}
	if !p.Contains(centre) {
		return
	}
	row := int(r) * c.nx
	for col := lo; col <= hi; col++ {
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

// shareLists stores each distinct candidate list once where neighbouring
// cells repeat it, as cells along one border do: a border cell takes the
// list of the border cell before it in its row or above it when they are
// equal. Lists are laid out in row-major order, so they compact in place.
func (c *cover) shareLists() {
	w := int32(0)
	prev := int32(0) // the last border cell's value in this row, 0 for none
	for k, v := range c.cells {
		if k%c.nx == 0 {
			prev = 0
		}
		if v > -2 {
			prev = 0
			continue
		}
		list := c.lists[-v-2 : -v-2+1+c.lists[-v-2]]
		switch {
		case prev != 0 && slices.Equal(list, c.lists[-prev-2:-prev-2+1+c.lists[-prev-2]]):
			c.cells[k] = prev
		case k >= c.nx && c.cells[k-c.nx] <= -2 && slices.Equal(list, c.lists[-c.cells[k-c.nx]-2:-c.cells[k-c.nx]-2+1+c.lists[-c.cells[k-c.nx]-2]]):
			c.cells[k] = c.cells[k-c.nx]
		default:
			copy(c.lists[w:], list)
			c.cells[k] = -w - 2
			w += int32(len(list))
		}
		prev = c.cells[k]
	}
	c.lists = slices.Clone(c.lists[:w]) // lets the longer arena go
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return v-v == 0 }
