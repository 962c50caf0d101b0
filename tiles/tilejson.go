package tiles

import (
	"math"
	"strings"

	"jingge/geo"
)

// TileJSON is a TileJSON 3.0.0 document describing a tile set.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       []float64     `json:"bounds"`
	Center       []float64     `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// VectorLayer describes one layer of the tile set. Fields maps each
// property name to its type, "String", "Number" or "Boolean", as tile
// servers customarily fill TileJSON's fields object.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// TileURL returns the URL template of a layer's tiles ("" for the combined
// tile) under base, the server's scheme and host ("https://host:port"), or
// a path from the root when base is empty.
func TileURL(base, layer string) string {
	base = strings.TrimSuffix(base, "/")
	if layer == "" {
		return base + "/tiles/{z}/{x}/{y}.mvt"
	}
	return base + "/tiles/" + layer + "/{z}/{x}/{y}.mvt"
}

// TileJSON describes the tiles of one layer, or of the combined tile when
// layer is "", with tile URLs under base (see TileURL). It fails with
// ErrNoIndex before an index is published and with a *CoordError for an
// unknown layer.
func (s *Service) TileJSON(base, layer string) (*TileJSON, error) {
	src := s.Source()
	if src == nil {
		return nil, ErrNoIndex
	}
	layers, _, err := s.layersFor(src, layer)
	if err != nil {
		return nil, err
	}
	o := src.Options()
	meta := src.Index().Meta()
	name := meta.Name
	if layer != "" {
		name += " — " + layer
	}
	tj := &TileJSON{
		TileJSON: "3.0.0", Name: name, Description: meta.Description, Version: "1.0.0",
		Attribution: attribution(meta.Sources), Scheme: "xyz",
		Tiles:   []string{TileURL(base, layer)},
		MinZoom: MaxZoom, MaxZoom: o.MaxZoom,
	}
	for _, l := range layers {
		info := l.Info()
		vl := VectorLayer{ID: info.ID, Description: info.Description, MinZoom: info.MinZoom, MaxZoom: min(info.MaxZoom, o.MaxZoom), Fields: map[string]string{}}
		for _, f := range info.Fields {
			vl.Fields[f.Name] = f.Type
		}
		tj.VectorLayers = append(tj.VectorLayers, vl)
		tj.MinZoom = min(tj.MinZoom, info.MinZoom)
	}
	if len(layers) == 0 {
		tj.MinZoom = 0
	}
	tj.Bounds = []float64{-180, -85.05112878, 180, 85.05112878}
	tj.Center = []float64{0, 0, 0}
	if b, ok := src.Bounds(); ok {
		tj.Bounds = []float64{round7(b.Min[0]), round7(b.Min[1]), round7(b.Max[0]), round7(b.Max[1])}
		span := max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1], 1e-6)
		zoom := math.Floor(math.Log2(360/span)) + 1
		zoom = max(float64(tj.MinZoom), min(zoom, float64(tj.MaxZoom)))
		tj.Center = []float64{round7((b.Min[0] + b.Max[0]) / 2), round7((b.Min[1] + b.Max[1]) / 2), zoom}
	}
	return tj, nil
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func attribution(sources []geo.Source) string {
	var parts []string
	for _, s := range sources {
		if s.License != "" {
			parts = append(parts, s.Name+" ("+s.License+")")
		} else {
			parts = append(parts, s.Name)
		}
	}
	return strings.Join(parts, "; ")
}
