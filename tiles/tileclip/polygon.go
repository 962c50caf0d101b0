package tileclip

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Polygon clips the rings of one polygon to box and appends the valid
// polygons left, in whole pixels, to mp.
//
// Sutherland–Hodgman (Ringwise, orb's clip.Ring) keeps a ring one ring:
// where it leaves the box and comes back on the same side, it joins the
// two visits along the box edge, and where it leaves again further on, the
// join runs back over that edge. The result traces the buffer line two
// and three times over — a ring crossing itself, which MVT 2.1 §4.3.4.4
// forbids and renderers fill unpredictably. This clipper cuts every ring
// of the polygon into the pieces inside the box instead and joins each
// piece's exit to the next entry along the box boundary, in the direction
// that keeps the polygon on the left (Weiler–Atherton on a convex window),
// so a part that clipping separates becomes a polygon of its own and a
// hole cut open by the box edge becomes part of its exterior.
//
// rings are closed, in tile pixels, the exterior with positive area and
// holes negative; rings whose bounds miss the box may be left out. ok is
// false when the pieces do not alternate along the boundary, which only
// rings that cross themselves inside the box can cause; the caller then
// falls back to clipping ring by ring (Ringwise).
func (c *Clipper) Polygon(mp orb.MultiPolygon, rings []orb.Ring, box orb.Bound) (_ orb.MultiPolygon, ok bool) {
	sc := c
	sc.pieces, sc.events = sc.pieces[:0], sc.events[:0]
	sc.kept, sc.keptArea, sc.touch = sc.kept[:0], sc.keptArea[:0], sc.touch[:0]
	outside := sc.outside[:0] // rings with nothing inside the box
	for i, ring := range rings {
		switch cutPieces(sc, int32(i), ring, box) {
		case ringInside:
			c.keep(ring, SignedArea(ring))
		case ringOutside:
			outside = append(outside, ring)
		}
	}
	sc.outside = outside
	w := newBoxWalk(box)
	if len(sc.pieces) == 0 {
		// No ring crosses the boundary: the box is wholly inside the
		// polygon or wholly outside it, apart from the rings inside it.
		if w.coveredBy(outside) {
			box := w.ring(c.Alloc(5))
			c.keep(box, SignedArea(box))
		}
	} else {
		for i, p := range sc.pieces {
			run := rings[p.ring]
			afterIn, beforeOut := p.out, p.in
			if p.runLen > 0 {
				n := int32(len(run) - 1)
				afterIn, beforeOut = run[p.runFrom], run[(p.runFrom+p.runLen-1)%n]
			}
			sc.events = append(sc.events,
				w.event(p.in, afterIn, int32(i), false),
				w.event(p.out, beforeOut, int32(i), true))
		}
		slices.SortFunc(sc.events, func(a, b clipEvent) int {
			switch {
			case a.s < b.s:
				return -1
			case a.s > b.s:
				return 1
			case a.angle > b.angle:
				return -1
			case a.angle < b.angle:
				return 1
			}
			return 0
		})
		n := len(sc.events)
		for i, e := range sc.events {
			if e.exit {
				if next := sc.events[(i+1)%n]; next.exit {
					return mp, false
				}
				sc.pieces[e.piece].exitAt = int32(i)
			}
		}
		for i := range sc.pieces {
			sc.pieces[i].used = false
		}
		for start := range sc.pieces {
			if sc.pieces[start].used {
				continue
			}
			size := 1
			for cur := start; !sc.pieces[cur].used; {
				p := &sc.pieces[cur]
				p.used = true
				size += int(p.runLen) + 6
				cur = int(sc.events[(int(p.exitAt)+1)%n].piece)
			}
			ring := c.Alloc(size)
			for cur := start; ; {
				p := &sc.pieces[cur]
				ring = append(ring, roundPoint(p.in))
				if run := rings[p.ring]; p.runLen > 0 {
					n := int32(len(run) - 1)
					if end := p.runFrom + p.runLen; end <= n {
						ring = append(ring, run[p.runFrom:end]...)
					} else {
						ring = append(append(ring, run[p.runFrom:n]...), run[:end-n]...)
					}
				}
				ring = append(ring, roundPoint(p.out))
				xi := int(p.exitAt)
				ei := (xi + 1) % n
				ring = w.appendCorners(ring, sc.events[xi].s, sc.events[ei].s, ei < xi)
				cur = int(sc.events[ei].piece)
				if cur == start {
					break
				}
			}
			c.splitPinches(append(ring, ring[0]), box)
		}
	}
	return c.assemble(mp), true
}

// ringPlace says where cutPieces found a ring.
type ringPlace int

const (
	ringCut     ringPlace = iota // crosses the boundary: cut into pieces
	ringInside                   // every vertex strictly inside: kept whole
	ringOutside                  // nothing strictly inside the box
)

