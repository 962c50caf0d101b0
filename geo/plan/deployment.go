package plan

import (
	"fmt"
	"slices"
)

// Deployment is a plan: which station holds each police grid, and how many
// officers each station has. Community grids are not listed; they go with
// their police grid. Maps keep it easy to read and write as JSON:
//
//	{"grids": {"610122100000001": "wenjilu", ...}, "officers": {"wenjilu": 10, ...}}
type Deployment struct {
	Grids    map[string]string `json:"grids"`    // police grid id -> station id
	Officers map[string]int    `json:"officers"` // station id -> officers
}

// plan is a Deployment resolved against a Model: positions instead of ids.
type plan struct {
	station  []int32 // unit -> station
	officers []int   // station -> officers
}

func (p plan) clone() plan {
	return plan{station: slices.Clone(p.station), officers: slices.Clone(p.officers)}
}

// deployment turns p back into ids.
func (m *Model) deployment(p plan) Deployment {
	d := Deployment{Grids: make(map[string]string, len(m.units)), Officers: make(map[string]int, len(m.stations))}
	for u, s := range p.station {
		d.Grids[m.units[u].ID] = m.stations[s].ID
	}
	for s, n := range p.officers {
		d.Officers[m.stations[s].ID] = n
	}
	return d
}

// resolve checks d against the model. Every police grid must be assigned to
// a known station and every station given a number of officers (0 or
// more); a community grid in Grids is an error that names its police grid.
func (m *Model) resolve(d Deployment) (plan, error) {
	p := plan{station: make([]int32, len(m.units)), officers: make([]int, len(m.stations))}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for u := range p.station {
		p.station[u] = -1
	}
	for _, gid := range sortedKeys(d.Grids) {
		sid := d.Grids[gid]
		u, ok := m.unitAt[gid]
		if !ok {
			if parent, isChild := m.parentOf[gid]; isChild {
				bad("grid %s is a community grid; it moves with its police grid %s, so assign that instead", gid, m.units[parent].ID)
			} else {
				bad("no police grid %q", gid)
			}
			continue
		}
		s, ok := m.stationAt[sid]
		if !ok {
			bad("grid %s: no station %q", gid, sid)
			continue
		}
		p.station[u] = int32(s)
	}
	missing := 0
	for u, s := range p.station {
		if s < 0 {
			if missing < 5 {
				bad("police grid %s has no station; every police grid needs one (start from the current deployment)", m.units[u].ID)
			}
			missing++
		}
	}
	if missing > 5 {
		bad("%d more police grids have no station", missing-5)
	}
	for _, sid := range sortedKeys(d.Officers) {
		s, ok := m.stationAt[sid]
		if !ok {
			bad("officers: no station %q", sid)
			continue
		}
		if n := d.Officers[sid]; n < 0 {
			bad("officers: station %s has %d officers; use 0 or more", sid, n)
		} else {
			p.officers[s] = n
		}
	}
	for _, st := range m.stations {
		if _, ok := d.Officers[st.ID]; !ok {
			bad("officers: station %s is missing; give every station its number of officers (0 is allowed)", st.ID)
		}
	}
	if err := joinInvalid("deployment", problems); err != nil {
		return plan{}, err
	}
	return p, nil
}

// lockSet resolves lists of locked grid and station ids.
func (m *Model) lockSet(grids, stations []string) (lockedUnit []bool, lockedStation []bool, err error) {
	lockedUnit = make([]bool, len(m.units))
	lockedStation = make([]bool, len(m.stations))
	var problems []string
	for _, gid := range grids {
		if u, ok := m.unitAt[gid]; ok {
			lockedUnit[u] = true
		} else if u, ok := m.parentOf[gid]; ok {
			lockedUnit[u] = true // locking a village locks its police grid
		} else {
			problems = append(problems, fmt.Sprintf("locked grid %q does not exist", gid))
		}
	}
	for _, sid := range stations {
		if s, ok := m.stationAt[sid]; ok {
			lockedStation[s] = true
		} else {
			problems = append(problems, fmt.Sprintf("locked station %q does not exist", sid))
		}
	}
	return lockedUnit, lockedStation, joinInvalid("locks", problems)
}
