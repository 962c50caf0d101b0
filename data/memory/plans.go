package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"jingge/data"
	"jingge/geo"
)

// PlanStore is the embedded store with the planner's plans and the entered
// metrics of the monthly assessment beside its dataset. Like the dataset
// they live as long as the process. Everything shares the Store's lock, so
// applying a plan changes the dataset and marks the plan in one step.
type PlanStore struct {
	*Store
	// Guarded by Store.mu.
	plans   []data.Plan
	entries map[[2]string]data.AssessmentEntry // (station, month) -> entry
}

var (
	_ data.PlanStore       = (*PlanStore)(nil)
	_ data.AssessmentStore = (*PlanStore)(nil)
)

// WithPlans returns st with a plan and assessment store beside it. Call it
// once per Store: two PlanStores of one Store keep separate plans.
func WithPlans(st *Store) *PlanStore {
	return &PlanStore{Store: st, entries: map[[2]string]data.AssessmentEntry{}}
}

// storeTime is t as the PostGIS store gives it back: UTC, to the
// microsecond, without a monotonic reading.
func storeTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// SavePlan implements data.PlanStore.
func (p *PlanStore) SavePlan(ctx context.Context, pl data.Plan) (_ data.Plan, err error) {
	if err := ctx.Err(); err != nil {
		return data.Plan{}, err
	}
	var tk ticket
	defer func() { err = p.jr.settle(tk, err) }()
	if err := checkPlan(pl); err != nil {
		return data.Plan{}, fmt.Errorf("memory: save plan: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pl = clonePlan(pl)
	pl.ID = strconv.Itoa(len(p.plans) + 1)
	pl.CreatedAt = storeTime(p.now())
	pl.AppliedAt, pl.AppliedBy = time.Time{}, ""
	p.plans = append(p.plans, pl)
	tk = p.jr.log(recPlan, planRecord{Plan: pl})
	return clonePlan(pl), nil
}

// checkPlan rejects what the PostGIS schema would reject.
func checkPlan(pl data.Plan) error {
	var problems []data.Problem
	if pl.Dataset == "" {
		problems = append(problems, data.Problem{Kind: "plan", Reason: "the dataset fingerprint is empty"})
	}
	if len(pl.Summary) > 0 && !json.Valid(pl.Summary) {
		problems = append(problems, data.Problem{Kind: "plan", Reason: "the summary is not valid JSON"})
	}
	if !json.Valid(pl.Document) {
		problems = append(problems, data.Problem{Kind: "plan", Reason: "the document is not valid JSON"})
	}
	if len(problems) > 0 {
		return &data.ValidationError{Problems: problems}
	}
	return nil
}

func clonePlan(pl data.Plan) data.Plan {
	grids := make(map[string]string, len(pl.Grids))
	for k, v := range pl.Grids {
		grids[k] = v
	}
	officers := make(map[string]int, len(pl.Officers))
	for k, v := range pl.Officers {
		officers[k] = v
	}
	pl.Grids, pl.Officers = grids, officers
	pl.Summary = slices.Clone(pl.Summary)
	pl.Document = slices.Clone(pl.Document)
	return pl
}

// planAt returns the position of plan id, or -1. p.mu must be held.
func (p *PlanStore) planAt(id string) int {
	n, err := strconv.Atoi(id)
	if err != nil || n < 1 || n > len(p.plans) || strconv.Itoa(n) != id {
		return -1
	}
	return n - 1
}

// Plan implements data.PlanStore.
func (p *PlanStore) Plan(ctx context.Context, id string) (data.Plan, error) {
	if err := ctx.Err(); err != nil {
		return data.Plan{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.planAt(id)
	if i < 0 {
		return data.Plan{}, fmt.Errorf("memory: plan %q: %w", id, data.ErrNotFound)
	}
	return clonePlan(p.plans[i]), nil
}

// Plans implements data.PlanStore.
func (p *PlanStore) Plans(ctx context.Context, limit int) ([]data.Plan, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []data.Plan{}
	for i := len(p.plans) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		pl := clonePlan(p.plans[i])
		pl.Document = nil
		out = append(out, pl)
	}
	return out, nil
}

// ApplyPlan implements data.PlanStore. The memory store keeps the grid
// history but no audit rows.
func (p *PlanStore) ApplyPlan(ctx context.Context, a data.PlanApplication) (_ data.PlanApplied, err error) {
	if err := ctx.Err(); err != nil {
		return data.PlanApplied{}, err
	}
	if err := checkKeyed(a.Key, a.Answer != nil); err != nil {
		return data.PlanApplied{}, err
	}
	var tk ticket
	defer func() { err = p.jr.settle(tk, err) }()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.usedKeyLocked(a.Key, &tk); err != nil {
		return data.PlanApplied{}, err
	}
	i := p.planAt(a.PlanID)
	if i < 0 {
		return data.PlanApplied{}, fmt.Errorf("memory: apply plan %q: %w", a.PlanID, data.ErrNotFound)
	}
	pl := p.plans[i]
	if pl.Applied() {
		return data.PlanApplied{}, fmt.Errorf("memory: apply plan %s: %w: it was applied at %s", a.PlanID, data.ErrConflict, pl.AppliedAt.Format(time.RFC3339))
	}
	if fp := data.Fingerprint(p.ds); fp != a.Dataset {
		return data.PlanApplied{}, fmt.Errorf("memory: apply plan %s: %w: the changes were worked out on dataset %s but %s is in force", a.PlanID, data.ErrConflict, a.Dataset, fp)
	}
	next := Clone(p.ds)
	if missing := data.ApplyToDataset(next, a); len(missing) > 0 {
		return data.PlanApplied{}, fmt.Errorf("memory: apply plan %s: %w: %s", a.PlanID, data.ErrNotFound, joinProblems(missing))
	}
	if problems := geo.CheckIndex(next); len(problems) > 0 {
		return data.PlanApplied{}, fmt.Errorf("memory: apply plan %s: %w", a.PlanID, &data.ValidationError{Problems: problems})
	}
	oldStation := make(map[string]string, len(p.ds.Grids))
	for _, g := range p.ds.Grids {
		oldStation[g.ID] = g.StationID
	}
	t := p.now()
	p.applyLocked(next, t, classify(p.ds, next))
	out := data.PlanApplied{Members: len(a.Members), Dataset: data.Fingerprint(next)}
	for _, g := range a.Grids {
		if oldStation[g.GridID] == g.StationID {
			continue // no new version, as in PostGIS
		}
		v := p.versions[p.current[g.GridID]]
		v.Grid = cloneGrid(v.Grid)
		out.GridVersions = append(out.GridVersions, v)
	}
	actor := a.Actor
	if actor == "" {
		actor = "plan"
	}
	p.plans[i].AppliedAt, p.plans[i].AppliedBy = storeTime(t), actor
	out.Plan = clonePlan(p.plans[i])
	out.Plan.Document = nil
	var kept *answerRecord
	if a.Key != nil {
		kept = p.answerRecordOf(a.Key, a.Answer(out))
	}
	tk = p.jr.log(recPlanApplied, planAppliedRecord{Plan: i, Dataset: next, At: t, Actor: actor, Answer: kept})
	p.keepLoggedLocked(kept, tk)
	p.notifyLocked()
	return out, nil
}

func joinProblems(ps []data.Problem) string {
	s := make([]string, len(ps))
	for i, pr := range ps {
		s[i] = pr.String()
	}
	return strings.Join(s, "; ")
}

// PutAssessment implements data.AssessmentStore.
func (p *PlanStore) PutAssessment(ctx context.Context, w data.AssessmentWrite) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkKeyed(w.Key, w.Answer != nil); err != nil {
		return err
	}
	entries, actor := w.Entries, w.Actor
	var tk ticket
	defer func() { err = p.jr.settle(tk, err) }()
	problems := data.CheckAssessmentEntries(entries)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.usedKeyLocked(w.Key, &tk); err != nil {
		return err
	}
	for _, e := range entries {
		if _, ok := p.stations[e.StationID]; !ok && e.StationID != "" {
			problems = append(problems, data.Problem{Kind: "assessment", ID: e.StationID + "/" + e.Month, Reason: fmt.Sprintf("no station %q", e.StationID)})
		}
		if _, ok := p.stations[e.ScoredBy]; !ok && e.ScoredBy != "" {
			problems = append(problems, data.Problem{Kind: "assessment", ID: e.StationID + "/" + e.Month, Reason: fmt.Sprintf("scored by %q: no such station", e.ScoredBy)})
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("memory: put assessment: %w", &data.ValidationError{Problems: problems})
	}
	t := storeTime(p.now())
	stored := make([]data.AssessmentEntry, 0, len(entries))
	for _, e := range entries {
		e.UpdatedAt, e.UpdatedBy = t, actor
		p.entries[[2]string{e.StationID, e.Month}] = e
		stored = append(stored, e)
	}
	var kept *answerRecord
	if w.Key != nil {
		kept = p.answerRecordOf(w.Key, w.Answer())
	}
	tk = p.jr.log(recAssessment, assessmentRecord{Entries: stored, Answer: kept})
	p.keepLoggedLocked(kept, tk)
	return nil
}

// Assessment implements data.AssessmentStore.
func (p *PlanStore) Assessment(ctx context.Context, from, to string) ([]data.AssessmentEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkMonthRange(from, to); err != nil {
		return nil, fmt.Errorf("memory: assessment: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []data.AssessmentEntry{}
	for _, e := range p.entries {
		if (from == "" || e.Month >= from) && (to == "" || e.Month <= to) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b data.AssessmentEntry) int {
		if c := strings.Compare(a.Month, b.Month); c != 0 {
			return c
		}
		return strings.Compare(a.StationID, b.StationID)
	})
	return out, nil
}

func checkMonthRange(from, to string) error {
	var problems []data.Problem
	for _, m := range []string{from, to} {
		if m != "" && !data.ValidMonth(m) {
			problems = append(problems, data.Problem{Kind: "assessment", Reason: fmt.Sprintf("month %q: write it as YYYY-MM, e.g. 2026-03", m)})
		}
	}
	if len(problems) > 0 {
		return &data.ValidationError{Problems: problems}
	}
	return nil
}
