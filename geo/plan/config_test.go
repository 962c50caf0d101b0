package plan

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"jingge/geo"
)

func TestDefaultConfigIsValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// Terrain factors default to the regions' difficulty: mountain > hill > plateau > plain.
	f := c.Workload.TerrainFactors
	if !(f[geo.Mountain] > f[geo.Hill] && f[geo.Hill] > f[geo.Plateau] && f[geo.Plateau] > f[geo.Plain]) {
		t.Errorf("terrain factors %v are not mountain > hill > plateau > plain", f)
	}
	// A fresh copy every call.
	c.Workload.CategoryWeights[geo.Criminal] = 99
	if DefaultConfig().Workload.CategoryWeights[geo.Criminal] == 99 {
		t.Error("DefaultConfig shares its maps between calls")
	}
	// It survives a JSON round trip.
	b, err := json.Marshal(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	back, err := LoadConfig(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if b2, _ := json.Marshal(back); string(b2) != string(b) {
		t.Errorf("round trip changed the config:\n%s\n%s", b, b2)
	}
}

func TestLoadConfigOverridesOnlyWhatIsGiven(t *testing.T) {
	c, err := LoadConfig(strings.NewReader(`{
		"workload": {"category_weights": {"criminal": 6}, "terrain_factors": {"mountain": 2.2}},
		"travel": {"bands_minutes": [3, 8]},
		"search": {"objective": {"response": 0}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultConfig()
	switch {
	case c.Workload.CategoryWeights[geo.Criminal] != 6, c.Workload.CategoryWeights[geo.Traffic] != d.Workload.CategoryWeights[geo.Traffic]:
		t.Errorf("category weights %v", c.Workload.CategoryWeights)
	case c.Workload.TerrainFactors[geo.Mountain] != 2.2, c.Workload.TerrainFactors[geo.Hill] != d.Workload.TerrainFactors[geo.Hill]:
		t.Errorf("terrain factors %v", c.Workload.TerrainFactors)
	case len(c.Travel.BandsMinutes) != 2:
		t.Errorf("bands %v", c.Travel.BandsMinutes)
	case c.Search.Objective.Response != 0, c.Search.Objective.Balance != d.Search.Objective.Balance:
		t.Errorf("objective %+v", c.Search.Objective)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"negative category weight", func(c *Config) { c.Workload.CategoryWeights[geo.Fire] = -1 }, `workload.category_weights["fire"] is -1`},
		{"severity below 1", func(c *Config) { c.Workload.SeverityMultiplier = 0.5 }, "workload.severity_multiplier is 0.5; use a value from 1"},
		{"NaN half-life", func(c *Config) { c.Workload.HalfLifeDays = math.NaN() }, "workload.half_life_days is NaN"},
		{"missing terrain factor", func(c *Config) { delete(c.Workload.TerrainFactors, geo.Hill) }, `workload.terrain_factors["hill"] is missing`},
		{"unknown terrain", func(c *Config) { c.Workload.TerrainFactors["desert"] = 2 }, `unknown terrain "desert"`},
		{"no officer roles", func(c *Config) { c.Workload.OfficerRoles = nil }, "workload.officer_roles is empty"},
		{"unknown role", func(c *Config) { c.Workload.OfficerRoles = []geo.Role{"sheriff"} }, `unknown role "sheriff"`},
		{"zero speed", func(c *Config) { c.Travel.SpeedsKmh[geo.Plain] = 0 }, `travel.speeds_kmh["plain"]`},
		{"detour below 1", func(c *Config) { c.Travel.DetourFactor = 0.9 }, "travel.detour_factor is 0.9"},
		{"bands not ascending", func(c *Config) { c.Travel.BandsMinutes = []float64{10, 5} }, "strictly ascending"},
		{"no bands", func(c *Config) { c.Travel.BandsMinutes = nil }, "travel.bands_minutes is empty"},
		{"all objective weights zero", func(c *Config) { c.Search.Objective = ObjectiveWeights{} }, "search.objective weights are all 0"},
		{"grid share above 1", func(c *Config) { c.Search.MaxGridShare = 1.5 }, "search.max_grid_share is 1.5"},
		{"no iterations", func(c *Config) { c.Search.IterationsPerGrid = 0 }, "search.iterations_per_grid is 0"},
		{"acceptance of 1", func(c *Config) { c.Search.InitialAcceptance = 1 }, "search.initial_acceptance is 1"},
		{"clearance target above 1", func(c *Config) { c.Assessment.Targets.Clearance = 1.2 }, "assessment.targets.clearance is 1.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.change(&c)
			err := c.Validate()
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "plan: invalid input: config: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	// Every problem is reported at once.
	c := DefaultConfig()
	c.Travel.DetourFactor, c.Search.MaxGridShare = 0, -1
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "detour_factor") || !strings.Contains(err.Error(), "max_grid_share") {
		t.Errorf("two problems, got %v", err)
	}
}

func TestLoadConfigRejects(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"unknown field", `{"workload": {"per_km": 3}}`, `unknown field "per_km"`},
		{"wrong type", `{"travel": {"detour_factor": "high"}}`, "cannot unmarshal"},
		{"invalid value", `{"travel": {"detour_factor": 0.2}}`, "travel.detour_factor is 0.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(tc.json))
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
