package api

import (
	"jingge/api/httpx"
	"net/http"
)

// handleRosterReport lists every grid of the dataset in force that breaks
// a roster rule (GET /api/v1/roster/report).
func (s *Server) handleRosterReport(w http.ResponseWriter, r *http.Request, _ query) error {
	rep, err := s.planner.Roster()
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, rep)
	return nil
}
