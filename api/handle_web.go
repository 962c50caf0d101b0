package api

import (
	"net/http"

	"jingge/api/httpx"
	"jingge/api/pages"
)

// The web pages, their assets and the documents only the pages read are
// api/pages'; the server mounts the pages in front of its routes (New)
// and these handlers in its route table.

// UIConfig is what the pages are told at /api/v1/ui-config: settings of
// the deployment, not of the data (pages.UIConfig).
type UIConfig = pages.UIConfig

// handleUIConfig answers GET /api/v1/ui-config.
func (s *Server) handleUIConfig(w http.ResponseWriter, r *http.Request, _ query) error {
	s.web.ServeUIConfig(w, r, s.logger)
	return nil
}

// handleLabels answers GET /api/v1/labels: one point per police grid,
// community grid and township, inside it, to hang its name on
// (pages.Labels).
func (s *Server) handleLabels(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-cache")
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, s.labelCache.Of(v.ix, v.toWGS84))
	return nil
}
