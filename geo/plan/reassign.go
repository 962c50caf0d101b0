package plan

import (
	"math"
	"math/rand/v2"
	"slices"
)

// ReassignOptions tune ReassignGrids. Zero values take the Config's
// defaults.
type ReassignOptions struct {
	// Seed makes the search repeatable: the same model, start and options
	// give the same result.
	Seed uint64 `json:"seed"`
	// MaxMoves caps the police grids whose station may differ from the
	// starting deployment: 0 means Search.MaxGridShare of all police grids,
	// a negative value allows none.
	MaxMoves int `json:"max_moves"`
	// LockedGrids never change station (a community grid locks its police
	// grid). LockedStations neither give nor receive grids.
	LockedGrids    []string `json:"locked_grids,omitempty"`
	LockedStations []string `json:"locked_stations,omitempty"`
	// Iterations is the number of moves the search tries: 0 means
	// Search.IterationsPerGrid × police grids.
	Iterations int `json:"iterations"`
}

// GridMove is one police grid changing station, with the community grids
// (villages) that go with it.
type GridMove struct {
	GridID         string   `json:"grid"`
	Name           string   `json:"name"`
	From           string   `json:"from"`
	To             string   `json:"to"`
	CommunityGrids []string `json:"community_grids,omitempty"`
	Workload       float64  `json:"workload"`
}

// SearchStats describe a reassignment run.
type SearchStats struct {
	Seed       uint64 `json:"seed"`
	Iterations int    `json:"iterations"`
	// Accepted counts the moves the annealing took (some later undone),
	// Feasible the moves that passed every rule and were evaluated.
	Accepted int `json:"accepted"`
	Feasible int `json:"feasible"`
	MaxMoves int `json:"max_moves"`
	// StartObjective and Objective are the objective of the starting
	// deployment and of the result, with response and change measured
	// against the start.
	StartObjective     float64 `json:"start_objective"`
	Objective          float64 `json:"objective"`
	InitialTemperature float64 `json:"initial_temperature"`
}

// Reassignment is the result of ReassignGrids.
type Reassignment struct {
	Deployment Deployment  `json:"deployment"`
	Moves      []GridMove  `json:"moves"` // in dataset order of the grids
	Search     SearchStats `json:"search"`
}

// ReassignGrids moves police grids between neighbouring stations to lower
// the objective (ObjectiveWeights) of start, keeping start's officers. The
// search is simulated annealing over single-grid moves: a grid may go to a
// station that holds one of its neighbours (a grid sharing a border segment
// with it). Every intermediate and final plan keeps these rules:
//
//   - a station's area stays in one piece: a grid may leave only if it is
//     not an articulation point of its station's adjacency subgraph
//     (Tarjan), and it can only join a station it borders;
//   - no station becomes empty, and none without officers receives a grid;
//   - villages are never split: community grids move with their police grid;
//   - locked grids and locked stations do not change;
//   - at most MaxMoves police grids differ from start.
//
// A station that starts in several pieces stays in at least as many; the
// rules never join or split pieces. The best plan seen is returned, so the
// result is never worse than start.
func (m *Model) ReassignGrids(start Deployment, opt ReassignOptions) (Reassignment, error) {
	p, err := m.resolve(start)
	if err != nil {
		return Reassignment{}, err
	}
	lockedU, lockedS, err := m.lockSet(opt.LockedGrids, opt.LockedStations)
	if err != nil {
		return Reassignment{}, err
	}
	maxMoves := opt.MaxMoves
	if maxMoves == 0 {
		maxMoves = int(m.cfg.Search.MaxGridShare * float64(len(m.units)))
	}
	maxMoves = max(maxMoves, 0)
	iters := opt.Iterations
	if iters <= 0 {
		iters = m.cfg.Search.IterationsPerGrid * len(m.units)
	}
	a := newAnnealer(m, p, lockedU, lockedS, maxMoves, opt.Seed)
	stats := a.run(iters)
	out := plan{station: a.station, officers: p.officers}
	return Reassignment{Deployment: m.deployment(out), Moves: m.gridMoves(p.station, out.station), Search: stats}, nil
}

// gridMoves lists the units whose station differs between two assignments.
func (m *Model) gridMoves(from, to []int32) []GridMove {
	var out []GridMove
	for u := range from {
		if from[u] == to[u] {
			continue
		}
		g := m.units[u]
		out = append(out, GridMove{GridID: g.ID, Name: g.Name, From: m.stations[from[u]].ID, To: m.stations[to[u]].ID,
			CommunityGrids: slices.Clone(m.children[u]), Workload: m.workload[u]})
	}
	return out
}

