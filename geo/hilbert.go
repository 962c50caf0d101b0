package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// hilbertOrder returns grid positions sorted by the Hilbert curve index of
// their bound's centre. Inserting into the R-tree in this order keeps each
// node's entries close together, so nodes overlap less and a point search
// visits fewer of them.
func hilbertOrder(prepared []Prepared) []int {
	if len(prepared) == 0 {
		return nil
	}
	all := prepared[0].Bound()
	for i := range prepared {
		all = all.Union(prepared[i].Bound())
	}
	const side = 1 << 16
	keys := make([]uint64, len(prepared))
	order := make([]int, len(prepared))
	w, h := all.Max[0]-all.Min[0], all.Max[1]-all.Min[1]
	for i := range prepared {
		c := prepared[i].Bound().Center()
		x, y := scaled(c, all.Min, w, side), scaled(orb.Point{c[1], c[0]}, orb.Point{all.Min[1], all.Min[0]}, h, side)
		keys[i] = hilbertD(side, x, y)
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case keys[a] < keys[b]:
			return -1
		case keys[a] > keys[b]:
			return 1
		}
		return 0
	})
	return order
}

// scaled maps p[0] from [lo[0], lo[0]+extent] onto [0, side).
func scaled(p, lo orb.Point, extent float64, side uint32) uint32 {
	if extent <= 0 {
		return 0
	}
	v := (p[0] - lo[0]) / extent * float64(side-1)
	return uint32(max(0, min(v, float64(side-1))))
}

// hilbertD maps (x, y) in [0, n)² to its distance along the Hilbert curve.
func hilbertD(n, x, y uint32) uint64 {
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint32
		if x&s > 0 {
			rx = 1
		}
		if y&s > 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 {
			if rx == 1 {
				x, y = s-1-x, s-1-y
			}
			x, y = y, x
		}
	}
	return d
}
