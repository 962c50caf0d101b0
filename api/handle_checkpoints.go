package api

import (
	"jingge/api/httpx"
	"net/http"
	"time"

	"jingge/api/prevention"
)

// handleCheckpointCoverage answers the checkpoint circle: minutes is
// required, spacing_km optional.
func (s *Server) handleCheckpointCoverage(w http.ResponseWriter, r *http.Request, q query) error {
	out, err := s.planner.CheckpointCoverageOf(r.Context(), q.lookup)
	return s.jsonResult(w, r, out, err)
}

func (s *Server) handleProposeCheckpoints(w http.ResponseWriter, r *http.Request, _ query) error {
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	out, err := s.planner.ProposeCheckpointsJSON(r.Context(), body)
	return s.jsonResult(w, r, out, err)
}

// handleIdentification answers a station's identification circle: its key
// places and areas, whether each has a liaison and when it was last
// visited.
func (s *Server) handleIdentification(w http.ResponseWriter, r *http.Request, q query) error {
	station, days, err := prevention.ReadIdentification(q.lookup)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	now := time.Now()
	out, err := prevention.Identify(r.Context(), v.ix, s.visits, station, now.AddDate(0, 0, -days), now)
	return s.jsonResult(w, r, out, err)
}
