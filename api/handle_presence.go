package api

import (
	"net/http"

	"jingge/api/httpx"
)

// handlePresence answers GET /api/v1/presence: each officer's time per
// grid and day, and each police grid's visits by its own officers, for a
// station or the whole county. It reveals officers' movements, so it is
// read like patrol positions (viewers and up, audited).
func (s *Server) handlePresence(w http.ResponseWriter, r *http.Request, q query) error {
	from, to, err := s.presence.Window(q.get("from"), q.get("to"))
	if err != nil {
		return err
	}
	out, err := s.presence.Presence(r.Context(), q.get("station"), from, to)
	return s.jsonResult(w, r, out, err)
}

// handleGridPresence answers GET /api/v1/grids/{id}/presence: one police
// grid's visits by its own officers, the last of them and the target.
func (s *Server) handleGridPresence(w http.ResponseWriter, r *http.Request, q query) error {
	from, to, err := s.presence.Window(q.get("from"), q.get("to"))
	if err != nil {
		return err
	}
	out, err := s.presence.Grid(r.Context(), httpx.PathVar(r, "id"), from, to)
	return s.jsonResult(w, r, out, err)
}

// handleGridLastVisits answers GET /api/v1/presence/grids: every police
// grid's last visit by its own officers and the days since, for the
// command centre's map. It names no officer, so viewers read it without
// the audit of personal data.
func (s *Server) handleGridLastVisits(w http.ResponseWriter, r *http.Request, _ query) error {
	out, err := s.presence.GridLastVisits(r.Context())
	return s.jsonResult(w, r, out, err)
}