// clipPiece is a part of a ring inside the box: from an entry on the
// boundary through runLen vertices of the ring strictly inside the box,
// from runFrom on (wrapping past its end), to an exit on the boundary.
type clipPiece struct {
	in, out         orb.Point // exactly where the ring crosses the boundary
	ring            int32
	runFrom, runLen int32
	exitAt          int32 // position of its exit among the sorted events
	used            bool
}

// clipEvent is a piece meeting the box boundary: its entry or its exit.
type clipEvent struct {
	s     float64 // position along the boundary, counter-clockwise from Min
	angle float64 // the piece's direction into the box against the boundary
	piece int32
	exit  bool
}

// cutPieces appends the pieces of ring inside the box to sc. A piece ends
// wherever the ring reaches the boundary, even at a vertex touching it
// from inside, so a ring that clipping pinches becomes two; parts running
// along the boundary belong to no piece, since the walk along the
// boundary draws them where the polygon lies inside.
func cutPieces(sc *Clipper, ringIdx int32, ring orb.Ring, box orb.Bound) ringPlace {
	n := len(ring) - 1
	k0 := -1
	for k := range n {
		if !strictlyInside(box, ring[k]) {
			k0 = k
			break
		}
	}
	if k0 < 0 {
		return ringInside
	}
	first := len(sc.pieces)
	var cur clipPiece
	aIn := false // ring[k0] is not strictly inside
	for j := range n {
		ia := k0 + j
		if ia >= n {
			ia -= n
		}
		ib := ia + 1
		if ib == n {
			ib = 0
		}
		bIn := strictlyInside(box, ring[ib])
		if aIn && bIn {
			cur.runLen++
			continue
		}
		pa, pb, ok := clipSegment(box, ring[ia], ring[ib])
		if !ok || sameBoundaryLine(box, pa, pb) {
			aIn = bIn
			continue
		}
		if !aIn {
			cur = clipPiece{ring: ringIdx, in: pa, runFrom: int32(ib)}
		}
		if bIn {
			cur.runLen++
		} else {
			cur.out = pb
			sc.pieces = append(sc.pieces, cur)
		}
		aIn = bIn
	}
	if len(sc.pieces) == first {
		return ringOutside
	}
	return ringCut
}

func strictlyInside(b orb.Bound, p orb.Point) bool {
	return p[0] > b.Min[0] && p[0] < b.Max[0] && p[1] > b.Min[1] && p[1] < b.Max[1]
}

// sameBoundaryLine reports whether a and b lie on one edge line of b.
func sameBoundaryLine(box orb.Bound, a, b orb.Point) bool {
	return (a[0] == b[0] && (a[0] == box.Min[0] || a[0] == box.Max[0])) ||
		(a[1] == b[1] && (a[1] == box.Min[1] || a[1] == box.Max[1]))
}

// clipSegment is the part of segment ab inside the closed box
// (Liang–Barsky); ok is false when that is empty or a single point. Ends
// that lie inside are returned exactly; ends cut by an edge lie exactly on
// it.
func clipSegment(box orb.Bound, a, b orb.Point) (pa, pb orb.Point, ok bool) {
	if strictlyInside(box, a) && strictlyInside(box, b) {
		return a, b, true
	}
	if outcode(box, a)&outcode(box, b) != 0 {
		return a, b, false
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	t0, t1 := 0.0, 1.0
	e0, e1 := -1, -1
	for e, pq := range [4][2]float64{{-dx, a[0] - box.Min[0]}, {dx, box.Max[0] - a[0]}, {-dy, a[1] - box.Min[1]}, {dy, box.Max[1] - a[1]}} {
		p, q := pq[0], pq[1]
		if p == 0 {
			if q < 0 {
				return a, b, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t0 {
				t0, e0 = t, e
			}
		} else if t < t1 {
			t1, e1 = t, e
		}
	}
	if t0 >= t1 {
		return a, b, false
	}
	pa, pb = a, b
	if e0 >= 0 {
		pa = onEdge(box, e0, orb.Point{a[0] + t0*dx, a[1] + t0*dy})
	}
	if e1 >= 0 {
		pb = onEdge(box, e1, orb.Point{a[0] + t1*dx, a[1] + t1*dy})
	}
	return pa, pb, pa != pb
}

// onEdge puts p exactly on edge e of box (0 min x, 1 max x, 2 min y,
// 3 max y), against rounding in the intersection, and inside its span.
func onEdge(box orb.Bound, e int, p orb.Point) orb.Point {
	switch e {
	case 0:
		p[0] = box.Min[0]
	case 1:
		p[0] = box.Max[0]
	case 2:
		p[1] = box.Min[1]
	case 3:
		p[1] = box.Max[1]
	}
	p[0] = min(max(p[0], box.Min[0]), box.Max[0])
	p[1] = min(max(p[1], box.Min[1]), box.Max[1])
	return p
}

// boxWalk measures positions along the boundary of a box, counter-
// clockwise (the direction of positive area) from its Min corner.
type boxWalk struct {
	box     orb.Bound
	corners [4]float64 // positions of Min, (Max x, Min y), Max, (Min x, Max y)
}

func newBoxWalk(b orb.Bound) boxWalk {
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	return boxWalk{box: b, corners: [4]float64{0, w, w + h, 2*w + h}}
}

func (w boxWalk) corner(i int) orb.Point {
	b := w.box
	return [4]orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}}[i]
}

