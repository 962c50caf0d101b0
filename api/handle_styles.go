package api

import (
	"jingge/api/httpx"
	"net/http"
)

// handleStyle serves the command-center MapLibre style. Every URL in it
// points back at this server (see baseURL), so the map works on a network
// with no way out.
func (s *Server) handleStyle(w http.ResponseWriter, r *http.Request, _ query) error {
	if err := s.tilesReady(); err != nil {
		return err
	}
	st, err := s.tiles.Style(baseURL(r))
	if err != nil {
		return tileProblem(err)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, st)
	return nil
}
