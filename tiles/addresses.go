package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Addresses lists the tiles of src's pyramid from minZoom to maxZoom,
// lowest zoom first and row by row: at each zoom every tile whose bound,
// widened by the tile buffer, meets the grids' bound and, unless limit is
// the zero Bound, the longitude/latitude box limit. These are the tiles
// Prerender renders over the same zooms. Zooms are clamped to 0..MaxZoom.
func (s *Source) Addresses(minZoom, maxZoom int, limit orb.Bound) []maptile.Tile {
	if !s.hasGrids {
		return nil
	}
	wb := s.worldBound
	if limit != (orb.Bound{}) {
		// World units run y down: the box's north edge is the smaller y.
		lb := orb.Bound{Min: maptile.Fraction(orb.Point{limit.Min[0], limit.Max[1]}, 0),
			Max: maptile.Fraction(orb.Point{limit.Max[0], limit.Min[1]}, 0)}
		if !wb.Intersects(lb) {
			return nil
		}
		wb = orb.Bound{Min: orb.Point{max(wb.Min[0], lb.Min[0]), max(wb.Min[1], lb.Min[1])},
			Max: orb.Point{min(wb.Max[0], lb.Max[0]), min(wb.Max[1], lb.Max[1])}}
	}
	var out []maptile.Tile
	for z := max(minZoom, 0); z <= min(maxZoom, MaxZoom); z++ {
		x0, y0, x1, y1 := s.tileRect(z, wb)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				out = append(out, maptile.New(uint32(x), uint32(y), maptile.Zoom(z)))
			}
		}
	}
	return out
}

// tileRect is the range of tiles at zoom z whose buffered bound meets the
// world bound wb.
func (s *Source) tileRect(z int, wb orb.Bound) (x0, y0, x1, y1 int) {
	n := math.Exp2(float64(z))
	pad := float64(s.opts.Buffer) / float64(s.opts.Extent)
	last := int(n) - 1
	return tileIndex(wb.Min[0]*n-pad, last), tileIndex(wb.Min[1]*n-pad, last),
		tileIndex(wb.Max[0]*n+pad, last), tileIndex(wb.Max[1]*n+pad, last)
}
