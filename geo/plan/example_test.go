package plan_test

import (
	"fmt"
	"strings"

	"jingge/geo/plan"
)

// Load per officer of three stations, every officer counted once.
func ExampleCV() {
	loadPerOfficer := []float64{300, 150, 200}
	officers := []float64{10, 20, 15}
	fmt.Printf("CV %.3f, Gini %.3f\n", plan.CV(loadPerOfficer, officers), plan.Gini(loadPerOfficer, officers))
	// Output: CV 0.289, Gini 0.148
}

func ExamplePolsbyPopper() {
	fmt.Printf("square %.4f\n", plan.PolsbyPopper(4, 8)) // side 2
	fmt.Printf("1×4 strip %.4f\n", plan.PolsbyPopper(4, 10))
	// Output:
	// square 0.7854
	// 1×4 strip 0.5027
}

func ExampleLoadConfig() {
	cfg, err := plan.LoadConfig(strings.NewReader(`{"workload": {"category_weights": {"criminal": 6}}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Workload.CategoryWeights["criminal"], cfg.Workload.CategoryWeights["traffic"])

	_, err = plan.LoadConfig(strings.NewReader(`{"travel": {"detour_factor": 0.5}}`))
	fmt.Println(err)
	// Output:
	// 6 1.5
	// plan: invalid input: config: travel.detour_factor is 0.5; use a value from 1 (straight roads) to 5, typically 1.3–1.6
}
