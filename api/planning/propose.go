package planning

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// Document is a plan as the API shows it: what it changes, its figures
// before and after, and where it stands.
type Document struct {
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
	Body
}

// Body is the planner's account of a plan, stored with it.
type Body struct {
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

// Summary is a plan in a list.
type Summary struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	Stale     bool       `json:"stale"`
	CreatedAt *time.Time `json:"created_at"`
	CreatedBy string     `json:"created_by,omitempty"`
	Note      string     `json:"note,omitempty"`
	AppliedAt *time.Time `json:"applied_at"`
	AppliedBy string     `json:"applied_by,omitempty"`
	Dataset   string     `json:"dataset"`
	Figures
}

// Figures are the headline figures of a plan, stored as its summary.
type Figures struct {
	CVBefore           float64 `json:"cv_before"`
	CVAfter            float64 `json:"cv_after"`
	GridsMoved         int     `json:"grids_moved"`
	OfficersMoved      int     `json:"officers_moved"`
	Contiguous         bool    `json:"contiguous"`
	MeanResponseBefore float64 `json:"mean_response_minutes_before"`
	MeanResponseAfter  float64 `json:"mean_response_minutes_after"`
}

// List answers GET /api/v1/plan/plans, newest first.
type List struct {
	Plans []Summary `json:"plans"`
}

