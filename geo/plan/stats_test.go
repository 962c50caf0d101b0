package plan

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestCVAndGini(t *testing.T) {
	tests := []struct {
		name     string
		values   []float64
		weights  []float64
		cv, gini float64
	}{
		{name: "empty", values: nil},
		{name: "equal values", values: []float64{5, 5, 5}, cv: 0, gini: 0},
		// mean 2.5, variance 1.25; Σ|xi−xj| over ordered pairs = 20, 20/(2·4²·2.5) = 0.25
		{name: "1 2 3 4", values: []float64{1, 2, 3, 4}, cv: math.Sqrt(1.25) / 2.5, gini: 0.25},
		// one holds everything: Gini (n−1)/n
		{name: "all to one", values: []float64{0, 0, 0, 10}, cv: math.Sqrt(3), gini: 0.75},
		// weights 1,3 on 2,6 = the list 2,6,6,6: mean 5, variance 3, Σ|xi−xj| = 2·3·4 = 24, 24/(2·16·5) = 0.15
		{name: "weighted", values: []float64{2, 6}, weights: []float64{1, 3}, cv: math.Sqrt(3) / 5, gini: 0.15},
		{name: "zero mean", values: []float64{0, 0}, cv: 0, gini: 0},
		{name: "zero weights", values: []float64{1, 2}, weights: []float64{0, 0}, cv: 0, gini: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CV(tc.values, tc.weights); !near(got, tc.cv, 1e-12) {
				t.Errorf("CV = %v, want %v", got, tc.cv)
			}
			if got := Gini(tc.values, tc.weights); !near(got, tc.gini, 1e-12) {
				t.Errorf("Gini = %v, want %v", got, tc.gini)
			}
		})
	}
}

// Integer weights must give the figures of the expanded list, which is how
// load per officer is counted (every officer once).
func TestWeightedEqualsExpanded(t *testing.T) {
	for _, seed := range testSeeds(t, 1, 2, 3, 4, 5) {
		rng := rand.New(rand.NewPCG(seed, 0))
		var values, weights, expanded []float64
		for range 1 + rng.IntN(12) {
			x, w := rng.Float64()*100, rng.IntN(6)
			values, weights = append(values, x), append(weights, float64(w))
			for range w {
				expanded = append(expanded, x)
			}
		}
		if a, b := CV(values, weights), CV(expanded, nil); !near(a, b, 1e-9) {
			t.Errorf("seed %d: weighted CV %v, expanded %v", seed, a, b)
		}
		if a, b := Gini(values, weights), Gini(expanded, nil); !near(a, b, 1e-9) {
			t.Errorf("seed %d: weighted Gini %v, expanded %v", seed, a, b)
		}
		if b := naiveGini(expanded); !near(Gini(expanded, nil), b, 1e-9) {
			t.Errorf("seed %d: Gini %v, pairwise %v", seed, Gini(expanded, nil), b)
		}
	}
}

// naiveGini is the definition: Σ_i Σ_j |xi − xj| / (2 n² mean).
func naiveGini(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s, sum := 0.0, 0.0
	for _, a := range xs {
		sum += a
		for _, b := range xs {
			s += math.Abs(a - b)
		}
	}
	n := float64(len(xs))
	if sum == 0 {
		return 0
	}
	return s / (2 * n * n * (sum / n))
}

func TestPercentile(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name string
		xs   []float64
		p    float64
		want float64
	}{
		{"p90 of ten", xs, 0.9, 9},
		{"p50 of ten", xs, 0.5, 5},
		{"p100", xs, 1, 10},
		{"tiny p", xs, 0.01, 1},
		{"one value", []float64{7}, 0.9, 7},
		{"ties", []float64{2, 2, 2, 1, 2}, 0.5, 2},
		{"none", nil, 0.9, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			shuffled := slices.Clone(tc.xs)
			rand.New(rand.NewPCG(1, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if got := percentile(shuffled, tc.p); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// Selection agrees with sorting on random data with many ties.
func TestSelectKthMatchesSort(t *testing.T) {
	for _, seed := range testSeeds(t, 1, 2, 3, 4, 5, 6, 7, 8) {
		rng := rand.New(rand.NewPCG(seed, 4))
		xs := make([]float64, 1+rng.IntN(500))
		for i := range xs {
			xs[i] = float64(rng.IntN(50))
		}
		sorted := slices.Clone(xs)
		slices.Sort(sorted)
		for range 20 {
			k := rng.IntN(len(xs))
			if got := selectKth(slices.Clone(xs), k); got != sorted[k] {
				t.Fatalf("seed %d: element %d of %d is %v, sorting gives %v", seed, k, len(xs), got, sorted[k])
			}
		}
	}
}
