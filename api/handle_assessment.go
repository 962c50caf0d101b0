package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"jingge/api/httpx"
	"jingge/api/planning"
	"jingge/data"
)

func (s *Server) handleAssessmentMonth(w http.ResponseWriter, r *http.Request, _ query) error {
	out, err := s.planner.AssessMonthText(r.Context(), httpx.PathVar(r, "month"))
	return s.jsonResult(w, r, out, err)
}

func (s *Server) handleAssessmentTrend(w http.ResponseWriter, r *http.Request, q query) error {
	out, err := s.planner.AssessTrend(r.Context(), q.lookup)
	return s.jsonResult(w, r, out, err)
}

func (s *Server) handleGetAssessmentEntries(w http.ResponseWriter, r *http.Request, q query) error {
	out, err := s.planner.EntriesOf(r.Context(), q.lookup)
	return s.jsonResult(w, r, out, err)
}

func (s *Server) handlePutAssessmentEntries(w http.ResponseWriter, r *http.Request, _ query) error {
	raw, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	rows, err := planning.AssessmentRowsJSON(raw)
	if err != nil {
		return err
	}
	return s.putAssessment(w, r, raw, rows)
}

func (s *Server) handleImportAssessment(w http.ResponseWriter, r *http.Request, _ query) error {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return httpx.BodyError(err)
	}
	rows, err := planning.ParseAssessmentCSV(bytes.NewReader(raw))
	var verr *data.ValidationError
	switch {
	case errors.As(err, &verr):
		return planning.ContentError(err)
	case err != nil: // the CSV could not be read (too large, cut off)
		return httpx.BodyError(err)
	}
	return s.putAssessment(w, r, raw, rows)
}

// putAssessment saves rows, read from the request body raw, under the
// request's Idempotency-Key when it has one.
func (s *Server) putAssessment(w http.ResponseWriter, r *http.Request, raw []byte, rows []planning.AssessmentRow) error {
	return keyedAnswer(s, w, r, raw, func(key *data.AnswerKey, answer func(planning.AssessmentSaved) data.Answer) (planning.AssessmentSaved, error) {
		return s.planner.PutAssessmentKeyed(r.Context(), rows, actorOf(r), key, answer)
	}, nil)
}
