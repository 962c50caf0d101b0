package pages

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// UIConfig is what the web pages are told at /api/v1/ui-config: settings of
// the deployment, not of the data.
type UIConfig struct {
	// Basemap, when not nil, is a raster tile service the command-center
	// map draws under the grids. Nil (the default) draws only jingge's own
	// offline base layer.
	Basemap *Basemap
}

// Basemap is a raster XYZ tile service: an internal PGIS, or Tianditu with
// the bureau's key in its URL. Its tiles must be Web Mercator in WGS-84 /
// CGCS2000 (as Tianditu's "_w" layers are); tiles shifted to GCJ-02 or
// BD-09 (Gaode, Tencent, Baidu) would sit a few hundred metres off the grids.
type Basemap struct {
	// Tiles are URL templates with {z}, {x} and {y} (XYZ rows, counted
	// from the north), one per host the tiles may be fetched from. The key, if the
	// service needs one, is part of the template and so visible to every
	// browser that opens the map.
	Tiles []string `json:"tiles"`
	// Attribution is shown on the map, as the service's terms require.
	Attribution string `json:"attribution"`
	// MaxZoom is the deepest zoom the service has tiles for; deeper zooms
	// enlarge them. Zero means 18.
	MaxZoom int `json:"max_zoom"`
	// TileSize is the tiles' size in pixels; zero means 256.
	TileSize int `json:"tile_size"`
}

// ParseBasemap reads the basemap of a deployment: templates separated by
// spaces (as a flag or environment variable gives them) and the
// attribution. Empty templates mean no basemap: nil, no error.
func ParseBasemap(templates, attribution string) (*Basemap, error) {
	tiles := strings.Fields(templates)
	if len(tiles) == 0 {
		return nil, nil
	}
	b := &Basemap{Tiles: tiles, Attribution: strings.TrimSpace(attribution), MaxZoom: 18, TileSize: 256}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

// Validate reports a template that is not an absolute http(s) URL with
// {z}, {x} and {y} placeholders, or sizes out of range.
func (b *Basemap) Validate() error {
	if len(b.Tiles) == 0 {
		return errors.New("pages: basemap: no tile URL template")
	}
	for _, tpl := range b.Tiles {
		u, err := url.Parse(placeholders.Replace(tpl))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("pages: basemap: %q is not an absolute http or https URL", tpl)
		}
		if !strings.Contains(tpl, "{z}") || !strings.Contains(tpl, "{x}") || !strings.Contains(tpl, "{y}") {
			return fmt.Errorf("pages: basemap: %q needs {z}, {x} and {y} placeholders", tpl)
		}
	}
	if b.MaxZoom < 0 || b.MaxZoom > 24 {
		return fmt.Errorf("pages: basemap: max zoom %d is outside 0..24", b.MaxZoom)
	}
	if b.TileSize != 0 && b.TileSize != 256 && b.TileSize != 512 {
		return fmt.Errorf("pages: basemap: tile size %d is not 256 or 512", b.TileSize)
	}
	return nil
}

// placeholders fills a template's placeholders so it parses as a URL.
var placeholders = strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0")

// origins lists the scheme://host of the templates, for the pages'
// Content-Security-Policy.
func (b *Basemap) origins() []string {
	var out []string
	for _, tpl := range b.Tiles {
		u, err := url.Parse(placeholders.Replace(tpl))
		if err != nil {
			continue
		}
		if o := u.Scheme + "://" + u.Host; !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
