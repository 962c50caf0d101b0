package tiles

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"jingge/tiles/tileclip"
)

// Info describes the layer.
func (l *indexLayer) Info() LayerInfo { return l.info }

// each calls fn with every feature of the layer in tile t and its
// geometry in tile pixels, in layer order. With an arena, the geometry is
// only valid until fn returns (see tileclip.Clipper.Alloc).
func (l *indexLayer) each(t maptile.Tile, sc *scratch, fn func(f *feature, g orb.Geometry)) {
	z := int(t.Z)
	if z < l.info.MinZoom || z > l.info.MaxZoom || z > MaxZoom {
		return
	}
	s := l.src
	f := Frame{Tile: t, Extent: s.opts.Extent, Buffer: s.opts.Buffer}
	wb := f.worldBound(1)
	var buf [64]int32
	hits := buf[:0]
	l.tree.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
		hits = append(hits, i)
		return true
	})
	if len(hits) == 0 {
		return
	}
	slices.Sort(hits)
	r := renderer{za: s.zoom(z), clipB: f.ClipBound(), ox: float64(t.X) * float64(f.Extent), oy: float64(t.Y) * float64(f.Extent), sc: sc}
	if sc == nil {
		r.sc = &scratch{}
	}
	for _, i := range hits {
		feat := &l.features[i]
		if feat.isPoint() {
			if p := f.worldPixel(feat.point); f.Contains(p) {
				fn(feat, p)
			}
		} else if g := r.shape(feat.shape); g != nil {
			fn(feat, g)
		}
	}
}

// Render builds the layer's part of tile t from the zoom's shared arcs.
func (l *indexLayer) Render(_ context.Context, t maptile.Tile) (*mvt.Layer, error) {
	out := &mvt.Layer{Name: l.info.ID, Version: 2, Extent: l.src.opts.Extent}
	l.each(t, nil, func(f *feature, g orb.Geometry) {
		out.Features = append(out.Features, &geojson.Feature{Geometry: g, Properties: f.props})
	})
	if len(out.Features) == 0 {
		return nil, nil
	}
	return out, nil
}

// appendTile appends the layer's part of tile t, encoded, to dst (see
// encode.go); dst is returned unchanged when the tile holds no feature of
// the layer.
func (l *indexLayer) appendTile(dst []byte, t maptile.Tile) []byte {
	e := encoders.Get().(*layerEncoder)
	defer encoders.Put(e)
	e.reset()
	n := 0
	e.scratch.Reuse = true
	l.each(t, &e.scratch, func(f *feature, g orb.Geometry) {
		e.feature(f.enc, g)
		e.scratch.Reset()
		n++
	})
	if n == 0 {
		return dst
	}
	return e.appendLayer(dst, l.info.ID, l.src.opts.Extent)
}

// renderer assembles shapes for one tile.
type renderer struct {
	za     *zoomArcs
	clipB  orb.Bound
	ox, oy float64 // the tile's origin in global pixels
	sc     *scratch
}

// scratch holds buffers a renderer reuses from ring to ring. With the
// clipper's Reuse set (the direct encoder, which consumes each shape
// before the next), the rings themselves come from its arena too.
type scratch struct {
	tileclip.Clipper
	joins []int32
	rings []orb.Ring // one polygon's rings before clipping
}

// shape returns a shape's polygons inside the clip bound, in tile pixels:
// an orb.Polygon, an orb.MultiPolygon, or nil when nothing is left. A
// polygon wholly inside the clip bound is its rings as assembled; one that
// crosses it is clipped as a whole (tileclip.Clipper.Polygon), which may
// leave several polygons or none.
func (r *renderer) shape(s shape) orb.Geometry {
	var mp orb.MultiPolygon
	for _, p := range s {
		ext, inside := r.ring(p[0], true)
		if ext == nil {
			continue
		}
		rings := append(r.sc.rings[:0], ext)
		for _, h := range p[1:] {
			if hole, in := r.ring(h, false); hole != nil {
				rings = append(rings, hole)
				inside = inside && in
			}
		}
		r.sc.rings = rings
		if inside {
			mp = append(mp, append(make(orb.Polygon, 0, len(rings)), rings...))
			continue
		}
		var ok bool
		if mp, ok = r.sc.Polygon(mp, rings, r.clipB); !ok {
			mp = r.sc.Ringwise(mp, rings, r.clipB)
		}
	}
	switch len(mp) {
	case 0:
		return nil
	case 1:
		return mp[0]
	}
	return mp
}

