package tileclip

import "github.com/paulmach/orb"

// clipRing clips a ring to box exactly as orb's clip.Ring does (the
// Sutherland–Hodgman pass against each edge in turn, with the same
// intersections and the same output; TestClipRingMatchesOrb compares
// them), but into two scratch buffers the caller keeps instead of new
// memory. The result aliases *b and is valid until the buffers are used
// again. It returns nil when nothing is left.
//
// Tiles clip with Polygon, which keeps rings valid where this joins the
// parts of a ring along the box edge; clipRing, through Ringwise, is its
// fallback for rings that cross themselves.
func clipRing(box orb.Bound, in orb.Ring, a, b *[]orb.Point) orb.Ring {
	if len(in) == 0 {
		return nil
	}
	initClosed := in[0] == in[len(in)-1]
	src := in
	bufs := [2]*[]orb.Point{a, b}
	pass := 0
	for edge := 1; edge <= 8; edge <<= 1 {
		dst := (*bufs[pass%2])[:0]
		prev := src[len(src)-1]
		if !initClosed {
			prev = src[0]
		}
		prevInside := outcode(box, prev)&edge == 0
		for _, p := range src {
			inside := outcode(box, p)&edge == 0
			if inside != prevInside {
				dst = append(dst, crossing(box, edge, prev, p))
			}
			if inside {
				dst = append(dst, p)
			}
			prev, prevInside = p, inside
		}
		*bufs[pass%2] = dst
		if len(dst) == 0 {
			return nil
		}
		src = dst
		pass++
	}
	if initClosed && src[0] != src[len(src)-1] {
		src = append(src, src[0])
		*b = src
	}
	return src
}

// outcode places p against box: 1 left, 2 right, 4 below, 8 above.
func outcode(b orb.Bound, p orb.Point) int {
	code := 0
	if p[0] < b.Min[0] {
		code |= 1
	} else if p[0] > b.Max[0] {
		code |= 2
	}
	if p[1] < b.Min[1] {
		code |= 4
	} else if p[1] > b.Max[1] {
		code |= 8
	}
	return code
}

// crossing is where segment ab crosses the line of one edge of box.
func crossing(box orb.Bound, edge int, a, b orb.Point) orb.Point {
	switch {
	case edge&8 != 0:
		return orb.Point{a[0] + (b[0]-a[0])*(box.Max[1]-a[1])/(b[1]-a[1]), box.Max[1]}
	case edge&4 != 0:
		return orb.Point{a[0] + (b[0]-a[0])*(box.Min[1]-a[1])/(b[1]-a[1]), box.Min[1]}
	case edge&2 != 0:
		return orb.Point{box.Max[0], a[1] + (b[1]-a[1])*(box.Max[0]-a[0])/(b[0]-a[0])}
	}
	return orb.Point{box.Min[0], a[1] + (b[1]-a[1])*(box.Min[0]-a[0])/(b[0]-a[0])}
}