// Propose makes a proposal from today's deployment and saves it.
func (p *Planner) Propose(ctx context.Context, req ProposeRequest, actor string) (Document, error) {
	if p.plans == nil {
		return Document{}, errNoPlanStore
	}
	m, err := p.current(ctx)
	if err != nil {
		return Document{}, err
	}
	if err := checkPropose(req, m); err != nil {
		return Document{}, err
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
			return Document{}, err
		}
	}
	pr, err := m.model.Propose(m.model.Current(), plan.ProposeOptions{
		Seed: req.Seed, MaxGridMoves: req.MaxGridMoves, MaxOfficerMoves: req.MaxOfficerMoves,
		MinOfficersPerStation: req.MinOfficersPerStation, LockedGrids: req.LockedGrids, LockedStations: req.LockedStations,
		Iterations: req.Iterations,
	})
	if err != nil {
		return Document{}, planError(err)
	}
	body := Body{
		ReferenceTime: m.at, Incidents: m.model.Incidents(), Options: req, Objective: cfg.Search.Objective, StationNames: m.names,
		Deployment: pr.Deployment, Before: pr.Before, After: pr.After,
		OfficerMoves: orEmptySlice(pr.OfficerMoves), GridMoves: orEmptySlice(pr.GridMoves),
		ChangedGrids: changedGrids(m, pr.GridMoves), Staff: pr.Staff, Search: pr.Search,
	}
	doc, err := json.Marshal(body)
	if err != nil {
		return Document{}, err
	}
	summary, err := json.Marshal(figuresOf(body))
	if err != nil {
		return Document{}, err
	}
	saved, err := p.plans.SavePlan(ctx, data.Plan{CreatedBy: actor, Note: req.Note, Dataset: m.dataset,
		Grids: pr.Deployment.Grids, Officers: pr.Deployment.Officers, Summary: summary, Document: doc})
	if err != nil {
		return Document{}, ContentError(err)
	}
	return p.document(saved, body, m), nil
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
	var bad []data.Param
	units := len(m.model.GridWorkloads())
	if most := maxIterationsPerGrid * units; req.Iterations < 0 || req.Iterations > most {
		bad = append(bad, data.Param{Name: "iterations", Reason: fmt.Sprintf("iterations is %d; use 0 for the configured length, or at most %d (%d per police grid)", req.Iterations, most, maxIterationsPerGrid)})
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"max_grid_moves", req.MaxGridMoves}, {"max_officer_moves", req.MaxOfficerMoves}, {"min_officers_per_station", req.MinOfficersPerStation}} {
		if c.v < -1 {
			bad = append(bad, data.Param{Name: c.name, Reason: fmt.Sprintf("%s is %d; use 0 for the configured value, -1 for none, or a positive number", c.name, c.v)})
		}
	}
	if w := req.Weights; w != nil {
		for _, f := range []struct {
			name string
			v    *float64
		}{{"balance", w.Balance}, {"compactness", w.Compactness}, {"response", w.Response}, {"change", w.Change}} {
			if f.v != nil && !(*f.v >= 0 && *f.v <= 1000) {
				bad = append(bad, data.Param{Name: "weights." + f.name, Reason: fmt.Sprintf("weights.%s is %v; use a weight from 0 to 1000", f.name, *f.v)})
			}
		}
	}
	if len(bad) > 0 {
		return data.InvalidParams(bad...)
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

func figuresOf(b Body) Figures {
	return Figures{
		CVBefore: b.Before.Balance.CV, CVAfter: b.After.Balance.CV,
		GridsMoved: b.After.Change.GridsMoved, OfficersMoved: b.After.Change.OfficersMoved, Contiguous: b.After.Contiguous,
		MeanResponseBefore: b.Before.Response.MeanMinutes, MeanResponseAfter: b.After.Response.MeanMinutes,
	}
}

// document joins a stored plan and its body, with its standing against m
// (the model in force; nil when none is loaded). The note is as stored:
// masking phone numbers for the roles that see them masked is the API's.
func (p *Planner) document(pl data.Plan, body Body, m *planModel) Document {
	d := Document{ID: pl.ID, Status: "proposed", CreatedBy: pl.CreatedBy, Note: pl.Note, AppliedBy: pl.AppliedBy, Dataset: pl.Dataset, Body: body}
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
func currentDocument(m *planModel) (Document, error) {
	d := m.model.Current()
	ms, err := m.model.Measure(d)
	if err != nil {
		return Document{}, planError(err)
	}
	return Document{ID: "current", Status: "current", Dataset: m.dataset, Body: Body{
		ReferenceTime: m.at, Incidents: m.model.Incidents(), Objective: m.model.Config().Search.Objective, StationNames: m.names,
		Deployment: d, Before: ms, After: ms, OfficerMoves: []plan.OfficerMove{}, GridMoves: []plan.GridMove{}, ChangedGrids: []string{},
		Staff: []plan.StaffChange{},
	}}, nil
}

// Plan returns a saved plan, or today's deployment for id "current".
func (p *Planner) Plan(ctx context.Context, id string) (Document, error) {
	if id == "current" {
		m, err := p.current(ctx)
		if err != nil {
			return Document{}, err
		}
		return currentDocument(m)
	}
	if p.plans == nil {
		return Document{}, data.NotFound("there is no plan %q: this server keeps no plans", id)
	}
	pl, err := p.plans.Plan(ctx, id)
	if errors.Is(err, data.ErrNotFound) {
		return Document{}, data.NotFound("there is no plan %q; GET /api/v1/plan/plans lists them", id)
	}
	if err != nil {
		return Document{}, err
	}
	var body Body
	dec := json.NewDecoder(bytes.NewReader(pl.Document))
	if err := dec.Decode(&body); err != nil {
		return Document{}, fmt.Errorf("planning: plan %s: stored document: %w", id, err)
	}
	m, err := p.current(ctx)
	if err != nil && !errors.Is(err, data.ErrUnavailable) {
		return Document{}, err
	}
	return p.document(pl, body, m), nil
}

// Plans lists up to limit saved plans, newest first.
func (p *Planner) Plans(ctx context.Context, limit int) (List, error) {
	out := List{Plans: []Summary{}}
	if p.plans == nil {
		return out, nil
	}
	list, err := p.plans.Plans(ctx, limit)
	if err != nil {
		return List{}, err
	}
	m, err := p.current(ctx)
	if err != nil && !errors.Is(err, data.ErrUnavailable) {
		return List{}, err
	}
	for _, pl := range list {
		d := p.document(pl, Body{}, m)
		s := Summary{ID: d.ID, Status: d.Status, Stale: d.Stale, CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy, Note: d.Note,
			AppliedAt: d.AppliedAt, AppliedBy: d.AppliedBy, Dataset: d.Dataset}
		if len(pl.Summary) > 0 {
			_ = json.Unmarshal(pl.Summary, &s.Figures) // a summary the API did not write shows as zeros
		}
		out.Plans = append(out.Plans, s)
	}
	return out, nil
}