// ring assembles a chain in tile pixels, closed, and reports whether it
// lies wholly inside the clip bound; shape clips the rings that do not.
// It returns nil when the ring lies outside the clip bound, or lies inside
// it with no area left (a ring smaller than a pixel at this zoom) or its
// orientation lost: exteriors keep positive area, holes negative.
//
// An arc whose bound misses the clip bound lies wholly in one half-plane
// outside it, and so does the straight line between its ends: the ring
// takes only the arc's ends, which changes nothing inside the clip bound
// and makes the tile independent of how the arc runs out there.
//
// Where two arcs join, a junction exactly between its neighbours in this
// ring (its third arc belongs to other rings) carries no shape and is
// left out; inside an arc, simplifyArc already dropped such points.
func (r *renderer) ring(c chain, exterior bool) (_ orb.Ring, inside bool) {
	b, n := r.chainBound(c)
	cb := r.clipB
	if b.Max[0] < cb.Min[0] || b.Min[0] > cb.Max[0] || b.Max[1] < cb.Min[1] || b.Min[1] > cb.Max[1] {
		return nil, false
	}
	inside = b.Min[0] >= cb.Min[0] && b.Max[0] <= cb.Max[0] && b.Min[1] >= cb.Min[1] && b.Max[1] <= cb.Max[1]
	ring := r.appendChain(r.sc.Alloc(n), c, inside)
	ring = dropJunctions(ring, r.sc.joins)
	ring = closeRing(ring)
	if len(ring) < 4 {
		return nil, false
	}
	if !inside {
		// Its area here counts the short cuts outside the clip bound; the
		// orientation the topology gave it still holds inside.
		return ring, false
	}
	if a := tileclip.SignedArea(ring); a == 0 || (a > 0) != exterior {
		return nil, false
	}
	return ring, true
}

// chainBound is the bound of c's arcs relative to the tile's origin, and
// the most points its ring can have.
func (r *renderer) chainBound(c chain) (orb.Bound, int) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	n := 1
	for _, ref := range c {
		i := ref.index()
		ab := r.za.bound[i]
		minX, minY = min(minX, ab.Min[0]), min(minY, ab.Min[1])
		maxX, maxY = max(maxX, ab.Max[0]), max(maxY, ab.Max[1])
		n += len(r.za.arcs[i])
	}
	return orb.Bound{Min: orb.Point{minX - r.ox, minY - r.oy}, Max: orb.Point{maxX - r.ox, maxY - r.oy}}, n
}

// appendChain appends the points of c's arcs to ring, relative to the
// tile's origin, each arc in the direction its ref gives and its first
// point only where it differs from the ring's last; where the chain is
// not wholly inside the clip bound, an arc that misses it gives only its
// ends. It records in r.sc.joins where each arc starts.
func (r *renderer) appendChain(ring orb.Ring, c chain, inside bool) orb.Ring {
	cb, ox, oy := r.clipB, r.ox, r.oy
	joins := r.sc.joins[:0]
	for _, ref := range c {
		i := ref.index()
		pts := r.za.arcs[i]
		first, last := pts[0], pts[len(pts)-1]
		if ref < 0 {
			first, last = last, first
		}
		q := orb.Point{first[0] - ox, first[1] - oy}
		if len(ring) == 0 || ring[len(ring)-1] != q {
			ring = append(ring, q)
		}
		joins = append(joins, int32(len(ring)-1))
		if !inside {
			ab := r.za.bound[i]
			if ab.Max[0]-ox < cb.Min[0] || ab.Min[0]-ox > cb.Max[0] || ab.Max[1]-oy < cb.Min[1] || ab.Min[1]-oy > cb.Max[1] {
				if last != first {
					ring = append(ring, orb.Point{last[0] - ox, last[1] - oy})
				}
				continue
			}
		}
		if ref > 0 {
			for _, p := range pts[1:] {
				ring = append(ring, orb.Point{p[0] - ox, p[1] - oy})
			}
		} else {
			for k := len(pts) - 2; k >= 0; k-- {
				ring = append(ring, orb.Point{pts[k][0] - ox, pts[k][1] - oy})
			}
		}
	}
	r.sc.joins = joins
	return ring
}

