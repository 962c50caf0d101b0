package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strconv"
	"strings"

	"jingge/api/planning"
	"jingge/data"

	"github.com/gorilla/mux"
)

// The planner's routes: each decodes its request, asks the planning
// package, masks what the caller may not read in full (the phone numbers
// in a plan's note) and encodes the answer.

// maxPlansListed caps GET /api/v1/plan/plans.
const maxPlansListed = 1000

// maskNote is a plan's note as the caller of ctx may see it: with phone
// numbers masked for the roles that see members' numbers masked.
func maskNote(ctx context.Context, note string) string { return textFor(ctx, note) }

func (s *Server) handleApplyPlan(w http.ResponseWriter, r *http.Request, _ query) error {
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	var opts planning.ApplyOptions
	if err := decodeJSONBytes(body, &opts); err != nil {
		return err
	}
	key, err := answerKey(r, body)
	if err != nil {
		return err
	}
	if done, err := s.answerKept(w, r, key); done || err != nil {
		return err
	}
	var kept data.Answer
	answer := func(out planning.ApplyResult) data.Answer {
		out.Plan.Note = maskNote(r.Context(), out.Plan.Note)
		kept = jsonAnswer(r, http.StatusOK, httpx.ContentTypeJSON, out)
		return kept
	}
	out, err := s.planner.ApplyKeyed(r.Context(), mux.Vars(r)["id"], actorOf(r), opts, key, answer)
	if replayed(w, err) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(out.RosterOverridden) > 0 {
		// The plan is applied: a failed note is logged, not answered, or
		// the caller would retry what is done.
		if err := s.access.note(r, "applyPlanRosterOverride", rosterOverrideDetail(out)); err != nil {
			s.logger.Error("api: audit of a roster override", "plan", out.Plan.ID, "err", err)
		}
	}
	if key != nil {
		writeAnswer(w, kept)
		return nil
	}
	out.Plan.Note = maskNote(r.Context(), out.Plan.Note)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handleComparePlans(w http.ResponseWriter, r *http.Request, q query) error {
	a, b := q.get("a"), q.get("b")
	if a == "" {
		a = "current"
	}
	if b == "" {
		return httpx.Invalid(httpx.InvalidParam{Name: "b", Reason: "give b, the plan to compare (a saved plan's id, or current); a defaults to current"})
	}
	out, err := s.planner.Compare(r.Context(), a, b)
	if err != nil {
		return err
	}
	out.A.Note, out.B.Note = maskNote(r.Context(), out.A.Note), maskNote(r.Context(), out.B.Note)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handlePlanCoverage(w http.ResponseWriter, r *http.Request, q query) error {
	which := planning.OriginsStations
	if v, ok := q.lookup("origins"); ok {
		which = v
	}
	out, err := s.planner.Coverage(r.Context(), which)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handlePlanCurrent(w http.ResponseWriter, r *http.Request, _ query) error {
	out, err := s.planner.Current(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handlePlanConfig(w http.ResponseWriter, r *http.Request, _ query) error {
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, s.planner.Config())
	return nil
}

// decodeBody decodes a JSON request body into v, refusing unknown members
// and trailing data; an empty body leaves v as it is.
func decodeBody(r *http.Request, v any) error {
	b, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	return decodeJSONBytes(b, v)
}

// decodeJSONBytes decodes a body read by httpx.ReadJSONBody into v as
// decodeBody does.
func decodeJSONBytes(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return httpx.InvalidBody("the request body is not the JSON this endpoint takes: %v", err)
	}
	if dec.More() {
		return httpx.InvalidBody("the request body holds more than one JSON value")
	}
	return nil
}

// actorOf names who makes a request, for plans and audits.
func (s *Server) handleProposePlan(w http.ResponseWriter, r *http.Request, _ query) error {
	var req planning.ProposeRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	doc, err := s.planner.Propose(r.Context(), req, actorOf(r))
	if err != nil {
		return err
	}
	doc.Note = maskNote(r.Context(), doc.Note)
	w.Header().Set("Location", "/api/v1/plan/plans/"+doc.ID)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, doc)
	return nil
}

func (s *Server) handleListPlans(w http.ResponseWriter, r *http.Request, q query) error {
	limit := 100
	if text, ok := q.lookup("limit"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > maxPlansListed {
			return httpx.Invalid(httpx.InvalidParam{Name: "limit", Reason: fmt.Sprintf("limit must be a whole number from 1 to %d, got %q", maxPlansListed, text)})
		}
		limit = n
	}
	out, err := s.planner.Plans(r.Context(), limit)
	if err != nil {
		return err
	}
	for i := range out.Plans {
		out.Plans[i].Note = maskNote(r.Context(), out.Plans[i].Note)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handleGetPlan(w http.ResponseWriter, r *http.Request, _ query) error {
	doc, err := s.planner.Plan(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	doc.Note = maskNote(r.Context(), doc.Note)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, doc)
	return nil
}

func (s *Server) handlePlanReport(w http.ResponseWriter, r *http.Request, q query) error {
	lang, err := planning.ParseReportLang(q.get("lang"))
	if err != nil {
		return httpx.Invalid(httpx.InvalidParam{Name: "lang", Reason: fmt.Sprintf("lang must be zh (the default) or en, got %q", q.get("lang"))})
	}
	doc, err := s.planner.Plan(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	doc.Note = maskNote(r.Context(), doc.Note)
	var buf bytes.Buffer
	if err := planning.WriteReport(&buf, doc, lang, s.planner.ReportNames(), s.zone()); err != nil {
		return err
	}
	writeBody(w, http.StatusOK, contentTypeHTML, "", buf.Bytes())
	return nil
}

// rosterOverrideDetail says which roster rules a plan was applied over.
func rosterOverrideDetail(out planning.ApplyResult) string {
	parts := make([]string, len(out.RosterOverridden))
	for i, b := range out.RosterOverridden {
		parts[i] = b.GridID + " " + b.RuleID
	}
	return "plan " + out.Plan.ID + " applied over roster rules: " + strings.Join(parts, ", ")
}
