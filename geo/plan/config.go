package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"jingge/geo"
)

// Config holds every weight the planner uses. Start from DefaultConfig and
// change what the bureau decides otherwise; LoadConfig does that from JSON.
// docs/planning.md explains each field and why its default is what it is.
type Config struct {
	Workload   WorkloadConfig   `json:"workload"`
	Travel     TravelConfig     `json:"travel"`
	Search     SearchConfig     `json:"search"`
	Assessment AssessmentConfig `json:"assessment"`
}

// WorkloadConfig turns incidents, area and population into the workload of
// a grid:
//
//	workload = terrain_factor × (Σ incident weight + per_km2 × km² + per_1000_population × residents / 1000)
//	incident weight = category weight × severity_multiplier^(severity−1) × 0.5^(age in days / half_life_days)
type WorkloadConfig struct {
	// CategoryWeights weighs one incident of each category; categories not
	// listed weigh OtherCategoryWeight.
	CategoryWeights     map[geo.Category]float64 `json:"category_weights"`
	OtherCategoryWeight float64                  `json:"other_category_weight"`
	// SeverityMultiplier multiplies an incident's weight once per severity
	// level above 1 (1 ignores severity). Severities outside 1..5 are clamped.
	SeverityMultiplier float64 `json:"severity_multiplier"`
	// HalfLifeDays is the age at which an incident counts half; 0 turns
	// decay off. Incidents after the reference time are left out.
	HalfLifeDays float64 `json:"half_life_days"`
	// PerKm2 is the standing workload of one km² of area (patrol, visits).
	PerKm2 float64 `json:"per_km2"`
	// Per1000Population is the standing workload of 1,000 residents
	// (household registration, visits, prevention work).
	Per1000Population float64 `json:"per_1000_population"`
	// TerrainFactors multiplies the whole workload of a police grid by the
	// difficulty of its terrain (geo.Index.GridTerrain: its own, else the
	// region of the station holding it in the dataset; moving the grid
	// does not change it); every terrain needs a factor.
	TerrainFactors map[geo.Terrain]float64 `json:"terrain_factors"`
	// OfficerRoles are the member roles counted as a station's officers.
	OfficerRoles []geo.Role `json:"officer_roles"`
}

// TravelConfig estimates response times: straight-line distance ×
// DetourFactor ÷ the speed of the terrain where the incident is.
type TravelConfig struct {
	SpeedsKmh    map[geo.Terrain]float64 `json:"speeds_kmh"`
	DetourFactor float64                 `json:"detour_factor"`
	// BandsMinutes are the response-time rings (三层三圈), ascending.
	BandsMinutes []float64 `json:"bands_minutes"`
}

// ObjectiveWeights weigh the terms of the grid reassignment objective,
// which is minimised:
//
//	balance × CV(load per officer) + compactness × mean(1 − Polsby–Popper)
//	+ response × (mean response time ÷ that of the starting plan − 1) + change × share of grids moved
type ObjectiveWeights struct {
	Balance     float64 `json:"balance"`
	Compactness float64 `json:"compactness"`
	Response    float64 `json:"response"`
	Change      float64 `json:"change"`
}

// SearchConfig bounds the proposals and tunes the local search.
type SearchConfig struct {
	Objective ObjectiveWeights `json:"objective"`
	// MaxGridShare and MaxOfficerShare cap a proposal's changes as a share
	// of all police grids and all officers (rounded down).
	MaxGridShare    float64 `json:"max_grid_share"`
	MaxOfficerShare float64 `json:"max_officer_share"`
	// MinOfficersPerStation is the fewest officers a reallocation leaves in
	// a station (a station that has fewer keeps what it has or gains).
	MinOfficersPerStation int `json:"min_officers_per_station"`
	// IterationsPerGrid sets the length of the annealing run: this many
	// proposed moves per police grid.
	IterationsPerGrid int `json:"iterations_per_grid"`
	// InitialAcceptance is the chance of accepting a typical worsening move
	// at the start of annealing (0 < x < 1); it cools geometrically to a
	// thousandth of the starting temperature.
	InitialAcceptance float64 `json:"initial_acceptance"`
}