// annealer holds the state of one reassignment run. All figures are kept
// up to date incrementally, so a move is evaluated in time proportional to
// the number of the grid's neighbours.
type annealer struct {
	m        *Model
	w        ObjectiveWeights
	station  []int32 // unit -> station, the current state
	start    []int32
	lockedU  []bool
	lockedS  []bool
	maxMoves int
	moved    int // units whose station differs from start

	members [][]int32 // station -> its units
	pos     []int32   // unit -> index in members[station]
	cut     []bool    // unit -> articulation point of its station
	cuts    *cutFinder

	officers []float64
	load     []float64
	area     []float64
	perim    []float64
	// Balance: CV² = (sumSq/officers)/mean² − 1 over staffed stations,
	// mean = sumLoad/officers.
	sumLoad, sumSq, totalOfficers float64
	ppSum                         float64 // Σ Polsby–Popper over stations with grids
	nonEmpty                      float64
	resp, resp0                   float64   // total response minutes now and at start
	respCache                     []float64 // grid × station, NaN until computed
	respSparse                    map[int]float64

	f   float64 // objective now
	rng *rand.Rand
	log []move
}

type move struct{ u, from, to int32 }

func newAnnealer(m *Model, p plan, lockedU, lockedS []bool, maxMoves int, seed uint64) *annealer {
	ns, nu := len(m.stations), len(m.units)
	a := &annealer{
		m: m, w: m.cfg.Search.Objective, station: slices.Clone(p.station), start: p.station,
		lockedU: lockedU, lockedS: lockedS, maxMoves: maxMoves,
		members: make([][]int32, ns), pos: make([]int32, nu), cut: make([]bool, nu), cuts: newCutFinder(m.adj),
		officers: make([]float64, ns),
		rng:      rand.New(rand.NewPCG(seed, 0x6a696e6767652121)),
	}
	if nu*ns <= denseRespLimit {
		a.respCache = make([]float64, nu*ns)
		for i := range a.respCache {
			a.respCache[i] = math.NaN()
		}
	} else {
		a.respSparse = map[int]float64{}
	}
	for u, s := range a.station {
		a.pos[u] = int32(len(a.members[s]))
		a.members[s] = append(a.members[s], int32(u))
	}
	t := m.totals(p)
	a.load, a.area, a.perim = t.workload, t.area, t.perimeter
	for s := range ns {
		a.officers[s] = float64(p.officers[s])
		if a.officers[s] > 0 {
			a.sumLoad += a.load[s]
			a.sumSq += a.load[s] * a.load[s] / a.officers[s]
			a.totalOfficers += a.officers[s]
		}
		if len(a.members[s]) > 0 {
			a.nonEmpty++
			a.ppSum += PolsbyPopper(a.area[s], a.perim[s])
			a.cuts.mark(a.members[s], a.station, int32(s), a.cut)
		}
	}
	for u, s := range a.station {
		a.resp += a.respOf(u, s)
	}
	a.resp0 = a.resp
	a.f = a.objective(a.sumLoad, a.sumSq, a.totalOfficers, a.ppSum, a.resp, a.moved)
	return a
}

// denseRespLimit bounds the grid × station table of response minutes
// (8 bytes each); larger territories cache the pairs they meet in a map.
var denseRespLimit = 1 << 22

// respOf is the response minutes of unit u's incidents from station s,
// computed once per pair.
func (a *annealer) respOf(u int, s int32) float64 {
	k := u*len(a.m.stations) + int(s)
	if a.respCache == nil {
		x, ok := a.respSparse[k]
		if !ok {
			x = a.m.unitResponse(u, int(s))
			a.respSparse[k] = x
		}
		return x
	}
	if x := a.respCache[k]; !math.IsNaN(x) {
		return x
	}
	x := a.m.unitResponse(u, int(s))
	a.respCache[k] = x
	return x
}

func (a *annealer) objective(sumLoad, sumSq, officers, ppSum, resp float64, moved int) float64 {
	f := 0.0
	if officers > 0 && sumLoad > 0 {
		mean := sumLoad / officers
		f += a.w.Balance * math.Sqrt(max(0, sumSq/officers/(mean*mean)-1))
	}
	if a.nonEmpty > 0 {
		f += a.w.Compactness * (1 - ppSum/a.nonEmpty)
	}
	if a.resp0 > 0 {
		f += a.w.Response * (resp/a.resp0 - 1)
	}
	return f + a.w.Change*float64(moved)/float64(len(a.station))
}

// candidate is a feasible move with the figures it would lead to.
type candidate struct {
	u                    int
	from, to             int32
	perimFrom, perimTo   float64
	sumLoad, sumSq, offs float64
	ppSum, resp          float64
	moved                int
	f                    float64
}