// dropJunctions drops the junctions (ring indexes in joins, ascending)
// that lie exactly between their neighbours in the ring.
func dropJunctions(ring orb.Ring, joins []int32) orb.Ring {
	if len(joins) <= 1 {
		return ring
	}
	out := ring[:0]
	next := 0
	for k, p := range ring {
		if next < len(joins) && int(joins[next]) == k {
			next++
			if k > 0 && k+1 < len(ring) && len(out) > 0 && between(out[len(out)-1], p, ring[k+1]) {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// closeRing drops a repeated closing point and points exactly between
// their neighbours across the ring's seam, then closes it.
func closeRing(ring orb.Ring) orb.Ring {
	for len(ring) >= 3 && ring[0] == ring[len(ring)-1] {
		ring = ring[:len(ring)-1]
	}
	for len(ring) >= 3 && between(ring[len(ring)-1], ring[0], ring[1]) {
		ring = ring[1:]
	}
	for len(ring) >= 3 && between(ring[len(ring)-2], ring[len(ring)-1], ring[0]) {
		ring = ring[:len(ring)-1]
	}
	if len(ring) > 0 {
		ring = append(ring, ring[0])
	}
	return ring
}

// Tile renders tile t with the named layers (all of the source's layers
// when none are named) and returns it encoded as MVT, uncompressed; nil
// when no layer has a feature in the tile.
func (s *Source) Tile(ctx context.Context, t maptile.Tile, names ...string) ([]byte, error) {
	layers := s.Layers()
	if len(names) > 0 {
		layers = layers[:0:0]
		for _, n := range names {
			l, ok := s.Layer(n)
			if !ok {
				return nil, unknownLayer(n, s.Layers())
			}
			layers = append(layers, l)
		}
	}
	return encodeTile(ctx, t, layers)
}

// encodeTile renders layers for t and encodes the non-empty ones; nil when
// all are empty. Index layers write their bytes directly; other layers go
// through mvt.Marshal, and the encoded layers are concatenated, which in
// protobuf is one tile holding them all.
func encodeTile(ctx context.Context, t maptile.Tile, layers []Layer) ([]byte, error) {
	var out []byte
	for _, l := range layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if il, ok := l.(*indexLayer); ok {
			out = il.appendTile(out, t)
			continue
		}
		ml, err := l.Render(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("tiles: layer %s: %w", l.Info().ID, err)
		}
		if ml == nil || len(ml.Features) == 0 {
			continue
		}
		data, err := mvt.Marshal(mvt.Layers{ml})
		if err != nil {
			return nil, fmt.Errorf("tiles: encoding layer %s of %s: %w", l.Info().ID, Path(t), err)
		}
		out = append(out, data...)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// unknownLayer is the error for a layer name no layer has.
func unknownLayer(name string, layers []Layer) error {
	ids := make([]string, len(layers))
	for i, l := range layers {
		ids[i] = l.Info().ID
	}
	return &CoordError{Param: "layer", Value: name,
		Reason: fmt.Sprintf("there is no tile layer %s; the layers are %v", quoteShort(name), ids)}
}
