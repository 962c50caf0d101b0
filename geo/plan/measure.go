package plan

import "slices"

// Measures are the figures of one deployment; every proposal is judged by
// them. Loads are in workload units (see WorkloadConfig), times in minutes.
type Measures struct {
	Stations []StationMeasures `json:"stations"` // in dataset order
	Balance  Balance           `json:"balance"`
	Response Response          `json:"response"`
	Change   Change            `json:"change"`
	// MeanPolsbyPopper is the mean compactness of the stations that hold
	// grids.
	MeanPolsbyPopper float64 `json:"mean_polsby_popper"`
	// Contiguous is true when every station's area is in one piece (its
	// police grids connected through shared borders).
	Contiguous bool `json:"contiguous"`
	// Objective is the value the grid reassignment minimises (see
	// ObjectiveWeights), with response and change taken against the
	// current deployment: lower is better.
	Objective float64 `json:"objective"`
}

// StationMeasures are the figures of one station under a deployment.
type StationMeasures struct {
	StationID      string  `json:"station"`
	Grids          int     `json:"grids"` // police grids
	CommunityGrids int     `json:"community_grids"`
	Officers       int     `json:"officers"`
	Workload       float64 `json:"workload"`
	// LoadPerOfficer is Workload ÷ Officers; 0 when the station has no
	// officers (it is then listed in Balance.Unstaffed if it has work).
	LoadPerOfficer float64 `json:"load_per_officer"`
	Population     int     `json:"population"`
	AreaKm2        float64 `json:"area_km2"`
	// PerimeterKm is the length of the boundary of the station's area:
	// borders between two of its own grids do not count.
	PerimeterKm  float64 `json:"perimeter_km"`
	PolsbyPopper float64 `json:"polsby_popper"`
	// Pieces is the number of connected parts of the station's area: 1 when
	// contiguous, 0 when the station holds no grid.
	Pieces              int     `json:"pieces"`
	Incidents           int     `json:"incidents"`
	MeanResponseMinutes float64 `json:"mean_response_minutes"`
}

// Balance describes how evenly work is shared, counting every officer once
// (each officer carries their station's load per officer).
type Balance struct {
	MeanLoadPerOfficer float64 `json:"mean_load_per_officer"`
	MinLoadPerOfficer  float64 `json:"min_load_per_officer"`
	MaxLoadPerOfficer  float64 `json:"max_load_per_officer"`
	CV                 float64 `json:"cv"`
	Gini               float64 `json:"gini"`
	// MaxMinRatio is MaxLoadPerOfficer ÷ MinLoadPerOfficer; 0 when the
	// smallest load is 0.
	MaxMinRatio float64 `json:"max_min_ratio"`
	// Unstaffed lists stations with work but no officers; they are left out
	// of the figures above.
	Unstaffed []string `json:"unstaffed,omitempty"`
}

// Response summarises the estimated time from the station responsible for
// each incident's grid to the incident.
type Response struct {
	Incidents   int         `json:"incidents"`
	MeanMinutes float64     `json:"mean_minutes"`
	P90Minutes  float64     `json:"p90_minutes"` // nearest rank
	Within      []BandShare `json:"within"`      // one per Travel.BandsMinutes
}

// BandShare is how many incidents are reached within Minutes.
type BandShare struct {
	Minutes   float64 `json:"minutes"`
	Incidents int     `json:"incidents"`
	Share     float64 `json:"share"`
}

// Change is how much a deployment differs from the current one.
type Change struct {
	GridsMoved int     `json:"grids_moved"` // police grids whose station differs
	GridShare  float64 `json:"grid_share"`
	// OfficersMoved is the number of officers who would change station:
	// the sum of the increases over all stations.
	OfficersMoved int     `json:"officers_moved"`
	OfficerShare  float64 `json:"officer_share"`
}

// Measure computes the figures of d. It fails only when d does not fit the
// model (unknown or missing grids and stations).
func (m *Model) Measure(d Deployment) (Measures, error) {
	p, err := m.resolve(d)
	if err != nil {
		return Measures{}, err
	}
	return m.measure(p), nil
}

