package api

import (
	"jingge/api/httpx"
	"net/http"

	"jingge/api/planning"
)

// Export media types.
const (
	contentTypeCSV  = "text/csv; charset=utf-8"
	contentTypeHTML = "text/html; charset=utf-8"
)

func (s *Server) handlePlanMovesCSV(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.exportPlan(w, r, "moves")
}

func (s *Server) handlePlanStationsCSV(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.exportPlan(w, r, "stations")
}

// exportPlan sends the plan the path names as a CSV file of what it
// lists (planning.ExportCSV).
func (s *Server) exportPlan(w http.ResponseWriter, r *http.Request, what string) error {
	doc, err := s.plan(r)
	if err != nil {
		return err
	}
	body, name, err := planning.ExportCSV(doc, what)
	if err != nil {
		return err
	}
	httpx.WriteBody(w, http.StatusOK, contentTypeCSV, name, body)
	return nil
}
