package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"jingge/data"
	"jingge/geo/plan"
)

// ProposeRequest is the body of POST /api/v1/plan/plans. Every field is
// optional: {} proposes from today's deployment with the configured caps
// and seed 0.
type ProposeRequest struct {
	Note string `json:"note,omitempty"`
	Seed uint64 `json:"seed"`
	// MaxGridMoves and MaxOfficerMoves cap the police grids and officers
	// that change station: 0 means the configured share, -1 none.
	MaxGridMoves    int `json:"max_grid_moves"`
	MaxOfficerMoves int `json:"max_officer_moves"`
	// MinOfficersPerStation: 0 means the configured minimum, -1 none.
	MinOfficersPerStation int      `json:"min_officers_per_station"`
	LockedGrids           []string `json:"locked_grids,omitempty"`
	LockedStations        []string `json:"locked_stations,omitempty"`
	// Iterations of the grid search: 0 means the configured length; at
	// most maxIterationsPerGrid per police grid.
	Iterations int `json:"iterations"`
	// Weights override the configured objective weights; missing ones
	// keep theirs.
	Weights *WeightsOverride `json:"weights,omitempty"`
}

// WeightsOverride replaces some of the objective weights of the
// configuration for one proposal.
type WeightsOverride struct {
	Balance     *float64 `json:"balance,omitempty"`
	Compactness *float64 `json:"compactness,omitempty"`
	Response    *float64 `json:"response,omitempty"`
	Change      *float64 `json:"change,omitempty"`
}

// maxIterationsPerGrid bounds a proposal's search so one request cannot
// hold a CPU for minutes: ten times the default length.
const maxIterationsPerGrid = 20000

// PlanDocument is a plan as the API shows it: what it changes, its figures
// before and after, and where it stands.
type PlanDocument struct {
	// ID is the store's id, or "current" for today's deployment.
	ID string `json:"id"`
	// Status is "current", "proposed" or "applied".
	Status string `json:"status"`
	// Stale is true when the dataset in force is not the one the plan was
	// made against (always, once it is applied): it can no longer be applied.
	Stale     bool       `json:"stale"`
	CreatedAt *time.Time `json:"created_at"`
	CreatedBy string     `json:"created_by,omitempty"`
	Note      string     `json:"note,omitempty"`
	AppliedAt *time.Time `json:"applied_at"`
	AppliedBy string     `json:"applied_by,omitempty"`
	// Dataset is the fingerprint of the dataset the plan was made against.
	Dataset string `json:"dataset"`
	PlanBody
}

// PlanBody is the planner's account of a plan, stored with it.
type PlanBody struct {
	ReferenceTime time.Time             `json:"reference_time"`
	Incidents     int                   `json:"incidents"`
	Options       ProposeRequest        `json:"options"`
	Objective     plan.ObjectiveWeights `json:"objective_weights"`
	StationNames  map[string]string     `json:"station_names"`
	Deployment    plan.Deployment       `json:"deployment"`
	Before        plan.Measures         `json:"before"`
	After         plan.Measures         `json:"after"`
	OfficerMoves  []plan.OfficerMove    `json:"officer_moves"`
	GridMoves     []plan.GridMove       `json:"grid_moves"`
	// ChangedGrids lists every grid, police and community, whose station
	// changes, in dataset order: the grids a map highlights.
	ChangedGrids []string           `json:"changed_grids"`
	Staff        []plan.StaffChange `json:"staff"`
	Search       plan.SearchStats   `json:"search"`
}

// PlanSummary is a plan in a list.
type PlanSummary struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	Stale     bool       `json:"stale"`
	CreatedAt *time.Time `json:"created_at"`
	CreatedBy string     `json:"created_by,omitempty"`
	Note      string     `json:"note,omitempty"`
	AppliedAt *time.Time `json:"applied_at"`
	AppliedBy string     `json:"applied_by,omitempty"`
	Dataset   string     `json:"dataset"`
	PlanFigures
}

// PlanFigures are the headline figures of a plan, stored as its summary.
type PlanFigures struct {
	CVBefore           float64 `json:"cv_before"`
	CVAfter            float64 `json:"cv_after"`
	GridsMoved         int     `json:"grids_moved"`
	OfficersMoved      int     `json:"officers_moved"`
	Contiguous         bool    `json:"contiguous"`
	MeanResponseBefore float64 `json:"mean_response_minutes_before"`
	MeanResponseAfter  float64 `json:"mean_response_minutes_after"`
}

// PlanList answers GET /api/v1/plan/plans, newest first.
type PlanList struct {
	Plans []PlanSummary `json:"plans"`
}