// stationTotals are the additive figures of every station under a plan.
type stationTotals struct {
	workload, area, perimeter, respSum      []float64
	grids, community, population, incidents []int
}

// totals adds up the figures of every station; respSum is left at 0 (see
// addResponse).
func (m *Model) totals(p plan) stationTotals {
	ns := len(m.stations)
	t := stationTotals{
		workload: make([]float64, ns), area: make([]float64, ns), perimeter: make([]float64, ns), respSum: make([]float64, ns),
		grids: make([]int, ns), community: make([]int, ns), population: make([]int, ns), incidents: make([]int, ns),
	}
	for u, s := range p.station {
		t.workload[s] += m.workload[u]
		t.area[s] += m.areaKm2[u]
		per := m.outerKm[u]
		for _, nb := range m.adj[u] {
			if p.station[nb.unit] != s {
				per += nb.km
			}
		}
		t.perimeter[s] += per
		t.grids[s]++
		t.community[s] += len(m.children[u])
		t.population[s] += m.pop[u]
		t.incidents[s] += int(m.incStart[u+1] - m.incStart[u])
	}
	return t
}

// unitResponse is the sum of the minutes from station s to every incident
// of unit u.
func (m *Model) unitResponse(u, s int) float64 {
	loc := m.stations[s].Location
	lon, lat := rad(loc[0]), rad(loc[1])
	sum := 0.0
	for _, inc := range m.incidents[m.incStart[u]:m.incStart[u+1]] {
		sum += distanceKm(lon, lat, inc.lon, inc.lat) * inc.minutesPerK
	}
	return sum
}

func (m *Model) measure(p plan) Measures {
	t := m.totals(p)
	var out Measures
	out.Response = m.response(p, t.respSum)
	out.Stations = make([]StationMeasures, len(m.stations))
	pieces := m.pieces(p)
	out.Contiguous = true
	var loads, weights []float64
	ppSum, ppN := 0.0, 0
	for s := range m.stations {
		sm := StationMeasures{
			StationID: m.stations[s].ID, Grids: t.grids[s], CommunityGrids: t.community[s], Officers: p.officers[s],
			Workload: t.workload[s], Population: t.population[s], AreaKm2: t.area[s], PerimeterKm: t.perimeter[s],
			PolsbyPopper: PolsbyPopper(t.area[s], t.perimeter[s]), Pieces: pieces[s], Incidents: t.incidents[s],
		}
		if sm.Incidents > 0 {
			sm.MeanResponseMinutes = t.respSum[s] / float64(sm.Incidents)
		}
		if sm.Grids > 0 {
			ppSum += sm.PolsbyPopper
			ppN++
		}
		if sm.Pieces > 1 {
			out.Contiguous = false
		}
		switch {
		case sm.Officers > 0:
			sm.LoadPerOfficer = sm.Workload / float64(sm.Officers)
			loads = append(loads, sm.LoadPerOfficer)
			weights = append(weights, float64(sm.Officers))
		case sm.Workload > 0:
			out.Balance.Unstaffed = append(out.Balance.Unstaffed, sm.StationID)
		}
		out.Stations[s] = sm
	}
	if ppN > 0 {
		out.MeanPolsbyPopper = ppSum / float64(ppN)
	}
	out.Balance = balanceOf(loads, weights, out.Balance.Unstaffed)
	out.Change = m.change(p)
	out.Objective = m.objective(p, t, m.current, m.currentResp)
	return out
}

func balanceOf(loads, weights []float64, unstaffed []string) Balance {
	b := Balance{Unstaffed: unstaffed}
	if len(loads) == 0 {
		return b
	}
	_, b.MeanLoadPerOfficer = weightedMean(loads, weights)
	b.MinLoadPerOfficer, b.MaxLoadPerOfficer = slices.Min(loads), slices.Max(loads)
	b.CV = CV(loads, weights)
	b.Gini = Gini(loads, weights)
	if b.MinLoadPerOfficer > 0 {
		b.MaxMinRatio = b.MaxLoadPerOfficer / b.MinLoadPerOfficer
	}
	return b
}

