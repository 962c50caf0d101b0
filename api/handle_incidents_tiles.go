package api

import (
	"errors"
	"net/http"

	"jingge/api/httpx"
	"jingge/api/incidents"
	"jingge/data"
	"jingge/tiles"
)

// handleIncidentTile answers a tile of the incidents layer for the window
// of its query (the last 30 days by default); without an incidents layer
// it answers as any unknown layer does.
func (s *Server) handleIncidentTile(w http.ResponseWriter, r *http.Request, q query) error {
	layer := s.inc.svc.Tiles()
	if layer == nil {
		return s.serveTile(w, r, tiles.LayerIncidents)
	}
	if err := s.tilesReady(); err != nil {
		return err
	}
	win, bad := incidents.ParseTileWindow(q.lookup, layer.DefaultWindow(), s.zone())
	t, err := tileAddress(r)
	if err != nil {
		var ce *tiles.CoordError
		if !errors.As(err, &ce) {
			return err
		}
		bad = append(bad, data.Param{Name: ce.Param, Reason: ce.Reason})
	}
	if len(bad) > 0 {
		return httpx.Invalid(httpParams(bad)...)
	}
	tile, err := s.inc.svc.Tile(r.Context(), t, win)
	if err != nil {
		return err
	}
	return s.writeTile(w, r, tiles.LayerIncidents, tile)
}

// IncidentTileSource lists a window's incidents from st for the incidents
// tile layer (incidents.TileSource).
func IncidentTileSource(st data.IncidentStore) tiles.IncidentSource { return incidents.TileSource(st) }

// incidentTileLayers lists the incidents layer of cfg, if any, for the
// tile Service api.New makes, so TileJSON lists it beside the index layers.
func incidentTileLayers(cfg Config) []tiles.Layer {
	if cfg.IncidentTiles == nil {
		return nil
	}
	return []tiles.Layer{cfg.IncidentTiles}
}
