package planning

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/plan"
	"jingge/geo/roster"
)

// ApplyResult answers POST /api/v1/plan/plans/{id}/apply: what the
// plan changed.
type ApplyResult struct {
	Plan Summary `json:"plan"`
	// Dataset is the fingerprint of the dataset the plan put in force.
	// Every server reloads it through the store; GET /api/v1/plan/current
	// shows this fingerprint once the answering server has.
	Dataset string `json:"dataset"`
	// Grids are the new grid versions, police grids with their villages.
	Grids []AppliedGrid `json:"grids"`
	// Members are the members whose station or grids changed.
	Members []MemberChange `json:"members"`
	// RosterOverridden are the roster breaks the plan made, applied with
	// override_roster; absent when it made none.
	RosterOverridden []roster.Break `json:"roster_overridden,omitempty"`
}

// AppliedGrid is one grid put under another station.
type AppliedGrid struct {
	GridID  string    `json:"grid"`
	Name    string    `json:"name"`
	Level   geo.Level `json:"level"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Version int       `json:"version"`
}

// How a member is changed by applying a plan.
const (
	// MemberReassigned: an officer the plan moves to another station.
	MemberReassigned = "reassigned"
	// MemberFollowsGrid: a member serving a village (grid worker, cadre,
	// building head) whose village moves to another station.
	MemberFollowsGrid = "follows_grid"
	// MemberUnlinked: an officer who stays while a grid they served leaves
	// the station; the link to that grid is dropped.
	MemberUnlinked = "unlinked"
)

// MemberChange is one member changed by applying a plan.
type MemberChange struct {
	MemberID    string   `json:"member"`
	Name        string   `json:"name"`
	Role        geo.Role `json:"role"`
	Kind        string   `json:"kind"`
	From        string   `json:"from"`
	To          string   `json:"to"`
	GridsBefore []string `json:"grids_before"`
	GridsAfter  []string `json:"grids_after"`
}

// planChanges works out what applying target to the dataset of ix changes.
//
// Grids: every police grid whose station differs, and its community grids
// with it (villages are never split).
//
// Officers (members holding one of roles; their station is their own, else
// that of their first grid, as the planner counts them): for each officer
// move (from, to, count) of moves — or, when moves do not lead from today's
// counts to target's, for surpluses paired with deficits in dataset order —
// count officers of from are chosen, in this order:
//
//  1. officers serving a grid that moves from→to, who go with their grid;
//  2. auxiliary officers (辅警) before community officers (社区民警), so a
//     station keeps the officers residents know;
//  3. the least senior first: the highest member id first (ids are issued
//     in order of joining).
//
// A moved officer keeps only the links to grids that move with them; an
// officer who stays loses the links to grids that leave. Other members keep
// their grids, and their station follows their first grid when it moves.
// After the changes every station has exactly target's officers; a plan
// that cannot get there (too few officers to give) is an error.
func planChanges(ix *geo.Index, target plan.Deployment, moves []plan.OfficerMove, roles []geo.Role) (*data.PlanApplication, []MemberChange, error) {
	r := &moveRules{ix: ix, ds: ix.Dataset(), target: target}
	officers := officersOf(r.ds, roles)
	r.from = make(map[string]string, len(officers))
	have := map[string]int{}
	for _, m := range officers {
		r.from[m.ID] = effectiveStation(ix, m)
		have[r.from[m.ID]]++
	}
	if err := r.checkTotals(have); err != nil {
		return nil, nil, err
	}
	to, err := r.pickOfficers(officers, officerPairs(r.ds, have, target.Officers, moves))
	if err != nil {
		return nil, nil, err
	}
	a := &data.PlanApplication{Grids: r.gridReassignments()}
	var changes []MemberChange
	for i := range r.ds.Members {
		m := &r.ds.Members[i]
		c, station := r.followGrid(m)
		if _, ok := r.from[m.ID]; ok {
			c, station = r.moveOfficer(m, to[m.ID])
		}
		gridsChanged := !slices.Equal(c.GridsAfter, orEmptySlice(slices.Clone(m.GridIDs)))
		if c.From != c.To || gridsChanged {
			changes = append(changes, c)
		}
		// An officer placed by a grid that moves with them needs no write.
		if station != m.StationID || gridsChanged {
			a.Members = append(a.Members, data.MemberReassignment{MemberID: m.ID, StationID: station, GridIDs: c.GridsAfter})
		}
	}
	if err := checkOfficerCounts(r.ds, *a, roles, target.Officers); err != nil {
		return nil, nil, err
	}
	return a, changes, nil
}

// moveRules are the rules of planChanges over one index and one target
// deployment; from holds each officer's station today.
type moveRules struct {
	ix     *geo.Index
	ds     *geo.Dataset
	target plan.Deployment
	from   map[string]string // officer -> station today
}

// newStation is the station of grid id under the target: its police
// grid's, for a village.
func (r *moveRules) newStation(id string) string {
	g, ok := r.ix.Grid(id)
	if !ok {
		return ""
	}
	top := g.ID
	if g.ParentID != "" {
		top = g.ParentID
	}
	if s, ok := r.target.Grids[top]; ok {
		return s
	}
	return g.StationID
}

// oldStation is the station of grid id today.
func (r *moveRules) oldStation(id string) string {
	if g, ok := r.ix.Grid(id); ok {
		return g.StationID
	}
	return ""
}

// gridReassignments lists every grid whose station the target changes.
func (r *moveRules) gridReassignments() []data.GridReassignment {
	var grids []data.GridReassignment
	for _, g := range r.ds.Grids {
		if s := r.newStation(g.ID); s != g.StationID {
			grids = append(grids, data.GridReassignment{GridID: g.ID, StationID: s})
		}
	}
	return grids
}

// checkTotals refuses a target that leaves a station without a number of
// officers or that has more or fewer officers in all than there are.
func (r *moveRules) checkTotals(have map[string]int) error {
	var problems []string
	totalWant, totalHave := 0, 0
	for _, st := range r.ds.Stations {
		want, ok := r.target.Officers[st.ID]
		if !ok {
			problems = append(problems, fmt.Sprintf("the plan gives station %s no number of officers", st.ID))
		}
		totalWant += want
		totalHave += have[st.ID]
	}
	if totalWant != totalHave {
		problems = append(problems, fmt.Sprintf("the plan has %d officers in all but the stations have %d; a plan moves officers, it does not hire them", totalWant, totalHave))
	}
	if len(problems) > 0 {
		return &data.RequestError{Kind: data.ErrConflict, Message: "the plan does not fit the dataset: " + strings.Join(problems, "; ")}
	}
	return nil
}

// pickOfficers chooses who moves for each pair, in the order of
// planChanges' doc, and returns each moving officer's new station.
func (r *moveRules) pickOfficers(officers []*geo.Member, pairs []plan.OfficerMove) (map[string]string, error) {
	to := map[string]string{} // officer -> new station
	for _, pr := range pairs {
		var cands []*geo.Member
		for _, m := range officers {
			if r.from[m.ID] == pr.From && to[m.ID] == "" {
				cands = append(cands, m)
			}
		}
		follows := func(m *geo.Member) int {
			for _, g := range m.GridIDs {
				if r.oldStation(g) == pr.From && r.newStation(g) == pr.To {
					return 0
				}
			}
			return 1
		}
		slices.SortStableFunc(cands, func(a, b *geo.Member) int {
			return cmp.Or(cmp.Compare(follows(a), follows(b)), cmp.Compare(rolePriority(a.Role), rolePriority(b.Role)), strings.Compare(b.ID, a.ID))
		})
		if len(cands) < pr.Count {
			return nil, &data.RequestError{Kind: data.ErrConflict, Message: fmt.Sprintf("the plan moves %d officers from station %s, which has %d left to give", pr.Count, pr.From, len(cands))}
		}
		for _, m := range cands[:pr.Count] {
			to[m.ID] = pr.To
		}
	}
	return to, nil
}

// moveOfficer is the change of officer m, moving to station to ("" when
// it stays), and the station to write for them ("" when their first grid
// places them).
func (r *moveRules) moveOfficer(m *geo.Member, to string) (MemberChange, string) {
	c := MemberChange{MemberID: m.ID, Name: m.Name, Role: m.Role, GridsBefore: orEmptySlice(slices.Clone(m.GridIDs))}
	c.From = r.from[m.ID]
	c.To, c.Kind = c.From, MemberUnlinked
	if to != "" {
		c.To, c.Kind = to, MemberReassigned
	}
	var kept []string
	for _, g := range m.GridIDs {
		if r.newStation(g) == c.To {
			kept = append(kept, g)
		}
	}
	station := c.To
	// A member placed by their first grid stays so while that still
	// places them right.
	if m.StationID == "" && len(kept) > 0 && r.newStation(kept[0]) == c.To {
		station = ""
	}
	c.GridsAfter = orEmptySlice(kept)
	return c, station
}

// followGrid is the change of member m who is no officer: they keep their
// grids, and their station follows their first grid when it moves.
func (r *moveRules) followGrid(m *geo.Member) (MemberChange, string) {
	c := MemberChange{MemberID: m.ID, Name: m.Name, Role: m.Role, GridsBefore: orEmptySlice(slices.Clone(m.GridIDs))}
	station := m.StationID
	c.From, c.To, c.Kind = m.StationID, m.StationID, MemberFollowsGrid
	if m.StationID != "" && len(m.GridIDs) > 0 && m.StationID == r.oldStation(m.GridIDs[0]) {
		station = r.newStation(m.GridIDs[0])
		c.To = station
	}
	c.GridsAfter = orEmptySlice(slices.Clone(m.GridIDs))
	return c, station
}

// rolePriority orders the officers a station gives up: auxiliary officers
// first, then community officers, then any other officer role.
func rolePriority(r geo.Role) int {
	switch r {
	case geo.AuxiliaryOfficer:
		return 0
	case geo.CommunityOfficer:
		return 1
	}
	return 2
}

// officerPairs returns moves when they lead from have to want, else pairs
// every station above want with every station below it, in dataset order.
func officerPairs(ds *geo.Dataset, have, want map[string]int, moves []plan.OfficerMove) []plan.OfficerMove {
	after := map[string]int{}
	for k, v := range have {
		after[k] = v
	}
	ok := true
	for _, mv := range moves {
		if mv.Count < 0 {
			ok = false
		}
		after[mv.From] -= mv.Count
		after[mv.To] += mv.Count
	}
	for _, st := range ds.Stations {
		ok = ok && after[st.ID] == want[st.ID]
	}
	if ok {
		return moves
	}
	var out []plan.OfficerMove
	var give, take []string
	left := map[string]int{}
	for _, st := range ds.Stations {
		d := have[st.ID] - want[st.ID]
		left[st.ID] = d
		switch {
		case d > 0:
			give = append(give, st.ID)
		case d < 0:
			take = append(take, st.ID)
		}
	}
	for _, t := range take {
		for _, g := range give {
			n := min(left[g], -left[t])
			if n > 0 {
				out = append(out, plan.OfficerMove{From: g, To: t, Count: n})
				left[g] -= n
				left[t] += n
			}
		}
	}
	return out
}

// checkOfficerCounts applies the changes to a copy of ds and counts the
// officers of every station the way the planner does; they must be want.
func checkOfficerCounts(ds *geo.Dataset, a data.PlanApplication, roles []geo.Role, want map[string]int) error {
	// ApplyToDataset sets grid stations and replaces member grid lists, so
	// copies of the two slices keep ds as it is.
	next := &geo.Dataset{Stations: ds.Stations, Grids: slices.Clone(ds.Grids), Members: slices.Clone(ds.Members)}
	if missing := data.ApplyToDataset(next, a); len(missing) > 0 {
		return fmt.Errorf("planning: plan changes name what the dataset lacks: %v", missing)
	}
	station := make(map[string]string, len(next.Grids))
	for _, g := range next.Grids {
		station[g.ID] = g.StationID
	}
	got := map[string]int{}
	for i := range next.Members {
		m := &next.Members[i]
		if !slices.Contains(roles, m.Role) {
			continue
		}
		st := m.StationID
		if st == "" && len(m.GridIDs) > 0 {
			st = station[m.GridIDs[0]]
		}
		got[st]++
	}
	for _, st := range ds.Stations {
		if got[st.ID] != want[st.ID] {
			return fmt.Errorf("planning: applying the plan would leave station %s with %d officers, not the plan's %d", st.ID, got[st.ID], want[st.ID])
		}
	}
	return nil
}

// Apply applies saved plan id through the store: new versions of the
// moved grids, the officers moved (see planChanges), the plan marked
// applied, all or nothing. A plan made against another dataset than the
// one in force, or applied already, is a 409.
//
// A plan that would leave a grid below a roster rule (shorter than it
// found it) is a 409 naming the grids and rules, unless o.OverrideRoster
// is set: the plan is then applied and the override, with the grids and
// rules it accepted, is the audit reason of every change it makes.
func (p *Planner) Apply(ctx context.Context, id, actor string, o ApplyOptions) (ApplyResult, error) {
	return p.ApplyKeyed(ctx, id, actor, o, nil, nil)
}

// ApplyOptions are what the one applying a plan may ask.
type ApplyOptions struct {
	// OverrideRoster applies a plan though it leaves grids below their
	// roster rules.
	OverrideRoster bool `json:"override_roster"`
}

// ApplyKeyed is Apply under an idempotency key: the store keeps the
// answer answer makes of the result in the apply's commit, and a retry
// under key fails with the store's *data.Replay of it (or its
// KeyConflict), passed through unchanged. Without a key it is Apply.
func (p *Planner) ApplyKeyed(ctx context.Context, id, actor string, o ApplyOptions, key *data.AnswerKey, answer func(ApplyResult) data.Answer) (ApplyResult, error) {
	if id == "current" {
		return ApplyResult{}, data.InvalidParams(data.Param{Name: "id", Reason: "current is the deployment in force; apply a saved plan"})
	}
	if p.plans == nil {
		return ApplyResult{}, errNoPlanStore
	}
	pl, err := p.plans.Plan(ctx, id)
	if errors.Is(err, data.ErrNotFound) {
		return ApplyResult{}, data.NotFound("there is no plan %q; GET /api/v1/plan/plans lists them", id)
	}
	if err != nil {
		return ApplyResult{}, err
	}
	if pl.Applied() {
		return ApplyResult{}, &data.RequestError{Kind: data.ErrConflict, Type: "plan-applied",
			Message: fmt.Sprintf("plan %s was applied at %s by %s; a plan is applied once", id, pl.AppliedAt.Format(time.RFC3339), pl.AppliedBy)}
	}
	m, err := p.current(ctx)
	if err != nil {
		return ApplyResult{}, err
	}
	if m.dataset != pl.Dataset {
		return ApplyResult{}, stalePlan(id, pl.Dataset, m.dataset, nil)
	}
	var body Body
	if err := json.NewDecoder(bytes.NewReader(pl.Document)).Decode(&body); err != nil {
		return ApplyResult{}, fmt.Errorf("planning: plan %s: stored document: %w", id, err)
	}
	a, changes, err := planChanges(m.ix, plan.Deployment{Grids: pl.Grids, Officers: pl.Officers}, body.OfficerMoves, p.cfg.Workload.OfficerRoles)
	if err != nil {
		return ApplyResult{}, err
	}
	a.PlanID, a.Dataset, a.Actor, a.Reason = id, pl.Dataset, actor, "plan "+id
	breaks, err := rosterBreaks(m.ix.Dataset(), a, p.roster)
	if err != nil {
		return ApplyResult{}, err
	}
	if len(breaks) > 0 {
		if !o.OverrideRoster {
			return ApplyResult{}, rosterRefusal(id, breaks)
		}
		a.Reason = overrideReason(id, breaks)
	}
	result := func(res data.PlanApplied) ApplyResult {
		out := p.applyResult(m, body, changes, res)
		out.RosterOverridden = breaks
		return out
	}
	if key != nil {
		a.Key = key
		a.Answer = func(res data.PlanApplied) data.Answer { return answer(result(res)) }
	}
	res, err := p.plans.ApplyPlan(ctx, *a)
	switch {
	case data.IsKeyed(err):
		return ApplyResult{}, err
	case errors.Is(err, data.ErrConflict), errors.Is(err, data.ErrNotFound):
		return ApplyResult{}, stalePlan(id, pl.Dataset, "", err)
	case err != nil:
		return ApplyResult{}, ContentError(err)
	}
	return result(res), nil
}

// applyResult is the answer to applying a plan whose changes were worked
// out on m, from what the store did.
func (p *Planner) applyResult(m *planModel, body Body, changes []MemberChange, res data.PlanApplied) ApplyResult {
	out := ApplyResult{Dataset: res.Dataset, Grids: []AppliedGrid{}, Members: orEmptySlice(changes)}
	d := p.document(res.Plan, Body{}, nil)
	out.Plan = Summary{ID: d.ID, Status: d.Status, Stale: true, CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy, Note: d.Note,
		AppliedAt: d.AppliedAt, AppliedBy: d.AppliedBy, Dataset: d.Dataset, Figures: figuresOf(body)}
	for _, gv := range res.GridVersions {
		g, _ := m.ix.Grid(gv.Grid.ID)
		ag := AppliedGrid{GridID: gv.Grid.ID, Name: gv.Grid.Name, Level: gv.Grid.Level, To: gv.Grid.StationID, Version: gv.Version}
		if g != nil {
			ag.From = g.StationID
		}
		out.Grids = append(out.Grids, ag)
	}
	return out
}

// stalePlan is the 409 of a plan made against another dataset than the
// one in force (now, when known).
func stalePlan(id, made, now string, cause error) *data.RequestError {
	detail := fmt.Sprintf("plan %s was made against dataset %s, which is no longer in force", id, made)
	if now != "" {
		detail += " (now " + now + ")"
	}
	detail += ": grids, stations or members changed since (an edit, an import or another plan); make a new proposal"
	p := &data.RequestError{Kind: data.ErrConflict, Type: "plan-stale", Message: detail}
	if cause != nil {
		// The store's words go to the log; its kind (not found, conflict)
		// must not choose the status.
		p.Cause = errors.New(cause.Error())
	}
	return p
}
