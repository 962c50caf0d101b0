package tiles

import (
	"context"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// The layers a Source builds from an index, in the order the combined tile
// holds them (drawn bottom to top).
const (
	LayerRegions        = "regions"         // the four terrain regions, dissolved
	LayerCounty         = "county"          // the county outline: the union of all grids
	LayerTownships      = "townships"       // townships dissolved from their grids
	LayerStations       = "stations"        // station areas, dissolved, and station points
	LayerPoliceGrids    = "police_grids"    // police grids (警格)
	LayerCommunityGrids = "community_grids" // community grids (网格)
	LayerAreas          = "areas"           // special areas (园区, 景区, 保护区, works), over the grids
	LayerPlaces         = "places"          // key places (schools, markets, 重点单位), as points
	LayerCheckpoints    = "checkpoints"     // checkpoints on the roads (查控点), as points
)

// Layer makes one named layer of a vector tile. The index layers of a
// Source implement it; layers whose data does not come from the index
// (incidents, patrols) implement it too and are served the same way by a
// Service.
type Layer interface {
	// Info describes the layer for TileJSON and tells the Service how to
	// serve it.
	Info() LayerInfo
	// Render returns the layer's features in tile t, in the tile's pixel
	// coordinates (see Frame), or nil when the tile holds none. It must be
	// safe for concurrent use.
	Render(ctx context.Context, t maptile.Tile) (*mvt.Layer, error)
}

// LayerInfo describes a layer: its TileJSON vector_layers entry and its
// serving rules.
type LayerInfo struct {
	ID          string
	Description string
	// MinZoom and MaxZoom bound the zooms the layer has features at; tiles
	// outside them hold none of its features.
	MinZoom, MaxZoom int
	Fields           []Field
	// Volatile marks a layer whose features change without the index
	// changing (live incidents, patrols): its tiles are never cached and it
	// is not part of the combined tile.
	Volatile bool
}

// Field is one feature property of a layer.
type Field struct {
	Name        string
	Type        string // "String", "Number" or "Boolean", as TileJSON writes them
	Description string
}

// Frame is the one transform from WGS-84 to a tile's pixel coordinates that
// every layer uses: Web Mercator, scaled so the tile spans Extent pixels,
// rounded to whole pixels. Layers that share it line up exactly.
type Frame struct {
	Tile   maptile.Tile
	Extent uint32
	Buffer int // pixels kept beyond each edge
}

// Point returns ll (longitude, latitude) in the tile's pixel coordinates,
// rounded to whole pixels. Points far outside the tile get coordinates far
// outside 0..Extent; see Contains.
func (f Frame) Point(ll orb.Point) orb.Point {
	return f.worldPixel(maptile.Fraction(ll, 0))
}

func (f Frame) worldPixel(w orb.Point) orb.Point {
	scale := float64(f.Extent) * math.Exp2(float64(f.Tile.Z))
	e := float64(f.Extent)
	return orb.Point{
		math.Round(w[0]*scale) - float64(f.Tile.X)*e,
		math.Round(w[1]*scale) - float64(f.Tile.Y)*e,
	}
}

// ClipBound is the tile's pixel box widened by the buffer on every side;
// geometry is clipped to it.
func (f Frame) ClipBound() orb.Bound {
	b := float64(f.Buffer)
	e := float64(f.Extent)
	return orb.Bound{Min: orb.Point{-b, -b}, Max: orb.Point{e + b, e + b}}
}

// Contains reports whether a pixel point lies in the clip bound (edges
// included).
func (f Frame) Contains(p orb.Point) bool { return f.ClipBound().Contains(p) }

// worldBound is the clip bound in world units (0..1, y down), widened by
// pad pixels.
func (f Frame) worldBound(pad float64) orb.Bound {
	scale := float64(f.Extent) * math.Exp2(float64(f.Tile.Z))
	e := float64(f.Extent)
	b := float64(f.Buffer) + pad
	return orb.Bound{
		Min: orb.Point{(float64(f.Tile.X)*e - b) / scale, (float64(f.Tile.Y)*e - b) / scale},
		Max: orb.Point{(float64(f.Tile.X+1)*e + b) / scale, (float64(f.Tile.Y+1)*e + b) / scale},
	}
}
