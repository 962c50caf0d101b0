package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"jingge/api/httpx"
	"net/http"

	"jingge/api/planning"
	"jingge/data"
	"jingge/geo/plan"

	"github.com/gorilla/mux"
)

// monthParam reads a month query parameter; ok is false when it is absent.
func monthParam(q query, name string, bad *[]httpx.InvalidParam) (m plan.Month, ok bool) {
	text, ok := q.lookup(name)
	if !ok {
		return plan.Month{}, false
	}
	m, err := plan.ParseMonth(text)
	if err != nil || !m.Valid() {
		*bad = append(*bad, httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("%s must be a month written YYYY-MM, e.g. 2026-03, got %q", name, text)})
		return plan.Month{}, false
	}
	return m, true
}

func (s *Server) handleAssessmentMonth(w http.ResponseWriter, r *http.Request, _ query) error {
	text := mux.Vars(r)["month"]
	m, err := plan.ParseMonth(text)
	if err != nil || !m.Valid() {
		return httpx.Invalid(httpx.InvalidParam{Name: "month", Reason: fmt.Sprintf("the month must be written YYYY-MM, e.g. /api/v1/assessment/2026-03, got %q", text)})
	}
	out, err := s.planner.Assess(r.Context(), m, m)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handleAssessmentTrend(w http.ResponseWriter, r *http.Request, q query) error {
	var bad []httpx.InvalidParam
	from, okFrom := monthParam(q, "from", &bad)
	to, okTo := monthParam(q, "to", &bad)
	if len(bad) == 0 && (!okFrom || !okTo) {
		bad = append(bad, httpx.InvalidParam{Name: "from", Reason: "give both from and to, e.g. ?from=2026-01&to=2026-06"})
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	out, err := s.planner.Assess(r.Context(), from, to)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handleGetAssessmentEntries(w http.ResponseWriter, r *http.Request, q query) error {
	var bad []httpx.InvalidParam
	from, okFrom := monthParam(q, "from", &bad)
	to, okTo := monthParam(q, "to", &bad)
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
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
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handlePutAssessmentEntries(w http.ResponseWriter, r *http.Request, _ query) error {
	raw, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	var body planning.AssessmentEntries
	if err := decodeJSONBytes(raw, &body); err != nil {
		return err
	}
	rows := make([]planning.AssessmentRow, len(body.Entries))
	for i, e := range body.Entries {
		rows[i] = planning.AssessmentRow{Entry: e}
	}
	return s.putAssessment(w, r, raw, rows)
}

func (s *Server) handleImportAssessment(w http.ResponseWriter, r *http.Request, _ query) error {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return httpx.BodyError(err)
	}
	rows, err := planning.ParseAssessmentCSV(bytes.NewReader(raw))
	if err != nil {
		if be := bodyReadError(err); be != nil {
			return be
		}
		return planning.ContentError(err)
	}
	return s.putAssessment(w, r, raw, rows)
}

// putAssessment saves rows, read from the request body raw, under the
// request's Idempotency-Key when it has one.
func (s *Server) putAssessment(w http.ResponseWriter, r *http.Request, raw []byte, rows []planning.AssessmentRow) error {
	key, err := answerKey(r, raw)
	if err != nil {
		return err
	}
	if done, err := s.answerKept(w, r, key); done || err != nil {
		return err
	}
	var kept data.Answer
	answer := func(out planning.AssessmentSaved) data.Answer {
		kept = jsonAnswer(r, http.StatusOK, httpx.ContentTypeJSON, out)
		return kept
	}
	out, err := s.planner.PutAssessmentKeyed(r.Context(), rows, actorOf(r), key, answer)
	if replayed(w, err) {
		return nil
	}
	if err != nil {
		return err
	}
	if key != nil {
		writeAnswer(w, kept)
		return nil
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

// bodyReadError is the problem of a CSV body that could not be read (too
// large, cut off); nil when the CSV was read and found wanting.
func bodyReadError(err error) error {
	var verr *data.ValidationError
	if errors.As(err, &verr) {
		return nil
	}
	return httpx.BodyError(err)
}
