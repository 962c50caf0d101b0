package patrolling

import (
	"math"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/patrol"
)

// PatrolProperties describe an officer on the map of GET /api/v1/patrols.
type PatrolProperties struct {
	Officer     string    `json:"officer"`
	Name        string    `json:"name"`
	Role        geo.Role  `json:"role"`
	RoleZH      string    `json:"role_zh"`
	Station     string    `json:"station,omitempty"`
	StationName string    `json:"station_name,omitempty"`
	Grid        string    `json:"grid,omitempty"` // the grid the officer is in; absent outside every grid
	GridName    string    `json:"grid_name,omitempty"`
	PoliceGrid  string    `json:"police_grid,omitempty"`
	At          time.Time `json:"at"`          // time of the latest position
	AgeSeconds  float64   `json:"age_seconds"` // how old it is now
	SpeedMPS    *float64  `json:"speed_mps"`   // null when the device did not say
	HeadingDeg  *float64  `json:"heading_deg"`
	// Status is "moving" (speed at least MovingSpeedMPS), "stopped", or
	// "silent" (no position for SilentAfter).
	Status string `json:"status"`
	// InArea reports whether the officer is inside their assigned area.
	InArea bool `json:"in_area"`
}

// Status names what st says about the officer at now: "silent",
// "moving" or "stopped".
func (s *Service) Status(st patrol.State, now time.Time) string {
	switch {
	case st.Silent, s.opts.SilentAfter > 0 && now.Sub(st.Last.At) >= s.opts.SilentAfter:
		return "silent"
	case st.Last.SpeedMPS >= s.opts.MovingSpeedMPS:
		return "moving"
	}
	return "stopped"
}

// optional is v, or nil for NaN (unknown).
func optional(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// Properties describes st for the map with the names of n; the station
// and grid come from the latest position, the station falling back to the
// officer's own.
func (s *Service) Properties(n Names, st patrol.State, now time.Time) PatrolProperties {
	pr := PatrolProperties{
		Officer: st.Officer, At: st.Last.At.UTC(), AgeSeconds: math.Max(0, now.Sub(st.Last.At).Seconds()),
		SpeedMPS: optional(st.Last.SpeedMPS), HeadingDeg: optional(st.Last.HeadingDeg),
		Status: s.Status(st, now), InArea: st.InArea, Grid: st.Last.GridID,
	}
	if m, ok := n.Index.Member(st.Officer); ok {
		pr.Name, pr.Role, pr.RoleZH, pr.Station = m.Name, m.Role, m.Role.LabelZH(), m.StationID
	}
	if g, ok := n.Index.Grid(st.Last.GridID); ok {
		pr.GridName = g.Name
		pr.PoliceGrid = g.ID
		if g.Level == geo.CommunityLevel {
			pr.PoliceGrid = g.ParentID
		}
	}
	if st, ok := n.Index.Station(pr.Station); ok {
		pr.StationName = st.Name
	}
	return pr
}

// Officer is one officer on patrol as the map shows them.
type Officer struct {
	ID         string
	Location   orb.Point // WGS-84
	Properties PatrolProperties
}

// OnPatrol returns every officer on the board as n names them; with
// station set, only the officers whose station is that one.
func (s *Service) OnPatrol(n Names, station string) []Officer {
	now := s.opts.Now()
	var out []Officer
	for _, st := range s.board.States() {
		pr := s.Properties(n, st, now)
		if station != "" && pr.Station != station {
			continue
		}
		out = append(out, Officer{ID: st.Officer, Location: n.ToWGS84(st.Last.Location), Properties: pr})
	}
	return out
}