// DefaultConfig returns the configuration the planner uses unless told
// otherwise. Each call returns a fresh copy the caller may change.
func DefaultConfig() Config {
	terrain := map[geo.Terrain]float64{}
	for _, t := range geo.Terrains {
		r, _ := t.Region()
		terrain[t] = r.Difficulty
	}
	return Config{
		Workload: WorkloadConfig{
			CategoryWeights: map[geo.Category]float64{
				geo.Criminal: 4, geo.Fire: 3, geo.PublicOrder: 2, geo.Traffic: 1.5,
				geo.Dispute: 1.5, geo.Assistance: 1, geo.Other: 0.5,
			},
			OtherCategoryWeight: 1,
			SeverityMultiplier:  1.25,
			HalfLifeDays:        180,
			PerKm2:              2,
			Per1000Population:   10,
			TerrainFactors:      terrain,
			OfficerRoles:        []geo.Role{geo.CommunityOfficer, geo.AuxiliaryOfficer},
		},
		Travel: TravelConfig{
			SpeedsKmh:    map[geo.Terrain]float64{geo.Plain: 45, geo.Plateau: 40, geo.Hill: 30, geo.Mountain: 25},
			DetourFactor: 1.4,
			BandsMinutes: []float64{5, 10, 15, 30},
		},
		Search: SearchConfig{
			Objective:             ObjectiveWeights{Balance: 1, Compactness: 0.5, Response: 2, Change: 0.05},
			MaxGridShare:          0.10,
			MaxOfficerShare:       0.10,
			MinOfficersPerStation: 4,
			IterationsPerGrid:     2000,
			InitialAcceptance:     0.5,
		},
		Assessment: DefaultAssessmentConfig(),
	}
}