// Propose makes a proposal from today's deployment and saves it.
func (p *Planner) Propose(ctx context.Context, req ProposeRequest, actor string) (PlanDocument, error) {
	if p.plans == nil {
		return PlanDocument{}, errNoPlanStore
	}
	m, err := p.current(ctx)
	if err != nil {
		return PlanDocument{}, err
	}
	if err := checkPropose(req, m); err != nil {
		return PlanDocument{}, err
	}
	cfg := p.cfg
	if w := req.Weights; w != nil {
		o := &cfg.Search.Objective
		for _, f := range []struct {
			dst *float64
			src *float64
		}{{&o.Balance, w.Balance}, {&o.Compactness, w.Compactness}, {&o.Response, w.Response}, {&o.Change, w.Change}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if m, err = m.withConfig(cfg); err != nil {
			return PlanDocument{}, err
		}
	}
	pr, err := m.model.Propose(m.model.Current(), plan.ProposeOptions{
		Seed: req.Seed, MaxGridMoves: req.MaxGridMoves, MaxOfficerMoves: req.MaxOfficerMoves,
		MinOfficersPerStation: req.MinOfficersPerStation, LockedGrids: req.LockedGrids, LockedStations: req.LockedStations,
		Iterations: req.Iterations,
	})
	if err != nil {
		return PlanDocument{}, planError(err)
	}
	body := PlanBody{
		ReferenceTime: m.at, Incidents: m.model.Incidents(), Options: req, Objective: cfg.Search.Objective, StationNames: m.names,
		Deployment: pr.Deployment, Before: pr.Before, After: pr.After,
		OfficerMoves: orEmptySlice(pr.OfficerMoves), GridMoves: orEmptySlice(pr.GridMoves),
		ChangedGrids: changedGrids(m, pr.GridMoves), Staff: pr.Staff, Search: pr.Search,
	}
	doc, err := json.Marshal(body)
	if err != nil {
		return PlanDocument{}, err
	}
	summary, err := json.Marshal(figuresOf(body))
	if err != nil {
		return PlanDocument{}, err
	}
	saved, err := p.plans.SavePlan(ctx, data.Plan{CreatedBy: actor, Note: req.Note, Dataset: m.dataset,
		Grids: pr.Deployment.Grids, Officers: pr.Deployment.Officers, Summary: summary, Document: doc})
	if err != nil {
		return PlanDocument{}, storeError(err)
	}
	return p.document(ctx, saved, body, m), nil
}

func orEmptySlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// checkPropose rejects options the planner would take but should not: a
// search long enough to hold a CPU for minutes, caps below -1.
func checkPropose(req ProposeRequest, m *planModel) error {
	var bad []InvalidParam
	units := len(m.model.GridWorkloads())
	if most := maxIterationsPerGrid * units; req.Iterations < 0 || req.Iterations > most {
		bad = append(bad, InvalidParam{Name: "iterations", Reason: fmt.Sprintf("iterations is %d; use 0 for the configured length, or at most %d (%d per police grid)", req.Iterations, most, maxIterationsPerGrid)})
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"max_grid_moves", req.MaxGridMoves}, {"max_officer_moves", req.MaxOfficerMoves}, {"min_officers_per_station", req.MinOfficersPerStation}} {
		if c.v < -1 {
			bad = append(bad, InvalidParam{Name: c.name, Reason: fmt.Sprintf("%s is %d; use 0 for the configured value, -1 for none, or a positive number", c.name, c.v)})
		}
	}
	if w := req.Weights; w != nil {
		for _, f := range []struct {
			name string
			v    *float64
		}{{"balance", w.Balance}, {"compactness", w.Compactness}, {"response", w.Response}, {"change", w.Change}} {
			if f.v != nil && !(*f.v >= 0 && *f.v <= 1000) {
				bad = append(bad, InvalidParam{Name: "weights." + f.name, Reason: fmt.Sprintf("weights.%s is %v; use a weight from 0 to 1000", f.name, *f.v)})
			}
		}
	}
	if len(bad) > 0 {
		return invalid(bad...)
	}
	return nil
}

// changedGrids lists every grid a plan's grid moves change, police grids
// and their villages, in dataset order.
func changedGrids(m *planModel, moves []plan.GridMove) []string {
	moved := map[string]bool{}
	for _, mv := range moves {
		moved[mv.GridID] = true
	}
	out := []string{}
	for _, g := range m.ix.Dataset().Grids {
		if moved[g.ID] || moved[g.ParentID] && g.ParentID != "" {
			out = append(out, g.ID)
		}
	}
	return out
}

func figuresOf(b PlanBody) PlanFigures {
	return PlanFigures{
		CVBefore: b.Before.Balance.CV, CVAfter: b.After.Balance.CV,
		GridsMoved: b.After.Change.GridsMoved, OfficersMoved: b.After.Change.OfficersMoved, Contiguous: b.After.Contiguous,
		MeanResponseBefore: b.Before.Response.MeanMinutes, MeanResponseAfter: b.After.Response.MeanMinutes,
	}
}

