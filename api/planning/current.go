package planning

import (
	"context"
	"slices"
	"time"

	"jingge/geo"
	"jingge/geo/plan"
)

// PlanCurrent answers GET /api/v1/plan/current: today's deployment and its
// figures, the workload of every police grid and the load every officer
// carries.
type PlanCurrent struct {
	// Dataset is the fingerprint of the dataset in force; a plan made now
	// carries it, and applying needs it still in force.
	Dataset string `json:"dataset"`
	// ReferenceTime is when incident ages are measured from: the start of
	// the current hour.
	ReferenceTime time.Time `json:"reference_time"`
	// Incidents counts the incidents that make up the workload.
	Incidents    int                 `json:"incidents"`
	StationNames map[string]string   `json:"station_names"`
	Deployment   plan.Deployment     `json:"deployment"`
	Measures     plan.Measures       `json:"measures"`
	Grids        []plan.GridWorkload `json:"grids"`
	Officers     []OfficerLoad       `json:"officers"`
}

// OfficerLoad is one officer and the load they carry: their station's
// workload shared equally among its officers.
type OfficerLoad struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Role      geo.Role `json:"role"`
	StationID string   `json:"station"`
	Load      float64  `json:"load"`
}

// Current returns today's figures.
func (p *Planner) Current(ctx context.Context) (PlanCurrent, error) {
	m, err := p.current(ctx)
	if err != nil {
		return PlanCurrent{}, err
	}
	d := m.model.Current()
	ms, err := m.model.Measure(d)
	if err != nil {
		return PlanCurrent{}, planError(err)
	}
	out := PlanCurrent{Dataset: m.dataset, ReferenceTime: m.at, Incidents: m.model.Incidents(), StationNames: m.names,
		Deployment: d, Measures: ms, Grids: m.model.GridWorkloads(), Officers: []OfficerLoad{}}
	load := map[string]float64{}
	for _, s := range ms.Stations {
		load[s.StationID] = s.LoadPerOfficer
	}
	for _, mem := range officersOf(m.ix.Dataset(), p.cfg.Workload.OfficerRoles) {
		st := effectiveStation(m.ix, mem)
		out.Officers = append(out.Officers, OfficerLoad{ID: mem.ID, Name: mem.Name, Role: mem.Role, StationID: st, Load: load[st]})
	}
	return out, nil
}

// officersOf returns the members holding one of roles, in dataset order.
func officersOf(ds *geo.Dataset, roles []geo.Role) []*geo.Member {
	var out []*geo.Member
	for i := range ds.Members {
		if slices.Contains(roles, ds.Members[i].Role) {
			out = append(out, &ds.Members[i])
		}
	}
	return out
}

// effectiveStation is the station a member counts for, as the planner
// counts officers: the member's own station, else that of their first grid.
func effectiveStation(ix *geo.Index, m *geo.Member) string {
	if m.StationID != "" || len(m.GridIDs) == 0 {
		return m.StationID
	}
	if g, ok := ix.Grid(m.GridIDs[0]); ok {
		return g.StationID
	}
	return ""
}

// GridWorkloads returns the workload of every police grid in force, from
// the model of the current hour (built once and shared with Current).
func (p *Planner) GridWorkloads(ctx context.Context) ([]plan.GridWorkload, error) {
	m, err := p.current(ctx)
	if err != nil {
		return nil, err
	}
	return m.model.GridWorkloads(), nil
}
