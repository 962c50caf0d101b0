package plan

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
)

// ReallocateOptions tune ReallocateOfficers. Zero values take the Config's
// defaults.
type ReallocateOptions struct {
	// MaxMoves caps the officers who change station: 0 means
	// Search.MaxOfficerShare of all officers, a negative value allows none.
	MaxMoves int `json:"max_moves"`
	// MinPerStation is the fewest officers the allocation gives a station:
	// 0 means Search.MinOfficersPerStation, a negative value 0.
	MinPerStation int `json:"min_per_station"`
	// LockedStations keep their officers.
	LockedStations []string `json:"locked_stations,omitempty"`
}

// OfficerMove sends Count officers from one station to another.
type OfficerMove struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

// StaffChange is one station's officers before and after a reallocation.
type StaffChange struct {
	StationID string  `json:"station"`
	Workload  float64 `json:"workload"`
	Before    int     `json:"before"`
	// Target is the proportional allocation before the cap on moves.
	Target               int     `json:"target"`
	After                int     `json:"after"`
	LoadPerOfficerBefore float64 `json:"load_per_officer_before"`
	LoadPerOfficerAfter  float64 `json:"load_per_officer_after"`
	Locked               bool    `json:"locked,omitempty"`
}

// Reallocation is the result of ReallocateOfficers.
type Reallocation struct {
	Deployment Deployment    `json:"deployment"`
	Moves      []OfficerMove `json:"moves"`
	Stations   []StaffChange `json:"stations"` // in dataset order
	// Moved is the number of officers who change station; Capped is true
	// when MaxMoves stopped the moves short of the target allocation.
	Moved    int     `json:"moved"`
	Capped   bool    `json:"capped"`
	CVBefore float64 `json:"cv_before"`
	CVAfter  float64 `json:"cv_after"`
}

// ReallocateOfficers moves officers between stations, keeping start's
// grids, towards an allocation proportional to each station's workload:
//
//  1. Locked stations keep their officers; the others share the rest.
//  2. Each free station gets at least the minimum, the others a share
//     proportional to workload (Hamilton's largest-remainder method, ties
//     to the larger workload, then dataset order); the target sums exactly
//     to the officers available.
//  3. Officers move one at a time from a station above its target to one
//     below it, each time the pair that lowers the spread of load per
//     officer most, until the target is reached or MaxMoves officers have
//     moved. So a capped reallocation spends its moves where they help most
//     and never takes a station below min(minimum, what it had).
//
// The total number of officers never changes.
func (m *Model) ReallocateOfficers(start Deployment, opt ReallocateOptions) (Reallocation, error) {
	p, err := m.resolve(start)
	if err != nil {
		return Reallocation{}, err
	}
	_, lockedS, err := m.lockSet(nil, opt.LockedStations)
	if err != nil {
		return Reallocation{}, err
	}
	total := 0
	for _, n := range p.officers {
		total += n
	}
	maxMoves := opt.MaxMoves
	if maxMoves == 0 {
		maxMoves = int(m.cfg.Search.MaxOfficerShare * float64(total))
	}
	maxMoves = max(maxMoves, 0)
	minimum := opt.MinPerStation
	if minimum == 0 {
		minimum = m.cfg.Search.MinOfficersPerStation
	}
	minimum = max(minimum, 0)
	t := m.totals(p)
	return m.reallocate(p, t.workload, lockedS, minimum, maxMoves)
}