// document joins a stored plan and its body, with its standing against m
// (the model in force; nil when none is loaded), and its note as the
// caller of ctx may see it (phone numbers masked, textFor).
func (p *Planner) document(ctx context.Context, pl data.Plan, body PlanBody, m *planModel) PlanDocument {
	d := PlanDocument{ID: pl.ID, Status: "proposed", CreatedBy: pl.CreatedBy, Note: textFor(ctx, pl.Note), AppliedBy: pl.AppliedBy, Dataset: pl.Dataset, PlanBody: body}
	d.CreatedAt = timePtr(pl.CreatedAt)
	if pl.Applied() {
		d.Status = "applied"
		d.AppliedAt = timePtr(pl.AppliedAt)
	}
	d.Stale = pl.Applied() || m != nil && m.dataset != pl.Dataset
	return d
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// currentDocument is today's deployment as a plan that changes nothing.
func currentDocument(m *planModel) (PlanDocument, error) {
	d := m.model.Current()
	ms, err := m.model.Measure(d)
	if err != nil {
		return PlanDocument{}, planError(err)
	}
	return PlanDocument{ID: "current", Status: "current", Dataset: m.dataset, PlanBody: PlanBody{
		ReferenceTime: m.at, Incidents: m.model.Incidents(), Objective: m.model.Config().Search.Objective, StationNames: m.names,
		Deployment: d, Before: ms, After: ms, OfficerMoves: []plan.OfficerMove{}, GridMoves: []plan.GridMove{}, ChangedGrids: []string{},
		Staff: []plan.StaffChange{},
	}}, nil
}

// Plan returns a saved plan, or today's deployment for id "current".
func (p *Planner) Plan(ctx context.Context, id string) (PlanDocument, error) {
	if id == "current" {
		m, err := p.current(ctx)
		if err != nil {
			return PlanDocument{}, err
		}
		return currentDocument(m)
	}
	if p.plans == nil {
		return PlanDocument{}, notFound("there is no plan %q: this server keeps no plans", id)
	}
	pl, err := p.plans.Plan(ctx, id)
	if errors.Is(err, data.ErrNotFound) {
		return PlanDocument{}, notFound("there is no plan %q; GET /api/v1/plan/plans lists them", id)
	}
	if err != nil {
		return PlanDocument{}, err
	}
	var body PlanBody
	dec := json.NewDecoder(bytes.NewReader(pl.Document))
	if err := dec.Decode(&body); err != nil {
		return PlanDocument{}, fmt.Errorf("api: plan %s: stored document: %w", id, err)
	}
	m, err := p.current(ctx)
	if err != nil && !errors.Is(err, data.ErrUnavailable) {
		return PlanDocument{}, err
	}
	return p.document(ctx, pl, body, m), nil
}

// Plans lists up to limit saved plans, newest first.
func (p *Planner) Plans(ctx context.Context, limit int) (PlanList, error) {
	out := PlanList{Plans: []PlanSummary{}}
	if p.plans == nil {
		return out, nil
	}
	list, err := p.plans.Plans(ctx, limit)
	if err != nil {
		return PlanList{}, err
	}
	m, err := p.current(ctx)
	if err != nil && !errors.Is(err, data.ErrUnavailable) {
		return PlanList{}, err
	}
	for _, pl := range list {
		d := p.document(ctx, pl, PlanBody{}, m)
		s := PlanSummary{ID: d.ID, Status: d.Status, Stale: d.Stale, CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy, Note: d.Note,
			AppliedAt: d.AppliedAt, AppliedBy: d.AppliedBy, Dataset: d.Dataset}
		if len(pl.Summary) > 0 {
			_ = json.Unmarshal(pl.Summary, &s.PlanFigures) // a summary the API did not write shows as zeros
		}
		out.Plans = append(out.Plans, s)
	}
	return out, nil
}

// decodeBody decodes a JSON request body into v, refusing unknown members
// and trailing data; an empty body leaves v as it is.
func decodeBody(r *http.Request, v any) error {
	b, err := readJSONBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalidBody("the request body is not the JSON this endpoint takes: %v", err)
	}
	if dec.More() {
		return invalidBody("the request body holds more than one JSON value")
	}
	return nil
}

// actorOf names who makes a request, for plans and audits.
func (s *Server) handleProposePlan(w http.ResponseWriter, r *http.Request, _ query) error {
	var req ProposeRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	doc, err := s.planner.Propose(r.Context(), req, actorOf(r))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/plan/plans/"+doc.ID)
	writeJSON(w, r, s.logger, http.StatusOK, contentTypeJSON, doc)
	return nil
}

func (s *Server) handleListPlans(w http.ResponseWriter, r *http.Request, q query) error {
	limit := 100
	if text, ok := q.lookup("limit"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > maxPlansListed {
			return invalid(InvalidParam{Name: "limit", Reason: fmt.Sprintf("limit must be a whole number from 1 to %d, got %q", maxPlansListed, text)})
		}
		limit = n
	}
	out, err := s.planner.Plans(r.Context(), limit)
	if err != nil {
		return err
	}
	writeJSON(w, r, s.logger, http.StatusOK, contentTypeJSON, out)
	return nil
}

func (s *Server) handleGetPlan(w http.ResponseWriter, r *http.Request, _ query) error {
	doc, err := s.planner.Plan(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	writeJSON(w, r, s.logger, http.StatusOK, contentTypeJSON, doc)
	return nil
}
