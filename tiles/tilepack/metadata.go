package tilepack

import (
	"math"
	"slices"

	"github.com/paulmach/orb"

	"jingge/tiles"
)

// Metadata describes a tile package, as both formats store it.
type Metadata struct {
	Name, Description, Attribution, Version string
	// MinZoom and MaxZoom are the zooms written.
	MinZoom, MaxZoom int
	// Bounds is the longitude/latitude box the tiles cover; Center a
	// point in it and CenterZoom the zoom a viewer opens at.
	Bounds     orb.Bound
	Center     orb.Point
	CenterZoom int
	// VectorLayers are the TileJSON descriptions of the layers written.
	VectorLayers []tiles.VectorLayer
}

// metadataFor describes an export of the named layers (nil for the
// combined tile) from the service's TileJSON, narrowed to the zooms and
// box of opts.
func metadataFor(svc *tiles.Service, names []string, opts Options) (Metadata, error) {
	tj, err := svc.TileJSON("", "")
	if err != nil {
		return Metadata{}, err
	}
	m := Metadata{Name: tj.Name, Description: tj.Description, Attribution: tj.Attribution, Version: tj.Version,
		MinZoom: opts.MinZoom, MaxZoom: opts.MaxZoom}
	for _, vl := range tj.VectorLayers {
		if names == nil || slices.Contains(names, vl.ID) {
			vl.MinZoom = max(vl.MinZoom, opts.MinZoom)
			vl.MaxZoom = opts.MaxZoom
			m.VectorLayers = append(m.VectorLayers, vl)
		}
	}
	b := orb.Bound{Min: orb.Point{tj.Bounds[0], tj.Bounds[1]}, Max: orb.Point{tj.Bounds[2], tj.Bounds[3]}}
	if opts.Bound != (orb.Bound{}) && b.Intersects(opts.Bound) {
		b = orb.Bound{Min: orb.Point{max(b.Min[0], opts.Bound.Min[0]), max(b.Min[1], opts.Bound.Min[1])},
			Max: orb.Point{min(b.Max[0], opts.Bound.Max[0]), min(b.Max[1], opts.Bound.Max[1])}}
	}
	m.Bounds = b
	m.Center = orb.Point{round7((b.Min[0] + b.Max[0]) / 2), round7((b.Min[1] + b.Max[1]) / 2)}
	m.CenterZoom = max(opts.MinZoom, min(int(tj.Center[2]), opts.MaxZoom))
	return m, nil
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }
