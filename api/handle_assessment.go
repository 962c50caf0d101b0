package api

import (
	"errors"
	"fmt"
	"net/http"

	"jingge/api/planning"
	"jingge/data"
	"jingge/geo/plan"

	"github.com/gorilla/mux"
)

// monthParam reads a month query parameter; ok is false when it is absent.
func monthParam(q query, name string, bad *[]InvalidParam) (m plan.Month, ok bool) {
	text, ok := q.lookup(name)
	if !ok {
		return plan.Month{}, false
	}
	m, err := plan.ParseMonth(text)
	if err != nil || !m.Valid() {
		*bad = append(*bad, InvalidParam{Name: name, Reason: fmt.Sprintf("%s must be a month written YYYY-MM, e.g. 2026-03, got %q", name, text)})
		return plan.Month{}, false
	}
	return m, true
}

func (s *Server) handleAssessmentMonth(w http.ResponseWriter, r *http.Request, _ query) error {
	text := mux.Vars(r)["month"]
	m, err := plan.ParseMonth(text)
	if err != nil || !m.Valid() {
		return invalid(InvalidParam{Name: "month", Reason: fmt.Sprintf("the month must be written YYYY-MM, e.g. /api/v1/assessment/2026-03, got %q", text)})
	}
	out, err := s.planner.Assess(r.Context(), m, m)
	if err != nil {
		return err
	}
	writeJSON(w, r, s.logger, http.StatusOK, contentTypeJSON, out)
	return nil
}

func (s *Server) handleAssessmentTrend(w http.ResponseWriter, r *http.Request, q query) error {
	var bad []InvalidParam
	from, okFrom := monthParam(q, "from", &bad)
	to, okTo := monthParam(q, "to", &bad)
	if len(bad) == 0 && (!okFrom || !okTo) {
		bad = append(bad, InvalidParam{Name: "from", Reason: "give both from and to, e.g. ?from=2026-01&to=2026-06"})
	}
	if len(bad) > 0 {
		return invalid(bad...)
	}
	out, err := s.planner.Assess(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, r, s.logger, http.StatusOK, contentTypeJSON, out)
	return nil
}

func (s *Server) handleGetAssessmentEntries(w http.ResponseWriter, r *http.Request, q query) error {
	var bad []InvalidParam
	from, okFrom := monthParam(q, "from", &bad)
	to, okTo := monthParam(q, "to", &bad)
	if len(bad) > 0 {
		return invalid(bad...)
	}
	var f, t string
	if okFrom {
		f = from.String()
	}
	if okTo {
		t = to.String()
	}
	out, err := s.planner.Entries(r.Context(), f, t)
	if err != nil {
		return err
	}
	writeJSON(w, r, s.logger, http.StatusOK, contentTypeJSON, out)
	return nil
}

func (s *Server) handlePutAssessmentEntries(w http.ResponseWriter, r *http.Request, _ query) error {
	var body planning.AssessmentEntries
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	rows := make([]planning.AssessmentRow, len(body.Entries))
	for i, e := range body.Entries {
		rows[i] = planning.AssessmentRow{Entry: e}
	}
	out, err := s.planner.PutAssessment(r.Context(), rows, actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, r, s.logger, http.StatusOK, contentTypeJSON, out)
	return nil
}

func (s *Server) handleImportAssessment(w http.ResponseWriter, r *http.Request, _ query) error {
	rows, err := planning.ParseAssessmentCSV(r.Body)
	if err != nil {
		if be := bodyReadError(err); be != nil {
			return be
		}
		return planning.ContentError(err)
	}
	out, err := s.planner.PutAssessment(r.Context(), rows, actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, r, s.logger, http.StatusOK, contentTypeJSON, out)
	return nil
}

// bodyReadError is the problem of a CSV body that could not be read (too
// large, cut off); nil when the CSV was read and found wanting.
func bodyReadError(err error) error {
	var verr *data.ValidationError
	if errors.As(err, &verr) {
		return nil
	}
	return bodyError(err)
}
