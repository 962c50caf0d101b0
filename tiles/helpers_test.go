package tiles

import (
	"context"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"jingge/data/lantian"
	"jingge/geo"
	"jingge/tiles/tileclip"
)

var lantianOnce struct {
	sync.Once
	ix  *geo.Index
	err error
}

// lantianIndex returns the index of the bundled dataset, built once; the
// index is immutable, so tests share it.
func lantianIndex(tb testing.TB) *geo.Index {
	tb.Helper()
	lantianOnce.Do(func() {
		ds, err := lantian.Load()
		if err != nil {
			lantianOnce.err = err
			return
		}
		lantianOnce.ix, lantianOnce.err = geo.NewIndex(ds)
	})
	if lantianOnce.err != nil {
		tb.Fatalf("lantian: %v", lantianOnce.err)
	}
	return lantianOnce.ix
}

// freshLantian returns a new copy of the bundled dataset to edit.
func freshLantian(tb testing.TB) *geo.Dataset {
	tb.Helper()
	ds, err := lantian.Load()
	if err != nil {
		tb.Fatalf("lantian: %v", err)
	}
	return ds
}

func mustIndex(tb testing.TB, ds *geo.Dataset) *geo.Index {
	tb.Helper()
	ix, err := geo.NewIndex(ds)
	if err != nil {
		tb.Fatalf("NewIndex: %v", err)
	}
	return ix
}

// coverTiles lists the tiles at zoom z that cover the source's grids.
func coverTiles(tb testing.TB, s *Source, z int) []maptile.Tile {
	tb.Helper()
	b, ok := s.Bounds()
	if !ok {
		tb.Fatal("source has no grids")
	}
	lo := maptile.At(orb.Point{b.Min[0], b.Max[1]}, maptile.Zoom(z))
	hi := maptile.At(orb.Point{b.Max[0], b.Min[1]}, maptile.Zoom(z))
	var out []maptile.Tile
	for y := lo.Y; y <= hi.Y; y++ {
		for x := lo.X; x <= hi.X; x++ {
			out = append(out, maptile.New(x, y, maptile.Zoom(z)))
		}
	}
	return out
}

// decodeTile renders tile t of s (all layers) and decodes it; nil for an
// empty tile.
func decodeTile(tb testing.TB, s *Source, t maptile.Tile, layers ...string) map[string]*mvt.Layer {
	tb.Helper()
	raw, err := s.Tile(context.Background(), t, layers...)
	if err != nil {
		tb.Fatalf("%s: %v", Path(t), err)
	}
	if raw == nil {
		return nil
	}
	ls, err := mvt.Unmarshal(raw)
	if err != nil {
		tb.Fatalf("%s: decoding: %v", Path(t), err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range ls {
		if _, dup := out[l.Name]; dup {
			tb.Fatalf("%s: layer %s twice", Path(t), l.Name)
		}
		out[l.Name] = l
	}
	return out
}

// polygonsOf flattens a decoded geometry into polygons.
func polygonsOf(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return []orb.Polygon(g)
	}
	return nil
}

// evenOddContains tests p against every ring of the polygons together.
func evenOddContains(polys []orb.Polygon, p orb.Point) bool {
	in := false
	for _, poly := range polys {
		for _, r := range poly {
			if tileclip.RingContains(r, p) {
				in = !in
			}
		}
	}
	return in
}

// tileAt is the tile at zoom z holding ll.
func tileAt(ll orb.Point, z int) maptile.Tile { return maptile.At(ll, maptile.Zoom(z)) }

func orbPoint(x, y float64) orb.Point { return orb.Point{x, y} }