// event places a piece's end p on the boundary; toward is the piece's next
// point from p (into the box). Ends at one point are ordered as if each
// lay on the boundary where its direction leaves it: the end closer to
// running backwards along the boundary comes first.
func (w boxWalk) event(p, toward orb.Point, piece int32, exit bool) clipEvent {
	b, c := w.box, w.corners
	var s float64
	var tx, ty float64 // the boundary's direction at p
	switch {
	case p[1] == b.Min[1] && p[0] < b.Max[0]:
		s, tx, ty = p[0]-b.Min[0], 1, 0
	case p[0] == b.Max[0] && p[1] < b.Max[1]:
		s, tx, ty = c[1]+p[1]-b.Min[1], 0, 1
	case p[1] == b.Max[1] && p[0] > b.Min[0]:
		s, tx, ty = c[2]+b.Max[0]-p[0], -1, 0
	default:
		s, tx, ty = c[3]+b.Max[1]-p[1], 0, -1
	}
	dx, dy := toward[0]-p[0], toward[1]-p[1]
	return clipEvent{s: s, angle: math.Atan2(tx*dy-ty*dx, tx*dx+ty*dy), piece: piece, exit: exit}
}

// appendCorners appends the box corners passed walking counter-clockwise
// from position from to position to; wrap says the walk passes the Min
// corner (the walk goes all the way round when from equals to).
func (w boxWalk) appendCorners(ring orb.Ring, from, to float64, wrap bool) orb.Ring {
	if !wrap {
		for i := 1; i < 4; i++ {
			if from < w.corners[i] && w.corners[i] < to {
				ring = append(ring, w.corner(i))
			}
		}
		return ring
	}
	for i := 1; i < 4; i++ {
		if w.corners[i] > from {
			ring = append(ring, w.corner(i))
		}
	}
	if from > 0 && to > 0 {
		ring = append(ring, w.corner(0))
	}
	for i := 1; i < 4; i++ {
		if w.corners[i] < to {
			ring = append(ring, w.corner(i))
		}
	}
	return ring
}

// ring writes the box as a closed ring of positive area into dst.
func (w boxWalk) ring(dst orb.Ring) orb.Ring {
	return append(dst, w.corner(0), w.corner(1), w.corner(2), w.corner(3), w.corner(0))
}

// coveredBy reports whether the box lies inside the rings (even-odd),
// given that none of them enters it.
func (w boxWalk) coveredBy(rings []orb.Ring) bool {
	for i := range 4 {
		p := w.corner(i)
		in, on := false, false
		for _, r := range rings {
			switch ringLocate(r, p) {
			case 0:
				on = true
			case 1:
				in = !in
			}
		}
		if !on {
			return in
		}
	}
	return false
}

// ringLocate places p against a closed ring: 1 inside, -1 outside, 0 on it.
func ringLocate(r orb.Ring, p orb.Point) int {
	for k := 0; k+1 < len(r); k++ {
		a, b := r[k], r[k+1]
		if (b[0]-a[0])*(p[1]-a[1]) == (b[1]-a[1])*(p[0]-a[0]) &&
			min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1]) {
			return 0
		}
	}
	if RingContains(r, p) {
		return 1
	}
	return -1
}

// splitPinches cleans a ring the walk built and splits it where it passes
// through one point twice (clipping pinched the polygon there, or rounding
// closed a gap under a pixel); the loops go to sc.kept. Only points on
// the boundary can repeat: every other point is a vertex of the input,
// which is simple.
//
// The point where a loop is split off stays a vertex of both loops, even
// where it lies on the box edge between its neighbours: two rings of a
// polygon may touch at a point, but only at a vertex of both.
func (c *Clipper) splitPinches(ring orb.Ring, box orb.Bound) {
	work := append(c.work[:0], ring)
	for len(work) > 0 {
		q := work[len(work)-1]
		work = work[:len(work)-1]
		var pin []int32
		q, pin = cleanClipped(q, box, c.touch, c.pinch[:0])
		if len(q) < 4 {
			continue
		}
		slices.SortFunc(pin, func(a, b int32) int {
			pa, pb := q[a], q[b]
			switch {
			case pa[0] != pb[0]:
				return cmpFloat(pa[0], pb[0])
			case pa[1] != pb[1]:
				return cmpFloat(pa[1], pb[1])
			}
			return int(a - b)
		})
		i, j := -1, -1
		for k := 0; k+1 < len(pin); k++ {
			if q[pin[k]] == q[pin[k+1]] {
				i, j = int(pin[k]), int(pin[k+1])
				break
			}
		}
		c.pinch = pin
		if i < 0 {
			if a := SignedArea(q); a != 0 {
				c.keep(q, a)
			}
			continue
		}
		c.touch = append(c.touch, q[i])
		loop := append(c.Alloc(j-i+1), q[i:j+1]...)
		q = append(q[:i+1], q[j+1:]...)
		work = append(work, q, loop)
	}
	c.work = work
}

