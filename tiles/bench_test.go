package tiles

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"jingge/geo"
	"jingge/tiles/tileclip"
)

// benchZooms are the zooms of the cold-tile benchmarks: the whole county in
// a few tiles, a township per tile, a village per tile.
var benchZooms = []int{8, 12, 15}

// gridLayers are the layers the cold benchmarks render, as the PostGIS
// baseline does.
var gridLayers = []string{LayerPoliceGrids, LayerCommunityGrids}

// tileStats accumulates tiles rendered and their bytes, and reports them
// with the rate as benchmark metrics.
type tileStats struct {
	tiles, bytes, empty int
	start               time.Time
}

func (s *tileStats) add(n int) {
	s.tiles++
	s.bytes += n
	if n == 0 {
		s.empty++
	}
}

func (s *tileStats) report(b *testing.B) {
	b.ReportMetric(float64(s.tiles)/time.Since(s.start).Seconds(), "tiles/s")
	if s.tiles > s.empty {
		b.ReportMetric(float64(s.bytes)/float64(s.tiles-s.empty), "B/tile")
	}
}

// countyTiles lists the tiles over the county at z that hold a grid.
func countyTiles(b *testing.B, src *Source, z int) []maptile.Tile {
	b.Helper()
	var out []maptile.Tile
	for _, t := range coverTiles(b, src, z) {
		raw, err := src.Tile(context.Background(), t, gridLayers...)
		if err != nil {
			b.Fatal(err)
		}
		if raw != nil {
			out = append(out, t)
		}
	}
	return out
}

// BenchmarkTileCold renders the grid layers of every tile over the county
// with no tile cache, cycling through the tiles: jingge encodes from the
// shared arcs (the zoom's arcs are simplified once per index, before the
// timer); jingge+gzip adds the compression the cache stores (at
// DefaultGzipLevel); postgis runs
// the ST_AsMVT(ST_AsMVTGeom(...)) query of Martin and pg_tileserv on the
// same grids (see postgis_bench_test.go; skipped without a database).
func BenchmarkTileCold(b *testing.B) {
	ix := lantianIndex(b)
	src := NewSource(ix, Options{})
	pg := openPostGISBaseline(b, src)
	for _, z := range benchZooms {
		src.Prepare(z)
		tiles := countyTiles(b, src, z)
		b.Run(fmt.Sprintf("z%d/jingge", z), func(b *testing.B) {
			b.ReportAllocs()
			st := tileStats{start: time.Now()}
			for i := 0; b.Loop(); i++ {
				raw, err := src.Tile(context.Background(), tiles[i%len(tiles)], gridLayers...)
				if err != nil {
					b.Fatal(err)
				}
				st.add(len(raw))
			}
			st.report(b)
		})
		b.Run(fmt.Sprintf("z%d/jingge+gzip", z), func(b *testing.B) {
			b.ReportAllocs()
			st := tileStats{start: time.Now()}
			for i := 0; b.Loop(); i++ {
				raw, err := src.Tile(context.Background(), tiles[i%len(tiles)], gridLayers...)
				if err != nil {
					b.Fatal(err)
				}
				tile, err := NewTile(raw, DefaultGzipLevel)
				if err != nil {
					b.Fatal(err)
				}
				st.add(len(tile.Gzip))
			}
			st.report(b)
		})
		b.Run(fmt.Sprintf("z%d/postgis", z), func(b *testing.B) {
			if pg == nil {
				b.Skip(pgSkipReason)
			}
			b.ReportAllocs()
			st := tileStats{start: time.Now()}
			for i := 0; b.Loop(); i++ {
				st.add(pg.tile(b, tiles[i%len(tiles)]))
			}
			st.report(b)
		})
	}
}

// BenchmarkSourceBuild measures what an index swap costs before the first
// tile: extracting the topology and building the layers.
func BenchmarkSourceBuild(b *testing.B) {
	ix := lantianIndex(b)
	b.ReportAllocs()
	for b.Loop() {
		NewSource(ix, Options{})
	}
}

// BenchmarkZoomArcs measures simplifying and checking every arc of the
// county for one zoom, paid once per zoom and index.
func BenchmarkZoomArcs(b *testing.B) {
	src := NewSource(lantianIndex(b), Options{})
	for _, z := range benchZooms {
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				src.topo.buildZoom(z, float64(src.opts.Extent), src.opts.Tolerance)
			}
		})
	}
}

// BenchmarkTileWarm serves cached tiles from a Service, the in-process part
// of a warm HTTP request, beside a bare LRU lookup as its floor.
func BenchmarkTileWarm(b *testing.B) {
	live := new(geo.Live)
	live.Store(lantianIndex(b))
	svc := NewService(live, ServiceOptions{})
	var keys []Key
	for _, t := range coverTiles(b, svc.Source(), 13) {
		if _, err := svc.Tile(context.Background(), "", t); err != nil {
			b.Fatal(err)
		}
		keys = append(keys, Key{Tile: t})
	}
	b.Run("service", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := svc.Tile(context.Background(), "", keys[i%len(keys)].Tile); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lru", func(b *testing.B) {
		b.ReportAllocs()
		c := svc.Cache()
		for i := 0; b.Loop(); i++ {
			c.Get(keys[i%len(keys)])
		}
	})
}

