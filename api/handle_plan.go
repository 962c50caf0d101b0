package api

import (
	"bytes"
	"context"
	"net/http"
	"strings"

	"jingge/api/httpx"
	"jingge/api/planning"
	"jingge/data"
)

// The planner's routes: each reads its request, asks the planning
// package, masks what the caller may not read in full (the phone numbers
// in a plan's note) and encodes the answer.

// jsonResult answers out as JSON, or err when there is one: the whole of
// a route whose work is the application's.
func (s *Server) jsonResult(w http.ResponseWriter, r *http.Request, out any, err error) error {
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

// maskNote is a plan's note as the caller of ctx may see it: with phone
// numbers masked for the roles that see members' numbers masked.
func maskNote(ctx context.Context, note string) string { return textFor(ctx, note) }

func (s *Server) handleApplyPlan(w http.ResponseWriter, r *http.Request, _ query) error {
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	var opts planning.ApplyOptions
	if err := planning.DecodeJSON(body, &opts); err != nil {
		return err
	}
	return keyedAnswer(s, w, r, body, func(key *data.AnswerKey, answer func(planning.ApplyResult) data.Answer) (planning.ApplyResult, error) {
		out, err := s.planner.ApplyKeyed(r.Context(), httpx.PathVar(r, "id"), actorOf(r), opts, key, answer)
		if err == nil && len(out.RosterOverridden) > 0 {
			// The plan is applied: a failed note is logged, not answered,
			// or the caller would retry what is done.
			if err := s.access.note(r, "applyPlanRosterOverride", rosterOverrideDetail(out)); err != nil {
				s.logger.Error("api: audit of a roster override", "plan", out.Plan.ID, "err", err)
			}
		}
		return out, err
	}, func(out planning.ApplyResult) (string, any) {
		out.Plan.Note = maskNote(r.Context(), out.Plan.Note)
		return httpx.ContentTypeJSON, out
	})
}

// rosterOverrideDetail says which roster rules a plan was applied over.
func rosterOverrideDetail(out planning.ApplyResult) string {
	parts := make([]string, len(out.RosterOverridden))
	for i, b := range out.RosterOverridden {
		parts[i] = b.GridID + " " + b.RuleID
	}
	return "plan " + out.Plan.ID + " applied over roster rules: " + strings.Join(parts, ", ")
}

func (s *Server) handleComparePlans(w http.ResponseWriter, r *http.Request, q query) error {
	out, err := s.planner.CompareOf(r.Context(), q.lookup)
	out.A.Note, out.B.Note = maskNote(r.Context(), out.A.Note), maskNote(r.Context(), out.B.Note)
	return s.jsonResult(w, r, out, err)
}

func (s *Server) handlePlanCoverage(w http.ResponseWriter, r *http.Request, q query) error {
	out, err := s.planner.CoverageOf(r.Context(), q.lookup)
	return s.jsonResult(w, r, out, err)
}

func (s *Server) handlePlanCurrent(w http.ResponseWriter, r *http.Request, _ query) error {
	out, err := s.planner.Current(r.Context())
	return s.jsonResult(w, r, out, err)
}

func (s *Server) handlePlanConfig(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.jsonResult(w, r, s.planner.Config(), nil)
}

func (s *Server) handleRosterReport(w http.ResponseWriter, r *http.Request, _ query) error {
	out, err := s.planner.Roster()
	return s.jsonResult(w, r, out, err)
}

func (s *Server) handleProposePlan(w http.ResponseWriter, r *http.Request, _ query) error {
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	doc, err := s.planner.ProposeJSON(r.Context(), body, actorOf(r))
	if err != nil {
		return err
	}
	doc.Note = maskNote(r.Context(), doc.Note)
	w.Header().Set("Location", "/api/v1/plan/plans/"+doc.ID)
	return s.jsonResult(w, r, doc, nil)
}

func (s *Server) handleListPlans(w http.ResponseWriter, r *http.Request, q query) error {
	out, err := s.planner.PlansOf(r.Context(), q.lookup)
	for i := range out.Plans {
		out.Plans[i].Note = maskNote(r.Context(), out.Plans[i].Note)
	}
	return s.jsonResult(w, r, out, err)
}

// plan returns the saved plan the path names, its note masked for the
// caller.
func (s *Server) plan(r *http.Request) (planning.Document, error) {
	doc, err := s.planner.Plan(r.Context(), httpx.PathVar(r, "id"))
	doc.Note = maskNote(r.Context(), doc.Note)
	return doc, err
}

func (s *Server) handleGetPlan(w http.ResponseWriter, r *http.Request, _ query) error {
	doc, err := s.plan(r)
	return s.jsonResult(w, r, doc, err)
}

func (s *Server) handlePlanReport(w http.ResponseWriter, r *http.Request, q query) error {
	lang, err := planning.ReportLangOf(q.lookup)
	if err != nil {
		return err
	}
	doc, err := s.plan(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := planning.WriteReport(&buf, doc, lang, s.planner.ReportNames(), s.zone()); err != nil {
		return err
	}
	httpx.WriteBody(w, http.StatusOK, contentTypeHTML, "", buf.Bytes())
	return nil
}