// LoadConfig reads a JSON configuration over the defaults: fields and map
// keys left out keep their default, unknown fields are an error (so a typo
// does not pass silently). The result is validated.
func LoadConfig(r io.Reader) (Config, error) {
	cfg := DefaultConfig()
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		if strings.Contains(err.Error(), `"utc_offset_hours"`) {
			return Config{}, fmt.Errorf("%w: config: assessment.utc_offset_hours is no longer read: months follow the dataset's time zone (its meta.time_zone); remove the field", ErrInvalid)
		}
		return Config{}, fmt.Errorf("%w: config: %v", ErrInvalid, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate reports every problem of c at once, each naming the field as it
// is spelt in JSON and what a valid value looks like.
func (c Config) Validate() error {
	var p []string
	p = append(p, c.Workload.problems()...)
	p = append(p, c.Travel.problems()...)
	p = append(p, c.Search.problems()...)
	p = append(p, c.Assessment.problems()...)
	return joinInvalid("config", p)
}

// finite reports whether x is a number, not NaN or an infinity.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// problemList collects the messages of a validation in order.
type problemList []string

func (p *problemList) bad(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// terrainTable checks a per-terrain table named name: every terrain
// present with a value ok accepts, and no unknown terrain.
func (p *problemList) terrainTable(name string, m map[geo.Terrain]float64, ok func(float64) bool, want string) {
	for _, t := range geo.Terrains {
		if x, found := m[t]; !found || !finite(x) || !ok(x) {
			p.bad("%s[%q] is missing or %s", name, t, want)
		}
	}
	for _, t := range sortedKeys(m) {
		if !t.Valid() {
			p.bad("%s has unknown terrain %q; use hill, plateau, plain or mountain", name, t)
		}
	}
}

func (w WorkloadConfig) problems() []string {
	var p problemList
	for _, cat := range sortedKeys(w.CategoryWeights) {
		if x := w.CategoryWeights[cat]; !finite(x) || x < 0 {
			p.bad("workload.category_weights[%q] is %v; use a weight of 0 or more", cat, x)
		}
	}
	if !finite(w.OtherCategoryWeight) || w.OtherCategoryWeight < 0 {
		p.bad("workload.other_category_weight is %v; use a weight of 0 or more", w.OtherCategoryWeight)
	}
	if !finite(w.SeverityMultiplier) || w.SeverityMultiplier < 1 || w.SeverityMultiplier > 10 {
		p.bad("workload.severity_multiplier is %v; use a value from 1 (severity ignored) to 10", w.SeverityMultiplier)
	}
	if !finite(w.HalfLifeDays) || w.HalfLifeDays < 0 {
		p.bad("workload.half_life_days is %v; use a number of days above 0, or 0 to weigh old incidents like new ones", w.HalfLifeDays)
	}
	if !finite(w.PerKm2) || w.PerKm2 < 0 {
		p.bad("workload.per_km2 is %v; use 0 or more", w.PerKm2)
	}
	if !finite(w.Per1000Population) || w.Per1000Population < 0 {
		p.bad("workload.per_1000_population is %v; use 0 or more", w.Per1000Population)
	}
	p.terrainTable("workload.terrain_factors", w.TerrainFactors, func(x float64) bool { return x > 0 },
		"not above 0; give every terrain (hill, plateau, plain, mountain) a factor, plain = 1")
	if len(w.OfficerRoles) == 0 {
		p.bad("workload.officer_roles is empty; list the member roles that count as officers, e.g. [\"community_officer\", \"auxiliary_officer\"]")
	}
	for _, r := range w.OfficerRoles {
		if !r.Valid() {
			p.bad("workload.officer_roles has unknown role %q", r)
		}
	}
	return p
}

func (t TravelConfig) problems() []string {
	var p problemList
	p.terrainTable("travel.speeds_kmh", t.SpeedsKmh, func(x float64) bool { return x > 0 && x <= 200 },
		"outside (0, 200]; give every terrain a road speed in km/h")
	if !finite(t.DetourFactor) || t.DetourFactor < 1 || t.DetourFactor > 5 {
		p.bad("travel.detour_factor is %v; use a value from 1 (straight roads) to 5, typically 1.3–1.6", t.DetourFactor)
	}
	if len(t.BandsMinutes) == 0 {
		p.bad("travel.bands_minutes is empty; give the response rings in minutes, e.g. [5, 10, 15, 30]")
	}
	for i, b := range t.BandsMinutes {
		if !finite(b) || b <= 0 || (i > 0 && b <= t.BandsMinutes[i-1]) {
			p.bad("travel.bands_minutes must be positive and strictly ascending; got %v", t.BandsMinutes)
			break
		}
	}
	return p
}

func (s SearchConfig) problems() []string {
	var p problemList
	o := s.Objective
	for _, f := range []struct {
		name string
		v    float64
	}{{"balance", o.Balance}, {"compactness", o.Compactness}, {"response", o.Response}, {"change", o.Change}} {
		if !finite(f.v) || f.v < 0 {
			p.bad("search.objective.%s is %v; use a weight of 0 or more", f.name, f.v)
		}
	}
	if o.Balance+o.Compactness+o.Response+o.Change <= 0 {
		p.bad("search.objective weights are all 0; give at least balance a positive weight")
	}
	share := func(name string, x float64, of string) {
		if !finite(x) || x < 0 || x > 1 {
			p.bad("search.%s is %v; use a share from 0 to 1, e.g. 0.1 for 10%% of %s", name, x, of)
		}
	}
	share("max_grid_share", s.MaxGridShare, "police grids")
	share("max_officer_share", s.MaxOfficerShare, "officers")
	if s.MinOfficersPerStation < 0 {
		p.bad("search.min_officers_per_station is %d; use 0 or more", s.MinOfficersPerStation)
	}
	if s.IterationsPerGrid < 1 || s.IterationsPerGrid > 100000 {
		p.bad("search.iterations_per_grid is %d; use 1 to 100000 (more searches longer)", s.IterationsPerGrid)
	}
	if !finite(s.InitialAcceptance) || s.InitialAcceptance <= 0 || s.InitialAcceptance >= 1 {
		p.bad("search.initial_acceptance is %v; use a probability strictly between 0 and 1, e.g. 0.3", s.InitialAcceptance)
	}
	return p
}

// sortedKeys returns the keys of m in order, so messages come out the same
// every time.
func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
