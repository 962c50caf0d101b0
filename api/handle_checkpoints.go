package api

import (
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strconv"
	"time"

	"jingge/api/intake"
	"jingge/api/planning"
	"jingge/api/prevention"
)

// handleCheckpointCoverage answers the checkpoint circle: minutes is
// required, spacing_km optional.
func (s *Server) handleCheckpointCoverage(w http.ResponseWriter, r *http.Request, q query) error {
	var minutes, spacing float64
	var bad []httpx.InvalidParam
	text, ok := q.lookup("minutes")
	if !ok {
		bad = append(bad, httpx.InvalidParam{Name: "minutes", Reason: "minutes is required: the time within which a checkpoint must reach an exit, e.g. minutes=10"})
	} else if n, err := strconv.ParseFloat(text, 64); err != nil {
		bad = append(bad, httpx.InvalidParam{Name: "minutes", Reason: fmt.Sprintf("minutes must be a number of minutes, got %q", intake.Clip([]byte(text)))})
	} else {
		minutes = n
	}
	if text, ok := q.lookup("spacing_km"); ok {
		n, err := strconv.ParseFloat(text, 64)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "spacing_km", Reason: fmt.Sprintf("spacing_km must be a number of kilometres, got %q", intake.Clip([]byte(text)))})
		}
		spacing = n
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	out, err := s.planner.CheckpointCoverage(r.Context(), minutes, spacing)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handleProposeCheckpoints(w http.ResponseWriter, r *http.Request, _ query) error {
	var req planning.ProposeCheckpointsRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	out, err := s.planner.ProposeCheckpoints(r.Context(), req)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

// defaultIdentificationDays is how far back the identification circle
// reads visits when days is not given.
const defaultIdentificationDays = 90

// handleIdentification answers a station's identification circle: its key
// places and areas, whether each has a liaison and when it was last
// visited.
func (s *Server) handleIdentification(w http.ResponseWriter, r *http.Request, q query) error {
	station, ok := q.lookup("station")
	var bad []httpx.InvalidParam
	if !ok || station == "" {
		bad = append(bad, httpx.InvalidParam{Name: "station", Reason: "station is required: the id of the station whose circle to show"})
	}
	days := defaultIdentificationDays
	if text, ok := q.lookup("days"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 366 {
			bad = append(bad, httpx.InvalidParam{Name: "days", Reason: fmt.Sprintf("days must be a whole number of days from 1 to 366, got %q", intake.Clip([]byte(text)))})
		}
		days = n
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	now := time.Now()
	out, err := prevention.Identify(r.Context(), v.ix, s.visits, station, now.AddDate(0, 0, -days), now)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}
