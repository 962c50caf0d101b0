package pages

import (
	"log/slog"
	"net/http"

	"jingge/api/httpx"
)

// UIConfigDoc is the body of /api/v1/ui-config.
type UIConfigDoc struct {
	Basemap *Basemap `json:"basemap"`
}

// ServeUIConfig answers GET /api/v1/ui-config: the settings the pages are
// told, the basemap's zero sizes filled in.
func (s *Site) ServeUIConfig(w http.ResponseWriter, r *http.Request, logger *slog.Logger) {
	doc := UIConfigDoc{Basemap: s.ui.Basemap}
	if b := doc.Basemap; b != nil {
		c := *b
		if c.MaxZoom == 0 {
			c.MaxZoom = 18
		}
		if c.TileSize == 0 {
			c.TileSize = 256
		}
		doc.Basemap = &c
	}
	w.Header().Set("Cache-Control", "no-cache")
	httpx.WriteJSON(w, r, logger, http.StatusOK, httpx.ContentTypeJSON, doc)
}