func (m *Model) reallocate(p plan, load []float64, locked []bool, minimum, maxMoves int) (Reallocation, error) {
	ns := len(m.stations)
	target, err := m.proportional(load, p.officers, locked, minimum)
	if err != nil {
		return Reallocation{}, err
	}
	after := slices.Clone(p.officers)
	// gain and cost are what one more or one fewer officer does to Σ W²/n,
	// which the officer-weighted variance of load per officer follows.
	gain := func(s int) float64 { // decrease from adding one officer
		if after[s] == 0 {
			return math.Inf(1)
		}
		n := float64(after[s])
		return load[s] * load[s] / (n * (n + 1))
	}
	cost := func(s int) float64 { // increase from removing one officer
		if after[s] == 1 {
			if load[s] > 0 {
				return math.Inf(1)
			}
			return 0
		}
		n := float64(after[s])
		return load[s] * load[s] / (n * (n - 1))
	}
	pairs := map[[2]int]int{}
	moved := 0
	for moved < maxMoves {
		from, to := -1, -1
		for s := range ns {
			if after[s] > target[s] && (from < 0 || cost(s) < cost(from)) {
				from = s
			}
			if after[s] < target[s] && (to < 0 || gain(s) > gain(to)) {
				to = s
			}
		}
		if from < 0 || to < 0 {
			break
		}
		after[from]--
		after[to]++
		pairs[[2]int{from, to}]++
		moved++
	}
	r := Reallocation{Moved: moved}
	for s := range ns {
		if after[s] != target[s] {
			r.Capped = true
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(pairs), func(a, b [2]int) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	}) {
		r.Moves = append(r.Moves, OfficerMove{From: m.stations[k[0]].ID, To: m.stations[k[1]].ID, Count: pairs[k]})
	}
	var lb, la, wb, wa []float64
	for s := range ns {
		sc := StaffChange{StationID: m.stations[s].ID, Workload: load[s], Before: p.officers[s], Target: target[s],
			After: after[s], Locked: locked[s]}
		if sc.Before > 0 {
			sc.LoadPerOfficerBefore = load[s] / float64(sc.Before)
			lb, wb = append(lb, sc.LoadPerOfficerBefore), append(wb, float64(sc.Before))
		}
		if sc.After > 0 {
			sc.LoadPerOfficerAfter = load[s] / float64(sc.After)
			la, wa = append(la, sc.LoadPerOfficerAfter), append(wa, float64(sc.After))
		}
		r.Stations = append(r.Stations, sc)
	}
	r.CVBefore, r.CVAfter = CV(lb, wb), CV(la, wa)
	r.Deployment = m.deployment(plan{station: p.station, officers: after})
	return r, nil
}

// proportional is the largest-remainder allocation of the officers of the
// free stations in proportion to their load, each getting at least minimum.
// Locked stations keep theirs.
func (m *Model) proportional(load []float64, officers []int, locked []bool, minimum int) ([]int, error) {
	ns := len(load)
	target := make([]int, ns)
	free, nFree := 0, 0
	for s := range ns {
		if locked[s] {
			target[s] = officers[s]
		} else {
			free += officers[s]
			nFree++
		}
	}
	if nFree == 0 {
		return target, nil
	}
	if free < minimum*nFree {
		return nil, invalid("officers: the %d officers of the %d unlocked stations cannot give each the minimum of %d; lower min_per_station or unlock stations",
			free, nFree, minimum)
	}
	// Stations whose proportional share falls below the minimum are pinned
	// at the minimum and the rest is shared again, until no share is below.
	pinned := make([]bool, ns)
	quota := make([]float64, ns)
	for {
		left, leftLoad := float64(free), 0.0
		for s := range ns {
			if locked[s] {
				continue
			}
			if pinned[s] {
				left -= float64(minimum)
			} else {
				leftLoad += load[s]
			}
		}
		changed := false
		for s := range ns {
			if locked[s] || pinned[s] {
				continue
			}
			switch {
			case leftLoad > 0:
				quota[s] = left * load[s] / leftLoad
			default:
				quota[s] = left / float64(countFree(locked, pinned))
			}
			if quota[s] < float64(minimum) {
				pinned[s], changed = true, true
			}
		}
		if !changed {
			break
		}
	}
	assigned := 0
	var rest []int
	for s := range ns {
		if locked[s] {
			continue
		}
		if pinned[s] {
			target[s] = minimum
		} else {
			target[s] = int(math.Floor(quota[s]))
			rest = append(rest, s)
		}
		assigned += target[s]
	}
	slices.SortStableFunc(rest, func(a, b int) int {
		ra, rb := quota[a]-math.Floor(quota[a]), quota[b]-math.Floor(quota[b])
		return cmp.Or(cmp.Compare(rb, ra), cmp.Compare(load[b], load[a]))
	})
	for i := 0; assigned < free; i++ {
		if len(rest) == 0 {
			return nil, fmt.Errorf("plan: internal error: no station to take the remaining officers")
		}
		target[rest[i%len(rest)]]++
		assigned++
	}
	return target, nil
}

func countFree(locked, pinned []bool) int {
	n := 0
	for s := range locked {
		if !locked[s] && !pinned[s] {
			n++
		}
	}
	return max(n, 1)
}
