package plan

import (
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/geo"
)

// Model is what the planner knows about a territory that no plan changes:
// the planning units (top-level grids) with their workload, area, boundary
// lengths and adjacency, the stations, the incidents up to the reference
// time, and the current deployment. It is immutable and safe for concurrent
// use; build a new one when the dataset, the incidents or the Config change.
type Model struct {
	cfg Config
	ix  *geo.Index
	ref time.Time

	stations  []geo.Station
	stationAt map[string]int

	units    []*geo.Grid    // top-level grids, in dataset order
	unitAt   map[string]int // top-level grid id -> unit
	parentOf map[string]int // community grid id -> its unit
	children [][]string     // unit -> ids of its community grids
	terrain  []geo.Terrain  // unit -> its terrain (geo.Index.GridTerrain), which no plan changes
	areaKm2  []float64
	outerKm  []float64    // unit -> boundary length shared with no other unit
	adj      [][]neighbor // unit -> neighbours sharing a border, by unit
	pop      []int
	parts    []loadParts
	workload []float64

	incidents []incidentPoint // those with a location, sorted by unit
	incStart  []int32         // unit u's incidents are incidents[incStart[u]:incStart[u+1]]
	counted   int             // incidents counted towards workload
	skipped   int             // incidents not counted: after ref, or outside every grid

	leaves []leaf // grids with no children, for coverage

	current     []int32 // unit -> station
	officers    []int   // station -> officers today
	currentResp float64 // total response minutes under current
}

// neighbor is one unit sharing a border with another, and how long the
// shared border is.
type neighbor struct {
	unit int32
	km   float64
}

// loadParts splits a unit's workload for people who ask "why is it this
// high?". Workload = Factor × (Incidents + Area + Population).
type loadParts struct {
	incidents, area, population, factor float64
	count                               int
}

// incidentPoint is an incident reduced to what response times need.
type incidentPoint struct {
	unit        int32
	lon, lat    float64 // radians
	minutesPerK float64 // minutes per straight-line km: detour × 60 / speed
}

// leaf is a grid without children: the finest cell coverage draws.
type leaf struct {
	grid        *geo.Grid
	unit        int32
	lon, lat    float64 // radians, of the area centroid
	minutesPerK float64
}

// NewModel prepares ix's dataset and incidents for planning under cfg, with
// recency measured back from at (the zero time means "the latest
// incident"). Incidents are placed by their PoliceGridID or
// CommunityGridID and, when neither names a known grid, by looking up their
// Location in ix; incidents after at or in no grid are left out (Skipped
// counts them). Incidents without a Location count towards workload but
// not towards response times. A grid's terrain is geo.Index.GridTerrain:
// its own, else (a community grid) its police grid's, else the region of
// the station holding it in the dataset; moving a grid does not change it.
// A police grid's workload takes the police grid's terrain factor; an
// incident's response time and a grid's coverage ring take the road speed
// of the finest grid they lie in, so a village of its own terrain counts.
func NewModel(ix *geo.Index, incidents []geo.Incident, at time.Time, cfg Config) (*Model, error) {
	if ix == nil {
		return nil, invalid("model: no index")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ds := ix.Dataset()
	m := &Model{cfg: cfg, ix: ix, stations: ds.Stations, stationAt: map[string]int{},
		unitAt: map[string]int{}, parentOf: map[string]int{}}
	for i, s := range ds.Stations {
		m.stationAt[s.ID] = i
	}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.ParentID == "" {
			m.unitAt[g.ID] = len(m.units)
			m.units = append(m.units, g)
		}
	}
	if len(m.units) == 0 {
		return nil, invalid("model: the dataset has no grids")
	}
	n := len(m.units)
	m.children = make([][]string, n)
	childPop := make([]int, n)
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.ParentID != "" {
			u, ok := m.unitAt[g.ParentID]
			if !ok {
				return nil, invalid("model: grid %s: parent %q is not a top-level grid", g.ID, g.ParentID)
			}
			m.parentOf[g.ID] = u
			m.children[u] = append(m.children[u], g.ID)
			childPop[u] += g.Population
		}
	}
	m.terrain = make([]geo.Terrain, n)
	m.current = make([]int32, n)
	m.pop = make([]int, n)
	m.areaKm2 = make([]float64, n)
	for u, g := range m.units {
		s := m.stationAt[g.StationID] // the index has checked every reference
		m.current[u] = int32(s)
		m.terrain[u] = ix.GridTerrain(g)
		m.pop[u] = g.Population
		if m.pop[u] == 0 {
			m.pop[u] = childPop[u]
		}
		m.areaKm2[u] = geoAreaKm2(g.Geometry)
	}
	m.outerKm, m.adj = boundaries(m.units)
	m.officers = countOfficers(ds, m.stationAt, cfg.Workload.OfficerRoles)

	if at.IsZero() {
		for _, inc := range incidents {
			if inc.OccurredAt.After(at) {
				at = inc.OccurredAt
			}
		}
	}
	m.ref = at
	unitOf := m.placeIncidents(incidents)
	m.weigh(incidents, unitOf)
	m.buildLeaves()
	m.currentResp = m.responseSum(m.current)
	return m, nil
}

