// Package roster checks who serves each grid against the bureau's rules
// ("一格多元"): every police grid has a community officer, every
// community grid a village cadre and a grid worker, and whatever else a
// bureau configures. It is pure: no I/O, no clocks.
package roster

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"jingge/geo"
)

// Rule asks that every grid of Level (of Stations, when given) be served
// by at least Min members holding Role (as their first or a further
// role). A member serves the grids listed in their GridIDs.
type Rule struct {
	// ID names the rule in reports and refusals; unique in a Config.
	ID       string    `json:"id"`
	Level    geo.Level `json:"level"`
	Role     geo.Role  `json:"role"`
	Min      int       `json:"min"`
	Stations []string  `json:"stations,omitempty"`
}

// Config is the roster rules of a deployment.
type Config struct {
	Rules []Rule `json:"rules"`
}

// DefaultConfig is the rules of the bureau's plan: a community officer in
// every police grid, a village cadre and a grid worker in every community
// grid, and in 玉山 and 横岭, where the plan builds the multi-force circle
// (公安牵头, 镇街综合, 司法, 村组干部), a 司法所 and a township staff
// member in every police grid.
func DefaultConfig() Config {
	return Config{Rules: []Rule{
		{ID: "police-grid-officer", Level: geo.PoliceLevel, Role: geo.CommunityOfficer, Min: 1},
		{ID: "community-grid-cadre", Level: geo.CommunityLevel, Role: geo.VillageCadre, Min: 1},
		{ID: "community-grid-worker", Level: geo.CommunityLevel, Role: geo.GridWorker, Min: 1},
		{ID: "multi-force-justice", Level: geo.PoliceLevel, Role: geo.JusticeStaff, Min: 1, Stations: []string{"yushan", "hengling"}},
		{ID: "multi-force-township", Level: geo.PoliceLevel, Role: geo.TownshipStaff, Min: 1, Stations: []string{"yushan", "hengling"}},
	}}
}

// Validate reports every rule that cannot be checked: no id or an id
// used twice, an unknown level or role, a minimum below 1.
func (c Config) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range c.Rules {
		name := fmt.Sprintf("roster rule %d (%q)", i+1, r.ID)
		switch {
		case r.ID == "":
			errs = append(errs, fmt.Errorf("roster rule %d: give it an id", i+1))
		case seen[r.ID]:
			errs = append(errs, fmt.Errorf("%s: the id is used twice", name))
		}
		seen[r.ID] = true
		if r.Level != geo.PoliceLevel && r.Level != geo.CommunityLevel {
			errs = append(errs, fmt.Errorf("%s: level %q is not police or community", name, r.Level))
		}
		if !r.Role.Valid() {
			errs = append(errs, fmt.Errorf("%s: role %q is unknown", name, r.Role))
		}
		if r.Min < 1 {
			errs = append(errs, fmt.Errorf("%s: min %d asks for nothing; give at least 1", name, r.Min))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	return nil
}

// Break is one grid that breaks one rule.
type Break struct {
	GridID    string    `json:"grid"`
	GridName  string    `json:"grid_name"`
	Level     geo.Level `json:"level"`
	StationID string    `json:"station"`
	RuleID    string    `json:"rule"`
	Role      geo.Role  `json:"role"`
	Min       int       `json:"min"`
	// Have is how many members holding the role serve the grid.
	Have int `json:"have"`
}

// String says the break in words, for refusals and the command line.
func (b Break) String() string {
	return fmt.Sprintf("%s %s (%s): rule %s wants at least %d %s, has %d", b.Level, b.GridID, b.GridName, b.RuleID, b.Min, b.Role.LabelEN(), b.Have)
}

// Check returns every grid of ds that breaks a rule of c, by grid id then
// rule order.
func Check(ds *geo.Dataset, c Config) []Break {
	// have[grid][role] counts the members holding role who serve grid.
	have := map[string]map[geo.Role]int{}
	for i := range ds.Members {
		m := &ds.Members[i]
		for _, gid := range m.GridIDs {
			if have[gid] == nil {
				have[gid] = map[geo.Role]int{}
			}
			have[gid][m.Role]++
			for _, r := range m.Roles {
				have[gid][r]++
			}
		}
	}
	var out []Break
	for i := range ds.Grids {
		g := &ds.Grids[i]
		for _, r := range c.Rules {
			if r.Level != g.Level || (len(r.Stations) > 0 && !slices.Contains(r.Stations, g.StationID)) {
				continue
			}
			if n := have[g.ID][r.Role]; n < r.Min {
				out = append(out, Break{GridID: g.ID, GridName: g.Name, Level: g.Level, StationID: g.StationID, RuleID: r.ID, Role: r.Role, Min: r.Min, Have: n})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Break) int { return strings.Compare(a.GridID, b.GridID) })
	return out
}

// NewBreaks returns the breaks of after that before lacks (the same grid
// and rule), or that have fewer members than before: what a change makes
// worse. A grid already short stays allowed to stay as short.
func NewBreaks(before, after []Break) []Break {
	was := make(map[[2]string]int, len(before))
	for _, b := range before {
		was[[2]string{b.GridID, b.RuleID}] = b.Have + 1
	}
	var out []Break
	for _, b := range after {
		if w := was[[2]string{b.GridID, b.RuleID}]; w == 0 || b.Have < w-1 {
			out = append(out, b)
		}
	}
	return out
}
