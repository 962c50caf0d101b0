package plan

import (
	"math"
	"slices"
)

// CV is the coefficient of variation (population standard deviation ÷
// mean) of values, each counted weights[i] times; nil weights count every
// value once. It is 0 for no values, a zero total weight or a zero mean.
func CV(values, weights []float64) float64 {
	sw, mean := weightedMean(values, weights)
	if sw == 0 || mean == 0 {
		return 0
	}
	ss := 0.0
	for i, x := range values {
		d := x - mean
		ss += weightAt(weights, i) * d * d
	}
	return math.Sqrt(ss/sw) / mean
}

// Gini is the Gini coefficient of values, each counted weights[i] times
// (nil weights count every value once): the mean absolute difference
// between two randomly drawn units divided by twice the mean. 0 is perfect
// equality; with integer weights it equals the Gini of the expanded list.
// It is 0 for no values, a zero total weight or a zero mean.
func Gini(values, weights []float64) float64 {
	sw, mean := weightedMean(values, weights)
	if sw == 0 || mean == 0 {
		return 0
	}
	// Sorted, Σ_i Σ_j w_i w_j |x_i − x_j| = 2 Σ_i w_i x_i (W_<i − W_>i).
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case values[a] < values[b]:
			return -1
		case values[a] > values[b]:
			return 1
		}
		return 0
	})
	below, sum := 0.0, 0.0
	for _, i := range idx {
		w := weightAt(weights, i)
		above := sw - below - w
		sum += w * values[i] * (below - above)
		below += w
	}
	return sum / (sw * sw * mean)
}

func weightAt(weights []float64, i int) float64 {
	if weights == nil {
		return 1
	}
	return weights[i]
}

func weightedMean(values, weights []float64) (totalWeight, mean float64) {
	s := 0.0
	for i, x := range values {
		w := weightAt(weights, i)
		totalWeight += w
		s += w * x
	}
	if totalWeight == 0 {
		return 0, 0
	}
	return totalWeight, s / totalWeight
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 1) of xs: the
// smallest value with at least p of the values at or below it. It is 0 for
// no values. It reorders xs (selection, not a full sort: linear time).
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	k := int(math.Ceil(p*float64(len(xs)))) - 1
	return selectKth(xs, min(max(k, 0), len(xs)-1))
}

// selectKth reorders xs so that xs[k] is the value a sort would put there,
// and returns it (Hoare's quickselect with a median-of-three pivot).
func selectKth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Order xs[lo], xs[mid], xs[hi]; the median becomes the pivot.
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
