package lantian

import "fmt"

// A pinch is a lattice vertex where one region touches itself diagonally
// (cells a and d share a label that b and c lack). Traced as it is, such a
// region's ring would touch itself at a point, which is not a valid polygon.
// removePinches reassigns single cells until no level has a pinch, keeping
// every region of the finest level 4-connected.
func (r *raster) removePinches(fine []int, levels []func(label int) int) error {
	for round := 0; round < 50; round++ {
		fixed := 0
		for _, coarse := range levels {
			lab := func(c int) int {
				if fine[c] == outside {
					return outside
				}
				return coarse(fine[c])
			}
			for j := 0; j+1 < r.h; j++ {
				for i := 0; i+1 < r.w; i++ {
					a, b := j*r.w+i, j*r.w+i+1
					c, d := a+r.w, b+r.w
					switch {
					case lab(a) == lab(d) && lab(b) != lab(a) && lab(c) != lab(a):
						if r.absorb(fine, b, a) || r.absorb(fine, c, a) || r.absorb(fine, a, b) || r.absorb(fine, d, b) {
							fixed++
						}
					case lab(b) == lab(c) && lab(a) != lab(b) && lab(d) != lab(b):
						if r.absorb(fine, a, b) || r.absorb(fine, d, b) || r.absorb(fine, b, a) || r.absorb(fine, c, a) {
							fixed++
						}
					}
				}
			}
		}
		if fixed == 0 {
			return nil
		}
	}
	return fmt.Errorf("lantian: pinches remain after 50 rounds")
}

// absorb gives cell x the finest label of cell y, unless that would leave
// x's old region empty or split. It reports whether it changed anything.
func (r *raster) absorb(fine []int, x, y int) bool {
	from, to := fine[x], fine[y]
	if from == to {
		return false
	}
	if from != outside && !r.connectedWithout(fine, from, x) {
		return false
	}
	fine[x] = to
	r.inside[x] = to != outside
	return true
}

// connectedWithout reports whether the cells labelled l, less cell x, are
// non-empty and 4-connected. Only x's neighbours of label l need to stay
// mutually reachable, so the search stops once it has met them all.
func (r *raster) connectedWithout(fine []int, l, x int) bool {
	var targets []int
	r.neighbours4(x, func(n int) {
		if fine[n] == l {
			targets = append(targets, n)
		}
	})
	if len(targets) == 0 {
		// x is the region's only cell, or touches its region only diagonally
		// (then removing it cannot disconnect anything 4-wise).
		return r.countLabel(fine, l) > 1
	}
	if len(targets) == 1 {
		return true
	}
	seen := map[int]bool{x: true, targets[0]: true}
	stack := []int{targets[0]}
	want := map[int]bool{}
	for _, t := range targets[1:] {
		want[t] = true
	}
	for len(stack) > 0 && len(want) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		delete(want, c)
		r.neighbours4(c, func(n int) {
			if fine[n] == l && !seen[n] {
				seen[n] = true
				stack = append(stack, n)
			}
		})
	}
	return len(want) == 0
}

func (r *raster) countLabel(fine []int, l int) int {
	n := 0
	for _, v := range fine {
		if v == l {
			n++
		}
	}
	return n
}
