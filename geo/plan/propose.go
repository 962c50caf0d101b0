package plan

// ProposeOptions tune Propose. Zero values take the Config's defaults.
type ProposeOptions struct {
	Seed uint64 `json:"seed"`
	// MaxGridMoves and MaxOfficerMoves cap the police grids and officers
	// that change station: 0 means the Config's share, negative means none.
	MaxGridMoves    int `json:"max_grid_moves"`
	MaxOfficerMoves int `json:"max_officer_moves"`
	// MinOfficersPerStation: 0 means Search.MinOfficersPerStation,
	// negative means no minimum.
	MinOfficersPerStation int `json:"min_officers_per_station"`
	// LockedGrids never change station; LockedStations keep their grids
	// and their officers.
	LockedGrids    []string `json:"locked_grids,omitempty"`
	LockedStations []string `json:"locked_stations,omitempty"`
	// Iterations of the grid search: 0 means Search.IterationsPerGrid ×
	// police grids.
	Iterations int `json:"iterations"`
}

// Proposal is a changed deployment with what changes and its figures
// beside those of the start.
type Proposal struct {
	Deployment   Deployment    `json:"deployment"`
	GridMoves    []GridMove    `json:"grid_moves"`
	OfficerMoves []OfficerMove `json:"officer_moves"`
	// Staff is officers per station before and after, with loads under
	// the proposed grids.
	Staff  []StaffChange `json:"staff"`
	Before Measures      `json:"before"`
	After  Measures      `json:"after"`
	Search SearchStats   `json:"search"`
}

// Propose combines officer reallocation and grid reassignment: it first
// moves officers towards workload (ReallocateOfficers), then moves grids
// to even out what officers alone could not (ReassignGrids, keeping those
// officers), and then allocates the officers again, from start's officers,
// for the new grids. Of the officers-only plan and the combined one it
// returns the one with the lower objective (taken against start). Caps
// count against start: at most MaxGridMoves police grids and
// MaxOfficerMoves officers differ, and every rule of both steps holds. The
// same model, start and options give the same proposal.
func (m *Model) Propose(start Deployment, opt ProposeOptions) (Proposal, error) {
	p0, err := m.resolve(start)
	if err != nil {
		return Proposal{}, err
	}
	realloc := ReallocateOptions{MaxMoves: opt.MaxOfficerMoves, MinPerStation: opt.MinOfficersPerStation, LockedStations: opt.LockedStations}
	r1, err := m.ReallocateOfficers(start, realloc)
	if err != nil {
		return Proposal{}, err
	}
	g, err := m.ReassignGrids(r1.Deployment, ReassignOptions{Seed: opt.Seed, MaxMoves: opt.MaxGridMoves,
		LockedGrids: opt.LockedGrids, LockedStations: opt.LockedStations, Iterations: opt.Iterations})
	if err != nil {
		return Proposal{}, err
	}
	r2, err := m.ReallocateOfficers(Deployment{Grids: g.Deployment.Grids, Officers: start.Officers}, realloc)
	if err != nil {
		return Proposal{}, err
	}
	startResp := m.responseSum(p0.station)
	bestD, bestR, bestF := r1.Deployment, r1, 0.0
	for i, c := range []struct {
		d Deployment
		r Reallocation
	}{{r1.Deployment, r1}, {r2.Deployment, r2}} {
		p, _ := m.resolve(c.d) // built from a resolved plan
		t := m.totals(p)
		m.response(p, t.respSum)
		f := m.objective(p, t, p0.station, startResp)
		if i == 0 || f < bestF-1e-12 {
			bestD, bestR, bestF = c.d, c.r, f
		}
	}
	best, _ := m.resolve(bestD)
	out := Proposal{
		Deployment:   bestD,
		GridMoves:    m.gridMoves(p0.station, best.station),
		OfficerMoves: bestR.Moves,
		Staff:        bestR.Stations,
		Before:       m.measure(p0),
		After:        m.measure(best),
		Search:       g.Search,
	}
	return out, nil
}