// placeIncidents keeps the incidents that count, sorted by unit, and
// returns the unit of every incident (-1 for those left out).
func (m *Model) placeIncidents(incidents []geo.Incident) []int32 {
	n := len(m.units)
	unitOf := make([]int32, len(incidents))
	terrain := make([]geo.Terrain, len(incidents))
	counts := make([]int32, n+1)
	located := func(i int) bool { return unitOf[i] >= 0 && incidents[i].Location != (orb.Point{}) }
	for i := range incidents {
		u, t := m.unitOfIncident(&incidents[i])
		unitOf[i], terrain[i] = int32(u), t
		if unitOf[i] < 0 {
			m.skipped++
			continue
		}
		m.counted++
		if located(i) {
			counts[unitOf[i]+1]++
		}
	}
	for u := range n {
		counts[u+1] += counts[u]
	}
	m.incStart = counts
	m.incidents = make([]incidentPoint, counts[n])
	next := append([]int32(nil), counts[:n]...)
	for i := range incidents {
		if !located(i) {
			continue
		}
		u := unitOf[i]
		loc := incidents[i].Location
		m.incidents[next[u]] = incidentPoint{unit: u, lon: rad(loc[0]), lat: rad(loc[1]), minutesPerK: m.minutesPerKm(terrain[i])}
		next[u]++
	}
	return unitOf
}

// unitOfIncident returns the unit an incident counts against, or -1, and
// the terrain of the finest grid it lies in: its community grid's when that
// is known and in the unit, else the unit's.
func (m *Model) unitOfIncident(inc *geo.Incident) (int, geo.Terrain) {
	if inc.OccurredAt.After(m.ref) {
		return -1, ""
	}
	community := func(u int) geo.Terrain {
		if p, ok := m.parentOf[inc.CommunityGridID]; ok && p == u {
			if g, ok := m.ix.Grid(inc.CommunityGridID); ok {
				return m.ix.GridTerrain(g)
			}
		}
		return m.terrain[u]
	}
	if u, ok := m.unitAt[inc.PoliceGridID]; ok && inc.PoliceGridID != "" {
		return u, community(u)
	}
	if u, ok := m.parentOf[inc.CommunityGridID]; ok {
		return u, community(u)
	}
	if u, ok := m.unitAt[inc.CommunityGridID]; ok && inc.CommunityGridID != "" {
		return u, m.terrain[u]
	}
	if inc.Location == (orb.Point{}) {
		return -1, ""
	}
	h := m.ix.Lookup(inc.Location)
	switch {
	case h.Police != nil:
		if u, ok := m.unitAt[h.Police.ID]; ok {
			return u, h.Terrain()
		}
	case h.Community != nil:
		if u, ok := m.parentOf[h.Community.ID]; ok {
			return u, h.Terrain()
		}
		if u, ok := m.unitAt[h.Community.ID]; ok {
			return u, h.Terrain()
		}
	}
	return -1, ""
}

// weigh computes every unit's workload.
func (m *Model) weigh(incidents []geo.Incident, unitOf []int32) {
	w := m.cfg.Workload
	n := len(m.units)
	m.parts = make([]loadParts, n)
	m.workload = make([]float64, n)
	for i := range incidents {
		u := unitOf[i]
		if u < 0 {
			continue
		}
		m.parts[u].incidents += incidentWeight(w, &incidents[i], m.ref)
		m.parts[u].count++
	}
	for u := range n {
		p := &m.parts[u]
		p.area = w.PerKm2 * m.areaKm2[u]
		p.population = w.Per1000Population * float64(m.pop[u]) / 1000
		p.factor = w.TerrainFactors[m.terrain[u]]
		m.workload[u] = p.factor * (p.incidents + p.area + p.population)
	}
}

// incidentWeight is one incident's contribution to its grid's workload at
// reference time ref.
func incidentWeight(w WorkloadConfig, inc *geo.Incident, ref time.Time) float64 {
	cw, ok := w.CategoryWeights[inc.Category]
	if !ok {
		cw = w.OtherCategoryWeight
	}
	sev := min(max(inc.Severity, 1), 5)
	x := cw * math.Pow(w.SeverityMultiplier, float64(sev-1))
	if w.HalfLifeDays > 0 {
		ageDays := ref.Sub(inc.OccurredAt).Hours() / 24
		x *= math.Exp2(-ageDays / w.HalfLifeDays)
	}
	return x
}

