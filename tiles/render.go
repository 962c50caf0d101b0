package tiles

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// Info describes the layer.
func (l *indexLayer) Info() LayerInfo { return l.info }

// Render builds the layer's part of tile t from the zoom's shared arcs.
func (l *indexLayer) Render(_ context.Context, t maptile.Tile) (*mvt.Layer, error) {
	z := int(t.Z)
	if z < l.info.MinZoom || z > l.info.MaxZoom || z > MaxZoom {
		return nil, nil
	}
	s := l.src
	f := Frame{Tile: t, Extent: s.opts.Extent, Buffer: s.opts.Buffer}
	wb := f.worldBound(1)
	var hits []int32
	l.tree.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
		hits = append(hits, i)
		return true
	})
	if len(hits) == 0 {
		return nil, nil
	}
	slices.Sort(hits)
	za := s.zoom(z)
	r := renderer{za: za, clipB: f.ClipBound(), ox: float64(t.X) * float64(f.Extent), oy: float64(t.Y) * float64(f.Extent)}
	out := &mvt.Layer{Name: l.info.ID, Version: 2, Extent: s.opts.Extent}
	for _, i := range hits {
		feat := &l.features[i]
		var g orb.Geometry
		if feat.isPoint() {
			p := f.worldPixel(feat.point)
			if !f.Contains(p) {
				continue
			}
			g = p
		} else if g = r.shape(feat.shape); g == nil {
			continue
		}
		out.Features = append(out.Features, &geojson.Feature{ID: feat.mvtID, Geometry: g, Properties: feat.props})
	}
	if len(out.Features) == 0 {
		return nil, nil
	}
	return out, nil
}

// renderer assembles shapes for one tile.
type renderer struct {
	za     *zoomArcs
	clipB  orb.Bound
	ox, oy float64 // the tile's origin in global pixels
}

// shape returns a shape's polygons inside the clip bound, in tile pixels:
// an orb.Polygon, an orb.MultiPolygon, or nil when nothing is left.
func (r *renderer) shape(s shape) orb.Geometry {
	var mp orb.MultiPolygon
	for _, p := range s {
		ext := r.ring(p[0], true)
		if ext == nil {
			continue
		}
		poly := orb.Polygon{ext}
		for _, h := range p[1:] {
			if hole := r.ring(h, false); hole != nil {
				poly = append(poly, hole)
			}
		}
		mp = append(mp, poly)
	}
	switch len(mp) {
	case 0:
		return nil
	case 1:
		return mp[0]
	}
	return mp
}

// ring assembles a chain in tile pixels and clips it. It returns nil when
// the ring lies outside the clip bound or has no area left (a ring
// smaller than a pixel at this zoom). Exteriors keep positive area, holes
// negative.
func (r *renderer) ring(c chain, exterior bool) orb.Ring {
	var b orb.Bound
	for k, ref := range c {
		ab := r.za.bound[ref.index()]
		if k == 0 {
			b = ab
		} else {
			b = b.Union(ab)
		}
	}
	b = orb.Bound{Min: orb.Point{b.Min[0] - r.ox, b.Min[1] - r.oy}, Max: orb.Point{b.Max[0] - r.ox, b.Max[1] - r.oy}}
	if !b.Intersects(r.clipB) {
		return nil
	}
	n := 1
	for _, ref := range c {
		n += len(r.za.arcs[ref.index()])
	}
	ring := make(orb.Ring, 0, n)
	for _, ref := range c {
		pts := r.za.arcs[ref.index()]
		for k := range pts {
			p := pts[k]
			if ref < 0 {
				p = pts[len(pts)-1-k]
			}
			q := orb.Point{p[0] - r.ox, p[1] - r.oy}
			if len(ring) == 0 || ring[len(ring)-1] != q {
				ring = append(ring, q)
			}
		}
	}
	if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
		ring = append(ring, ring[0])
	}
	if !(r.clipB.Contains(b.Min) && r.clipB.Contains(b.Max)) {
		ring = clip.Ring(r.clipB, ring)
		ring = roundRing(ring)
	}
	if len(ring) < 4 {
		return nil
	}
	if a := signedArea(ring); a == 0 || (a > 0) != exterior {
		return nil
	}
	return ring
}

// roundRing rounds the points clipping added on the clip bound to whole
// pixels and drops repeats. The points are on the buffer's edge, outside
// the tile proper.
func roundRing(ring orb.Ring) orb.Ring {
	out := ring[:0]
	for _, p := range ring {
		q := orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) == 0 || out[len(out)-1] != q {
			out = append(out, q)
		}
	}
	return out
}

// signedArea is twice the shoelace area of a closed ring.
func signedArea(r orb.Ring) float64 {
	s := 0.0
	for k := 0; k+1 < len(r); k++ {
		s += r[k][0]*r[k+1][1] - r[k+1][0]*r[k][1]
	}
	return s
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

// encodeTile renders layers for t and marshals the non-empty ones.
func encodeTile(ctx context.Context, t maptile.Tile, layers []Layer) ([]byte, error) {
	var out mvt.Layers
	for _, l := range layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ml, err := l.Render(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("tiles: layer %s: %w", l.Info().ID, err)
		}
		if ml != nil {
			out = append(out, ml)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	data, err := mvt.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("tiles: encoding %s: %w", Path(t), err)
	}
	return data, nil
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
