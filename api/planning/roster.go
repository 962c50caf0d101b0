package planning

import (
	"fmt"
	"slices"
	"strings"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/roster"
)

// RosterReport answers GET /api/v1/roster/report: the rules in force and
// every grid of the dataset in force that breaks one.
type RosterReport struct {
	Dataset string         `json:"dataset"`
	Rules   []roster.Rule  `json:"rules"`
	Breaks  []roster.Break `json:"breaks"`
}

// Roster reports the dataset in force against the roster rules.
func (p *Planner) Roster() (RosterReport, error) {
	ix := p.live.Load()
	if ix == nil {
		return RosterReport{}, errNoIndex
	}
	ds := ix.Dataset()
	return RosterReport{Dataset: data.Fingerprint(ds), Rules: orEmptySlice(p.roster.Rules),
		Breaks: orEmptySlice(roster.Check(ds, p.roster))}, nil
}

// RosterConfig returns the roster rules the planner holds plans to.
func (p *Planner) RosterConfig() roster.Config { return p.roster }

// rosterBreaks returns the roster breaks applying a makes to ds, beyond
// those ds has already: a grid already short may stay so, but a plan may
// not leave a grid shorter than it found it.
func rosterBreaks(ds *geo.Dataset, a *data.PlanApplication, cfg roster.Config) ([]roster.Break, error) {
	next := &geo.Dataset{Stations: ds.Stations, Grids: slices.Clone(ds.Grids), Members: slices.Clone(ds.Members)}
	if missing := data.ApplyToDataset(next, *a); len(missing) > 0 {
		return nil, fmt.Errorf("planning: plan changes name what the dataset lacks: %v", missing)
	}
	return roster.NewBreaks(roster.Check(ds, cfg), roster.Check(next, cfg)), nil
}

// rosterRefusal is the 409 of a plan that would leave grids below their
// roster rules, naming each grid and rule.
func rosterRefusal(id string, breaks []roster.Break) *data.RequestError {
	words := make([]string, len(breaks))
	// One param per break, named by the grid's name, so a page can list
	// the grids in its own language.
	params := make([]data.Param, len(breaks))
	for i, b := range breaks {
		words[i] = b.String()
		params[i] = data.Param{Name: b.GridName, Reason: words[i], Code: "roster_rule"}
	}
	return &data.RequestError{Kind: data.ErrConflict, Type: "roster-rules", Params: params,
		Message: fmt.Sprintf("applying plan %s would leave %d grid(s) below their roster rules: %s; change the plan, or apply it with override_roster: true (jingge plan apply --override-roster) to accept this, which the audit log records",
			id, len(breaks), strings.Join(words, "; "))}
}

// overrideReason is the audit reason of a plan applied over its roster
// breaks.
func overrideReason(id string, breaks []roster.Break) string {
	parts := make([]string, len(breaks))
	for i, b := range breaks {
		parts[i] = b.GridID + " " + b.RuleID
	}
	return fmt.Sprintf("plan %s; roster rules overridden: %s", id, strings.Join(parts, ", "))
}