// buildLeaves prepares the finest grids for coverage.
func (m *Model) buildLeaves() {
	ds := m.ix.Dataset()
	for i := range ds.Grids {
		g := &ds.Grids[i]
		var u int
		if g.ParentID != "" {
			u = m.parentOf[g.ID]
		} else {
			u = m.unitAt[g.ID]
			if len(m.children[u]) > 0 {
				continue
			}
		}
		c, _ := planar.CentroidArea(g.Geometry)
		m.leaves = append(m.leaves, leaf{grid: g, unit: int32(u), lon: rad(c[0]), lat: rad(c[1]),
			minutesPerK: m.minutesPerKm(m.ix.GridTerrain(g))})
	}
}

// minutesPerKm is the estimated minutes per straight-line km in terrain t.
func (m *Model) minutesPerKm(t geo.Terrain) float64 {
	return m.cfg.Travel.DetourFactor * 60 / m.cfg.Travel.SpeedsKmh[t]
}

// countOfficers counts members with an officer role per station: the
// member's own station, else the station of their first grid.
func countOfficers(ds *geo.Dataset, stationAt map[string]int, roles []geo.Role) []int {
	gridStation := make(map[string]string, len(ds.Grids))
	for _, g := range ds.Grids {
		gridStation[g.ID] = g.StationID
	}
	out := make([]int, len(ds.Stations))
	for _, mem := range ds.Members {
		isOfficer := false
		for _, r := range roles {
			isOfficer = isOfficer || mem.Role == r
		}
		if !isOfficer {
			continue
		}
		st := mem.StationID
		if st == "" && len(mem.GridIDs) > 0 {
			st = gridStation[mem.GridIDs[0]]
		}
		if s, ok := stationAt[st]; ok {
			out[s]++
		}
	}
	return out
}

// Config returns the configuration the model was built with.
func (m *Model) Config() Config { return m.cfg }

// Reference returns the time incident ages are measured from.
func (m *Model) Reference() time.Time { return m.ref }

// Index returns the index the model was built from.
func (m *Model) Index() *geo.Index { return m.ix }

// Incidents returns how many incidents count towards workload; Measures
// and Coverage use those of them that have a Location.
func (m *Model) Incidents() int { return m.counted }

// Skipped returns how many incidents were left out: after the reference
// time, or in no grid.
func (m *Model) Skipped() int { return m.skipped }

// Current returns today's deployment: every police grid's station as in the
// dataset, and per station the number of members with an officer role.
func (m *Model) Current() Deployment {
	return m.deployment(plan{station: m.current, officers: m.officers})
}

// GridWorkload explains one police grid's workload.
type GridWorkload struct {
	GridID    string      `json:"grid"`
	Name      string      `json:"name"`
	StationID string      `json:"station"` // in the dataset
	Terrain   geo.Terrain `json:"terrain"`
	Incidents int         `json:"incidents"`
	// IncidentLoad, AreaLoad and PopulationLoad are the three terms before
	// the terrain factor; Workload = TerrainFactor × their sum.
	IncidentLoad   float64 `json:"incident_load"`
	AreaKm2        float64 `json:"area_km2"`
	AreaLoad       float64 `json:"area_load"`
	Population     int     `json:"population"`
	PopulationLoad float64 `json:"population_load"`
	TerrainFactor  float64 `json:"terrain_factor"`
	Workload       float64 `json:"workload"`
}

// GridWorkloads returns the workload of every police grid, in dataset order.
func (m *Model) GridWorkloads() []GridWorkload {
	out := make([]GridWorkload, len(m.units))
	for u, g := range m.units {
		p := m.parts[u]
		out[u] = GridWorkload{GridID: g.ID, Name: g.Name, StationID: g.StationID, Terrain: m.terrain[u],
			Incidents: p.count, IncidentLoad: p.incidents, AreaKm2: m.areaKm2[u], AreaLoad: p.area,
			Population: m.pop[u], PopulationLoad: p.population, TerrainFactor: p.factor, Workload: m.workload[u]}
	}
	return out
}

// Neighbors returns the police grids sharing a border segment with gridID
// (touching at a point is not enough), with the shared length in km.
func (m *Model) Neighbors(gridID string) (map[string]float64, error) {
	u, ok := m.unitAt[gridID]
	if !ok {
		return nil, invalid("no police grid %q", gridID)
	}
	out := make(map[string]float64, len(m.adj[u]))
	for _, nb := range m.adj[u] {
		out[m.units[nb.unit].ID] = nb.km
	}
	return out, nil
}

// String describes the model's size, for logs.
func (m *Model) String() string {
	return fmt.Sprintf("plan.Model{%d police grids, %d stations, %d incidents}", len(m.units), len(m.stations), len(m.incidents))
}