// try checks whether unit u may move to station to and, if so, evaluates
// the move.
func (a *annealer) try(u int, to int32) (candidate, bool) {
	from := a.station[u]
	switch {
	case from == to, a.lockedU[u], a.lockedS[from], a.lockedS[to],
		a.cut[u], len(a.members[from]) <= 1, a.officers[to] == 0:
		return candidate{}, false
	}
	c := candidate{u: u, from: from, to: to, moved: a.moved}
	switch {
	case a.start[u] == from:
		c.moved++
	case a.start[u] == to:
		c.moved--
	}
	if c.moved > a.maxMoves && c.moved > a.moved {
		return candidate{}, false
	}
	m := a.m
	total, inFrom, inTo := m.outerKm[u], 0.0, 0.0
	for _, nb := range m.adj[u] {
		total += nb.km
		switch a.station[nb.unit] {
		case from:
			inFrom += nb.km
		case to:
			inTo += nb.km
		}
	}
	c.perimFrom = a.perim[from] - total + 2*inFrom
	c.perimTo = a.perim[to] + total - 2*inTo
	w := m.workload[u]
	lf, lt := a.load[from], a.load[to]
	c.sumLoad, c.sumSq, c.offs = a.sumLoad, a.sumSq, a.totalOfficers
	if of := a.officers[from]; of > 0 {
		c.sumLoad -= w
		c.sumSq += ((lf-w)*(lf-w) - lf*lf) / of
	}
	ot := a.officers[to] // > 0, checked above
	c.sumLoad += w
	c.sumSq += ((lt+w)*(lt+w) - lt*lt) / ot
	c.ppSum = a.ppSum - PolsbyPopper(a.area[from], a.perim[from]) - PolsbyPopper(a.area[to], a.perim[to]) +
		PolsbyPopper(a.area[from]-m.areaKm2[u], c.perimFrom) + PolsbyPopper(a.area[to]+m.areaKm2[u], c.perimTo)
	c.resp = a.resp - a.respOf(u, from) + a.respOf(u, to)
	c.f = a.objective(c.sumLoad, c.sumSq, c.offs, c.ppSum, c.resp, c.moved)
	return c, true
}

// apply makes a feasible move and refreshes the cut grids of the two
// stations it touches.
func (a *annealer) apply(c candidate) {
	u, from, to := c.u, c.from, c.to
	w := a.m.workload[u]
	a.load[from] -= w
	a.load[to] += w
	a.area[from] -= a.m.areaKm2[u]
	a.area[to] += a.m.areaKm2[u]
	a.perim[from], a.perim[to] = c.perimFrom, c.perimTo
	a.sumLoad, a.sumSq, a.totalOfficers = c.sumLoad, c.sumSq, c.offs
	a.ppSum, a.resp, a.moved, a.f = c.ppSum, c.resp, c.moved, c.f

	// swap-remove u from its station, append it to the other
	list := a.members[from]
	last := list[len(list)-1]
	list[a.pos[u]] = last
	a.pos[last] = a.pos[u]
	a.members[from] = list[:len(list)-1]
	a.pos[u] = int32(len(a.members[to]))
	a.members[to] = append(a.members[to], int32(u))
	a.station[u] = to

	a.cuts.mark(a.members[from], a.station, from, a.cut)
	a.cuts.mark(a.members[to], a.station, to, a.cut)
	a.log = append(a.log, move{u: int32(u), from: from, to: to})
}

// propose draws a random move: a random grid towards the station of one
// of its random neighbours. ok is false when the draw is not a move.
func (a *annealer) propose() (candidate, bool) {
	u := a.rng.IntN(len(a.station))
	nbs := a.m.adj[u]
	if len(nbs) == 0 {
		return candidate{}, false
	}
	to := a.station[nbs[a.rng.IntN(len(nbs))].unit]
	return a.try(u, to)
}

// run anneals for iters proposed moves and leaves the best plan seen in
// a.station.
func (a *annealer) run(iters int) SearchStats {
	stats := SearchStats{Iterations: iters, MaxMoves: a.maxMoves, StartObjective: a.f}
	// The starting temperature accepts a typical worsening move with
	// probability InitialAcceptance; it is estimated from a sample of moves
	// (drawn from the same generator, so the run stays repeatable).
	worse, nWorse := 0.0, 0
	for range min(iters, 2000) {
		if c, ok := a.propose(); ok && c.f > a.f {
			worse += c.f - a.f
			nWorse++
		}
	}
	t0 := 1e-9
	if nWorse > 0 {
		t0 = -(worse / float64(nWorse)) / math.Log(a.m.cfg.Search.InitialAcceptance)
	}
	stats.InitialTemperature = t0
	cool := math.Pow(1e-3, 1/float64(max(iters, 1)))
	temp := t0
	best, bestLen := a.f, 0
	for range iters {
		temp *= cool
		c, ok := a.propose()
		if !ok {
			continue
		}
		stats.Feasible++
		d := c.f - a.f
		if d > 0 && a.rng.Float64() >= math.Exp(-d/temp) {
			continue
		}
		a.apply(c)
		stats.Accepted++
		if a.f < best-1e-12 {
			best, bestLen = a.f, len(a.log)
		}
	}
	// Go back to the best plan seen.
	for i := len(a.log) - 1; i >= bestLen; i-- {
		a.station[a.log[i].u] = a.log[i].from
	}
	stats.Objective = best
	return stats
}