// BenchmarkClipPolygon clips every polygon of the grid layers that crosses
// the clip bound of a tile over the county, one per op: whole is
// clipPolygon, as the tiles clip; ringwise is the baseline, each ring
// clipped by Sutherland–Hodgman as orb's clip.Ring (clipEach), as the tiles
// clipped before their rings in the buffer had to stay valid.
func BenchmarkClipPolygon(b *testing.B) {
	src := NewSource(lantianIndex(b), Options{})
	type job struct {
		rings []orb.Ring
		r     renderer
	}
	for _, z := range benchZooms {
		var jobs []job
		sc := &scratch{}
		for _, t := range coverTiles(b, src, z) {
			f := Frame{Tile: t, Extent: src.opts.Extent, Buffer: src.opts.Buffer}
			r := renderer{za: src.zoom(z), clipB: f.ClipBound(), ox: float64(t.X) * float64(f.Extent), oy: float64(t.Y) * float64(f.Extent), sc: sc}
			wb := f.worldBound(1)
			for _, name := range gridLayers {
				l := src.byName[name]
				l.tree.Search(wb.Min, wb.Max, func(_, _ [2]float64, i int32) bool {
					for _, p := range l.features[i].shape {
						var rings []orb.Ring
						inside := true
						for k, c := range p {
							ring, in := r.ring(c, k == 0)
							if ring == nil {
								if k == 0 {
									break
								}
								continue
							}
							rings, inside = append(rings, ring), inside && in
						}
						if len(rings) > 0 && !inside {
							jobs = append(jobs, job{rings: rings, r: r})
						}
					}
					return true
				})
			}
		}
		for _, mode := range []string{"whole", "ringwise"} {
			b.Run(fmt.Sprintf("z%d/%s", z, mode), func(b *testing.B) {
				b.ReportAllocs()
				sc := &scratch{Clipper: tileclip.Clipper{Reuse: true}}
				var mp orb.MultiPolygon
				for i := 0; b.Loop(); i++ {
					j := jobs[i%len(jobs)]
					sc.Reset()
					mp = mp[:0]
					if mode == "whole" {
						mp, _ = sc.Polygon(mp, j.rings, j.r.clipB)
					} else {
						mp = sc.Ringwise(mp, j.rings, j.r.clipB)
					}
				}
				b.ReportMetric(float64(len(jobs)), "polygons")
			})
		}
	}
}

// BenchmarkPrerender times one pre-render pass over the county's pyramid
// to DefaultPrerenderZoom into an empty cache (what a server does after
// start), beside the pass after a one-vertex edit, which renders only the
// tiles the swap purged.
func BenchmarkPrerender(b *testing.B) {
	ix := lantianIndex(b)
	b.Run("start", func(b *testing.B) {
		var pass PrerenderPass
		for b.Loop() {
			live := new(geo.Live)
			live.Store(ix)
			svc := NewService(live, ServiceOptions{})
			pass = svc.prerenderPass(context.Background(), svc.Source(), DefaultPrerenderZoom)
			if pass.Stopped != nil {
				b.Fatal(pass.Stopped)
			}
		}
		b.ReportMetric(float64(pass.Rendered), "tiles")
	})
	b.Run("edit", func(b *testing.B) {
		live := new(geo.Live)
		live.Store(ix)
		svc := NewService(live, ServiceOptions{})
		svc.prerenderPass(context.Background(), svc.Source(), DefaultPrerenderZoom)
		ds := freshLantian(b)
		key, grids := interiorArc(b, svc.Source())
		edited := editArcVertex(b, ds, grids, key)
		var versions [2]*geo.Index
		for i := range versions {
			d := freshLantian(b)
			if i == 1 {
				for j := range d.Grids {
					if g, ok := edited[d.Grids[j].ID]; ok {
						d.Grids[j].Geometry = g
					}
				}
			}
			versions[i] = mustIndex(b, d)
		}
		var pass PrerenderPass
		var swap time.Duration
		for i := 0; b.Loop(); i++ {
			next := versions[(i+1)%2]
			start := time.Now()
			live.Store(next)
			svc.Update(next)
			swap += time.Since(start)
			pass = svc.prerenderPass(context.Background(), svc.Source(), DefaultPrerenderZoom)
			if pass.Stopped != nil {
				b.Fatal(pass.Stopped)
			}
		}
		b.ReportMetric(float64(pass.Rendered), "tiles")
		b.ReportMetric(float64(swap.Milliseconds())/float64(b.N), "swap-ms")
	})
}
