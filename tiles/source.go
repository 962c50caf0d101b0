package tiles

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"jingge/geo"
	"jingge/geo/crs"
)

// Defaults for the zero fields of Options.
const (
	DefaultExtent    = 4096
	DefaultBuffer    = 64
	DefaultTolerance = 4.0
	// DefaultMaxZoom is the deepest zoom TileJSON advertises; clients
	// over-zoom past it, and the server still answers up to MaxZoom.
	DefaultMaxZoom = 16
)

// Options configures a Source. Zero fields take the defaults above.
type Options struct {
	// Extent is the width of a tile in pixels of its coordinate grid.
	Extent uint32
	// Buffer is how many pixels of geometry a tile keeps beyond each edge,
	// so lines and labels at the edge draw without seams.
	Buffer int
	// Tolerance is the Douglas–Peucker tolerance in pixels of the extent.
	// The default, 4, is half a screen pixel of a tile drawn 512 pixels
	// wide.
	Tolerance float64
	// MaxZoom is the deepest zoom TileJSON advertises.
	MaxZoom int
}

func (o Options) withDefaults() Options {
	if o.Extent == 0 {
		o.Extent = DefaultExtent
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.Tolerance <= 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.MaxZoom <= 0 || o.MaxZoom > MaxZoom {
		o.MaxZoom = DefaultMaxZoom
	}
	return o
}

// Source builds the vector tiles of one index. NewSource extracts the
// topology once; each zoom's simplified arcs are computed on the first tile
// that needs them and kept. A Source is immutable apart from that cache and
// safe for concurrent use; a new index gets a new Source.
type Source struct {
	ix       *geo.Index
	opts     Options
	topo     *topology
	layers   []*indexLayer
	byName   map[string]*indexLayer
	zooms    [MaxZoom + 1]zoomSlot
	prepared atomic.Uint32 // bit z set once zoom z's arcs exist
	// worldBound covers every grid, in world units; empty when hasGrids is false.
	worldBound orb.Bound
	hasGrids   bool
}

type zoomSlot struct {
	once sync.Once
	arcs *zoomArcs
}

// projector returns the map from dataset coordinates to world units. A
// dataset in GCJ-02 or BD-09 is converted to WGS-84 first; the conversion
// is a pure function of the point, so identical vertices stay identical.
func projector(datum string) func(orb.Point) orb.Point {
	c, err := crs.Parse(datum)
	if datum == "" || err != nil || c == crs.WGS84 {
		return func(p orb.Point) orb.Point { return maptile.Fraction(p, 0) }
	}
	return func(p orb.Point) orb.Point { return maptile.Fraction(crs.Convert(p, c, crs.WGS84), 0) }
}

// NewSource extracts the topology of ix's grids and builds its layers. It
// never fails: geometry that does not form a clean partition still renders,
// only without the guarantee that neighbours meet exactly.
func NewSource(ix *geo.Index, opts Options) *Source {
	s := &Source{ix: ix, opts: opts.withDefaults(), byName: map[string]*indexLayer{}}
	ds := ix.Dataset()
	project := projector(ds.Meta.Datum)

	// Every ring of every grid takes part in finding junctions, so police
	// grids whose borders follow their community grids reuse those arcs,
	// and any that do not still cut cleanly.
	cleaned := make([][][][]orb.Point, len(ds.Grids))
	var all [][]orb.Point
	for i := range ds.Grids {
		g := &ds.Grids[i]
		cleaned[i] = make([][][]orb.Point, len(g.Geometry))
		for p, poly := range g.Geometry {
			cleaned[i][p] = make([][]orb.Point, len(poly))
			for r, ring := range poly {
				c := cleanRing(ring)
				cleaned[i][p][r] = c
				if c != nil {
					all = append(all, c)
				}
			}
		}
	}
	// Special areas overlap the grids: their rings are added after the
	// grids', find no junctions and constrain no grid's simplification.
	areaRings := make([][][][]orb.Point, len(ds.Areas))
	for i := range ds.Areas {
		for _, poly := range ds.Areas[i].Geometry {
			var rings [][]orb.Point
			for _, ring := range poly {
				rings = append(rings, cleanRing(ring))
			}
			areaRings[i] = append(areaRings[i], rings)
		}
	}
	t := newTopology(all, project)
	s.topo = t
	shapes := make([]shape, len(ds.Grids))
	for i := range ds.Grids {
		shapes[i] = t.shapeOf(cleaned[i])
	}
	// Every arc must be in the topology before the builder finds the
	// grids' faces, which are counted by arc.
	t.partitionArcs, t.overlays = len(t.arcs), len(ds.Areas) > 0
	areaShapes := make([]shape, len(ds.Areas))
	for i := range areaRings {
		areaShapes[i] = t.shapeOf(areaRings[i])
	}
	b := newBuilder(s, ix, shapes)
	b.areaShapes = areaShapes
	s.layers = b.layers()
	for _, l := range s.layers {
		s.byName[l.info.ID] = l
	}
	return s
}

// Index returns the index the source was built from.
func (s *Source) Index() *geo.Index { return s.ix }

// Options returns the source's options with defaults filled in.
func (s *Source) Options() Options { return s.opts }

// Layers returns the source's layers in drawing order.
func (s *Source) Layers() []Layer {
	out := make([]Layer, len(s.layers))
	for i, l := range s.layers {
		out[i] = l
	}
	return out
}

// Layer returns the named layer.
func (s *Source) Layer(name string) (Layer, bool) {
	l, ok := s.byName[name]
	return l, ok
}

// Bounds returns the WGS-84 bound of all grids; ok is false when the index
// has none.
func (s *Source) Bounds() (b orb.Bound, ok bool) {
	if !s.hasGrids {
		return orb.Bound{}, false
	}
	return orb.Bound{Min: worldToLonLat(orb.Point{s.worldBound.Min[0], s.worldBound.Max[1]}),
		Max: worldToLonLat(orb.Point{s.worldBound.Max[0], s.worldBound.Min[1]})}, true
}

// worldToLonLat inverts the Web Mercator world projection.
func worldToLonLat(w orb.Point) orb.Point {
	return orb.Point{w[0]*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*w[1]))) * 180 / math.Pi}
}