// response estimates the time to every incident from its grid's station
// and adds each station's total minutes to respSum.
func (m *Model) response(p plan, respSum []float64) Response {
	bands := m.cfg.Travel.BandsMinutes
	r := Response{Incidents: len(m.incidents), Within: make([]BandShare, len(bands))}
	for i, b := range bands {
		r.Within[i].Minutes = b
	}
	if len(m.incidents) == 0 {
		return r
	}
	times := make([]float64, len(m.incidents))
	lon := make([]float64, len(m.stations))
	lat := make([]float64, len(m.stations))
	for s, st := range m.stations {
		lon[s], lat[s] = rad(st.Location[0]), rad(st.Location[1])
	}
	sum := 0.0
	for i, inc := range m.incidents {
		s := p.station[inc.unit]
		x := distanceKm(lon[s], lat[s], inc.lon, inc.lat) * inc.minutesPerK
		times[i] = x
		sum += x
		respSum[s] += x
		for k := len(bands) - 1; k >= 0 && x <= bands[k]; k-- {
			r.Within[k].Incidents++
		}
	}
	r.MeanMinutes = sum / float64(len(times))
	r.P90Minutes = percentile(times, 0.9)
	for k := range r.Within {
		r.Within[k].Share = float64(r.Within[k].Incidents) / float64(len(times))
	}
	return r
}

func (m *Model) change(p plan) Change {
	var c Change
	for u, s := range p.station {
		if s != m.current[u] {
			c.GridsMoved++
		}
	}
	c.GridShare = float64(c.GridsMoved) / float64(len(m.units))
	total := 0
	for s, n := range p.officers {
		total += m.officers[s]
		if d := n - m.officers[s]; d > 0 {
			c.OfficersMoved += d
		}
	}
	if total > 0 {
		c.OfficerShare = float64(c.OfficersMoved) / float64(total)
	}
	return c
}

// objective evaluates the reassignment objective of p against the plan
// base, whose total response minutes are baseResp (for the response and
// change terms).
func (m *Model) objective(p plan, t stationTotals, base []int32, baseResp float64) float64 {
	w := m.cfg.Search.Objective
	var loads, weights []float64
	ppSum, ppN := 0.0, 0
	respSum := 0.0
	for s := range m.stations {
		if p.officers[s] > 0 {
			loads = append(loads, t.workload[s]/float64(p.officers[s]))
			weights = append(weights, float64(p.officers[s]))
		}
		if t.grids[s] > 0 {
			ppSum += PolsbyPopper(t.area[s], t.perimeter[s])
			ppN++
		}
		respSum += t.respSum[s]
	}
	f := w.Balance * CV(loads, weights)
	if ppN > 0 {
		f += w.Compactness * (1 - ppSum/float64(ppN))
	}
	if baseResp > 0 {
		f += w.Response * (respSum/baseResp - 1)
	}
	moved := 0
	for u, s := range p.station {
		if s != base[u] {
			moved++
		}
	}
	return f + w.Change*float64(moved)/float64(len(m.units))
}

// responseSum is the total of the minutes to every incident under an
// assignment of units to stations.
func (m *Model) responseSum(station []int32) float64 {
	sum := 0.0
	for u, s := range station {
		sum += m.unitResponse(u, int(s))
	}
	return sum
}

// pieces counts the connected parts of every station's area.
func (m *Model) pieces(p plan) []int {
	out := make([]int, len(m.stations))
	seen := make([]bool, len(m.units))
	var queue []int32
	for u := range m.units {
		if seen[u] {
			continue
		}
		s := p.station[u]
		out[s]++
		seen[u] = true
		queue = append(queue[:0], int32(u))
		for len(queue) > 0 {
			v := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			for _, nb := range m.adj[v] {
				if !seen[nb.unit] && p.station[nb.unit] == s {
					seen[nb.unit] = true
					queue = append(queue, nb.unit)
				}
			}
		}
	}
	return out
}