// keep adds a finished ring and its signedArea to sc.kept.
func (c *Clipper) keep(ring orb.Ring, area float64) {
	c.kept = append(c.kept, ring)
	c.keptArea = append(c.keptArea, area)
}

// roundPoint rounds a point where a ring crosses the boundary to whole
// pixels; every other point already is.
func roundPoint(p orb.Point) orb.Point { return orb.Point{math.Round(p[0]), math.Round(p[1])} }

func cmpFloat(a, b float64) int {
	if a < b {
		return -1
	}
	return 1
}

// cleanClipped drops, in place, repeated points, spikes (a point where
// the ring turns straight back) and the middle of three points on one edge
// of the clip bound from a closed ring: those edges lie in the buffer,
// outside the tile proper, and carry nothing but bytes. Points in keep
// stay. It appends to pins the positions of the points left that are not
// strictly inside the clip bound, the closing point excepted.
func cleanClipped(ring orb.Ring, cb orb.Bound, keep []orb.Point, pins []int32) (orb.Ring, []int32) {
	drop := func(a, b, c orb.Point) bool {
		if (b[0]-a[0])*(c[1]-b[1]) != (b[1]-a[1])*(c[0]-b[0]) {
			return false
		}
		if (b[0]-a[0])*(c[0]-b[0])+(b[1]-a[1])*(c[1]-b[1]) < 0 {
			return true // a spike
		}
		return sameBoundaryLine(cb, a, b) && sameBoundaryLine(cb, b, c) && !slices.Contains(keep, b)
	}
	first := len(pins)
	out := ring[:0]
	for _, q := range ring {
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		for len(out) >= 2 && drop(out[len(out)-2], out[len(out)-1], q) {
			out = out[:len(out)-1]
			if len(pins) > first && pins[len(pins)-1] == int32(len(out)) {
				pins = pins[:len(pins)-1]
			}
		}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		if !strictlyInside(cb, q) {
			pins = append(pins, int32(len(out)))
		}
		out = append(out, q)
	}
	// The seam: the first point may be a spike or the middle of a run too.
	seam := false
	for len(out) >= 4 {
		if drop(out[len(out)-2], out[0], out[1]) {
			out = out[1:]
			out[len(out)-1] = out[0]
		} else if drop(out[len(out)-3], out[len(out)-2], out[0]) {
			out = append(out[:len(out)-2], out[0])
		} else {
			break
		}
		seam = true
	}
	if seam {
		pins = pins[:first]
		for k := 0; k+1 < len(out); k++ {
			if !strictlyInside(cb, out[k]) {
				pins = append(pins, int32(k))
			}
		}
	} else if len(pins) > first && pins[len(pins)-1] == int32(len(out)-1) {
		pins = pins[:len(pins)-1]
	}
	return out, pins
}

// assemble turns the rings in sc.kept into polygons: each ring of
// positive area is an exterior, each hole goes to the exterior holding it.
func (c *Clipper) assemble(mp orb.MultiPolygon) orb.MultiPolygon {
	first := len(mp)
	for k, q := range c.kept {
		if c.keptArea[k] > 0 {
			mp = append(mp, orb.Polygon{q})
		}
	}
	exts := mp[first:]
	if len(exts) == 0 {
		return mp
	}
	for k, q := range c.kept {
		if c.keptArea[k] >= 0 {
			continue
		}
		at := 0
		if len(exts) > 1 {
			at = holeOwner(exts, q)
		}
		if at >= 0 {
			exts[at] = append(exts[at], q)
		}
	}
	return mp
}

// holeOwner is the exterior holding hole q, or -1. A hole may touch its
// exterior at a point, so the first vertex of q on no exterior decides.
func holeOwner(exts []orb.Polygon, q orb.Ring) int {
	for _, p := range q[:len(q)-1] {
		on := false
		for i, e := range exts {
			switch ringLocate(e[0], p) {
			case 1:
				return i
			case 0:
				on = true
			}
		}
		if !on {
			return -1
		}
	}
	return -1
}