// zoom returns the arcs simplified for zoom z, computing them on first use.
func (s *Source) zoom(z int) *zoomArcs {
	slot := &s.zooms[z]
	slot.once.Do(func() {
		slot.arcs = s.topo.buildZoom(z, float64(s.opts.Extent), s.opts.Tolerance)
		for {
			old := s.prepared.Load()
			if s.prepared.CompareAndSwap(old, old|1<<z) {
				break
			}
		}
	})
	return slot.arcs
}

// Prepare computes the simplified arcs of the given zooms now, so the first
// tiles at those zooms need not wait for them.
func (s *Source) Prepare(zooms ...int) {
	for _, z := range zooms {
		if z >= 0 && z <= MaxZoom {
			s.zoom(z)
		}
	}
}

// PreparedZooms lists the zooms whose simplified arcs exist, ascending.
func (s *Source) PreparedZooms() []int {
	bits := s.prepared.Load()
	var out []int
	for z := 0; z <= MaxZoom; z++ {
		if bits&(1<<z) != 0 {
			out = append(out, z)
		}
	}
	return out
}

// Stats describes a source's topology, for logs and benchmarks.
type Stats struct {
	Arcs, ClosedArcs, Points, Junctions int
}

// Stats counts the source's arcs and points.
func (s *Source) Stats() Stats {
	st := Stats{Arcs: len(s.topo.arcs), Junctions: len(s.topo.junction)}
	for _, a := range s.topo.arcs {
		st.Points += len(a.world)
		if a.closed {
			st.ClosedArcs++
		}
	}
	return st
}

// ZoomStats describes the arcs of one zoom: their points after
// simplification and how much crossing repair was needed.
type ZoomStats struct {
	Points, RepairRounds, Resimplified, CrossingsLeft int
}

// ZoomStats prepares zoom z if needed and describes its arcs.
func (s *Source) ZoomStats(z int) ZoomStats {
	za := s.zoom(z)
	st := ZoomStats{RepairRounds: za.rounds, Resimplified: za.resimplified, CrossingsLeft: za.crossingsLeft}
	for _, a := range za.arcs {
		st.Points += len(a)
	}
	return st
}

// sortedIDs returns the positions of items sorted by key, so a layer's
// features come in the same order whatever order the dataset lists them in.
func sortedIDs(n int, key func(int) string) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ka, kb := key(a), key(b)
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	return idx
}
