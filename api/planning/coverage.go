package planning

import (
	"context"
	"fmt"
	"time"

	"jingge/data"
	"jingge/geo/plan"
)

// PlanCoverage answers GET /api/v1/plan/coverage: how fast stations (and
// patrols) reach every grid, incident and resident — the response rings
// of the three circles (三层三圈).
type PlanCoverage struct {
	ReferenceTime time.Time `json:"reference_time"`
	// Origins are where responses start: the stations, and the patrols
	// whose last position is recent enough.
	Origins []plan.Origin `json:"origins"`
	// PatrolMaxAgeSeconds is how old a patrol position may be to count;
	// 0 when patrols were not asked for.
	PatrolMaxAgeSeconds int `json:"patrol_max_age_seconds"`
	plan.Coverage
}

// Origin sets of GET /api/v1/plan/coverage.
const (
	OriginsStations    = "stations"
	OriginsPatrols     = "patrols"
	OriginsCheckpoints = "checkpoints"
	// OriginsAll is stations, checkpoints and patrols together.
	OriginsAll = "all"
)

// Coverage computes the response rings from the origins named by which:
// OriginsStations, OriginsPatrols, OriginsCheckpoints or OriginsAll.
func (p *Planner) Coverage(ctx context.Context, which string) (PlanCoverage, error) {
	if which != OriginsStations && which != OriginsPatrols && which != OriginsCheckpoints && which != OriginsAll {
		return PlanCoverage{}, data.InvalidParams(data.Param{Name: "origins", Reason: fmt.Sprintf("origins must be stations, patrols, checkpoints or all, got %q", which)})
	}
	patrols := which == OriginsPatrols || which == OriginsAll
	if patrols && p.pings == nil {
		return PlanCoverage{}, data.InvalidParams(data.Param{Name: "origins", Reason: "this server has no patrol positions; use origins=stations or checkpoints"})
	}
	m, err := p.current(ctx)
	if err != nil {
		return PlanCoverage{}, err
	}
	out := PlanCoverage{ReferenceTime: m.at, Origins: []plan.Origin{}}
	if which == OriginsStations || which == OriginsAll {
		out.Origins = append(out.Origins, m.model.StationOrigins()...)
	}
	if which == OriginsCheckpoints || which == OriginsAll {
		out.Origins = append(out.Origins, checkpointOrigins(m.ix)...)
		if which == OriginsCheckpoints && len(out.Origins) == 0 {
			return PlanCoverage{}, data.InvalidParams(data.Param{Name: "origins", Reason: "the dataset has no checkpoints; POST /api/v1/checkpoints adds one, or use origins=stations"})
		}
	}
	if patrols {
		now := p.now()
		pings, err := p.pings.Pings(ctx, now.Add(-p.patrolAge), now.Add(time.Nanosecond))
		if err != nil {
			return PlanCoverage{}, fmt.Errorf("planning: coverage: reading patrol positions: %w", err)
		}
		out.Origins = append(out.Origins, plan.PatrolOrigins(pings, now, p.patrolAge)...)
		out.PatrolMaxAgeSeconds = int(p.patrolAge / time.Second)
		if len(out.Origins) == 0 {
			return PlanCoverage{}, data.InvalidParams(data.Param{Name: "origins", Reason: fmt.Sprintf("no patrol has reported a position in the last %s; use origins=stations, checkpoints or all", p.patrolAge)})
		}
	}
	c, err := m.model.Coverage(out.Origins)
	if err != nil {
		return PlanCoverage{}, planError(err)
	}
	for i := range c.ByOrigin {
		for k := range c.ByOrigin[i].Rings {
			c.ByOrigin[i].Rings[k].GridIDs = orEmptySlice(c.ByOrigin[i].Rings[k].GridIDs)
		}
	}
	c.Grids = orEmptySlice(c.Grids)
	out.Coverage = c
	return out, nil
}
