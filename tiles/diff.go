package tiles

import (
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// Change says which tiles differ between two sources: per layer and zoom,
// the regions (in global pixels of that zoom) where anything drawn
// changed. A tile changed when its buffered bound touches a region of its
// layer; a combined tile when it touches a region of any layer.
//
// A region is where a changed arc lay before or lies now (its simplified,
// quantised geometry at that zoom differs, or it borders other features in
// the layer), or the bound of a feature whose properties changed. Tiles
// elsewhere are byte for byte the same under both sources, so they stay
// cached.
type Change struct {
	extent, buffer float64
	regions        map[string]map[int][]orb.Bound
}

// Empty reports whether nothing changed.
func (c *Change) Empty() bool { return c == nil || len(c.regions) == 0 }

// Regions returns the changed regions of a layer at a zoom, in global
// pixels (world units × 2^z × extent).
func (c *Change) Regions(layer string, z int) []orb.Bound {
	if c == nil {
		return nil
	}
	return c.regions[layer][z]
}

// Layers lists the layers with any change, sorted.
func (c *Change) Layers() []string {
	if c == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(c.regions))
}

// Covers reports whether the tile under k changed: for a layer's tile,
// whether a region of that layer touches the tile's buffered bound; for
// the combined tile (k.Layer == ""), a region of any layer.
func (c *Change) Covers(k Key) bool {
	if c.Empty() {
		return false
	}
	z := int(k.Tile.Z)
	box := orb.Bound{
		Min: orb.Point{float64(k.Tile.X)*c.extent - c.buffer, float64(k.Tile.Y)*c.extent - c.buffer},
		Max: orb.Point{float64(k.Tile.X+1)*c.extent + c.buffer, float64(k.Tile.Y+1)*c.extent + c.buffer},
	}
	touches := func(bs []orb.Bound) bool {
		for _, b := range bs {
			if b.Intersects(box) {
				return true
			}
		}
		return false
	}
	if k.Layer != "" {
		return touches(c.regions[k.Layer][z])
	}
	for _, byZoom := range c.regions {
		if touches(byZoom[z]) {
			return true
		}
	}
	return false
}

func (c *Change) add(layer string, z int, b orb.Bound) {
	if c.regions == nil {
		c.regions = map[string]map[int][]orb.Bound{}
	}
	if c.regions[layer] == nil {
		c.regions[layer] = map[int][]orb.Bound{}
	}
	c.regions[layer][z] = append(c.regions[layer][z], b)
}

// arcUse is how a layer uses one arc: which features run along it, in
// which direction. Two sources that use an arc the same way and give it
// the same simplified geometry draw the same thing along it.
func (l *indexLayer) arcUse() map[arcKey]string {
	use := map[arcKey][]string{}
	for i := range l.features {
		f := &l.features[i]
		for _, p := range f.shape {
			for _, c := range p {
				for _, r := range c {
					k := l.src.topo.arcs[r.index()].key
					dir := "+"
					if r < 0 {
						dir = "-"
					}
					use[k] = append(use[k], f.id+dir)
				}
			}
		}
	}
	out := make(map[arcKey]string, len(use))
	for k, ids := range use {
		slices.Sort(ids)
		out[k] = strings.Join(ids, "\x00")
	}
	return out
}

// diffSources compares two sources at every zoom the old one has prepared
// (only those can have cached tiles), preparing them in the new one.
func diffSources(old, cur *Source) *Change {
	ch := &Change{extent: float64(cur.opts.Extent), buffer: float64(cur.opts.Buffer)}
	zooms := old.PreparedZooms()
	cur.Prepare(zooms...)
	for _, nl := range cur.layers {
		ol, ok := old.byName[nl.info.ID]
		if !ok {
			continue
		}
		oldUse, newUse := ol.arcUse(), nl.arcUse()
		keys := map[arcKey]bool{}
		for k := range oldUse {
			keys[k] = true
		}
		for k := range newUse {
			keys[k] = true
		}
		for _, z := range zooms {
			if z < nl.info.MinZoom || z > nl.info.MaxZoom {
				continue
			}
			oz, nz := old.zoom(z), cur.zoom(z)
			for k := range keys {
				ou, inOld := oldUse[k]
				nu, inNew := newUse[k]
				oi, oldArc := old.topo.keys[k]
				ni, newArc := cur.topo.keys[k]
				same := inOld == inNew && ou == nu && oldArc && newArc && slices.Equal(oz.arcs[oi], nz.arcs[ni])
				if same {
					continue
				}
				if inOld {
					ch.add(nl.info.ID, z, oz.bound[oi])
				}
				if inNew {
					ch.add(nl.info.ID, z, nz.bound[ni])
				}
			}
			scale := float64(cur.opts.Extent) * math.Exp2(float64(z))
			for _, b := range changedFeatures(ol, nl) {
				ch.add(nl.info.ID, z, orb.Bound{
					Min: orb.Point{math.Floor(b.Min[0]*scale) - 1, math.Floor(b.Min[1]*scale) - 1},
					Max: orb.Point{math.Ceil(b.Max[0]*scale) + 1, math.Ceil(b.Max[1]*scale) + 1},
				})
			}
		}
	}
	return ch
}

// changedFeatures returns the world bounds, old and new, of features whose
// properties changed, and of point features that moved, appeared or went.
// Shapes that appeared or went show up in the arcs' use instead.
func changedFeatures(ol, nl *indexLayer) []orb.Bound {
	var out []orb.Bound
	for id, oi := range ol.byID {
		of := &ol.features[oi]
		ni, ok := nl.byID[id]
		if !ok {
			if of.isPoint() {
				out = append(out, of.bound)
			}
			continue
		}
		nf := &nl.features[ni]
		moved := of.isPoint() != nf.isPoint() || (of.isPoint() && of.point != nf.point)
		if moved || !maps.Equal(of.props, nf.props) {
			out = append(out, of.bound, nf.bound)
		}
	}
	for id, ni := range nl.byID {
		if _, ok := ol.byID[id]; !ok && nl.features[ni].isPoint() {
			out = append(out, nl.features[ni].bound)
		}
	}
	return out
}
