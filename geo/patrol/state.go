package patrol

import (
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// EventKind says what happened to an officer.
type EventKind string

// The geofence events, in the order Step emits them for one ping.
const (
	// Resumed: an officer who had gone silent reports again.
	Resumed EventKind = "resumed"
	// GridLeave: the officer's position left a grid (the event's grid).
	GridLeave EventKind = "grid_leave"
	// GridEnter: the officer's position entered a grid (the event's grid).
	// An officer's first position ever enters its grid.
	GridEnter EventKind = "grid_enter"
	// AreaLeave: the officer is outside their assigned area (their own
	// grids, or their station's grids when they have none). An officer
	// whose first position ever is outside it leaves it then.
	AreaLeave EventKind = "area_leave"
	// AreaReturn: the officer is back inside their assigned area.
	AreaReturn EventKind = "area_return"
	// Silent: no position for Rules.SilentAfter since the last one. The
	// event's time is the last position's time plus SilentAfter, so it does
	// not depend on when or where the silence was noticed.
	Silent EventKind = "silent"
	// OverlayLeave: the officer left a fenced special area (the event's
	// AreaID), or the area ended (its validity) while they were in it.
	OverlayLeave EventKind = "overlay_leave"
	// OverlayEnter: the officer entered a fenced special area (the event's
	// AreaID). An officer's first position ever inside one enters it.
	OverlayEnter EventKind = "overlay_enter"
	// GridUnvisited: a police grid's own officers have not been down in it
	// (a stay long enough to count as a visit, or a recorded visit) for the
	// configured number of days. It is about a grid, not an officer: the
	// event's Officer is empty and its grid is the police grid (see
	// Unvisited).
	GridUnvisited EventKind = "grid_unvisited"
)

// EventKinds lists every kind.
var EventKinds = []EventKind{Resumed, GridLeave, GridEnter, AreaLeave, AreaReturn, Silent, OverlayLeave, OverlayEnter, GridUnvisited}

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool {
	switch k {
	case Resumed, GridLeave, GridEnter, AreaLeave, AreaReturn, Silent, OverlayLeave, OverlayEnter, GridUnvisited:
		return true
	}
	return false
}

// Event is one geofence event. Stores give it an ID that increases in
// commit order, so "every event after ID n" is a complete answer once n is
// known to a reader.
type Event struct {
	ID      int64     `json:"id"`
	Kind    EventKind `json:"kind"`
	Officer string    `json:"officer"`
	// At is the time of the ping that caused the event; for Silent, the
	// moment the silence passed the threshold; for GridUnvisited, the
	// moment the grid's last visit became too old.
	At time.Time `json:"at"`
	// Location is where the officer was (for Silent: was last seen).
	Location orb.Point `json:"-"`
	// GridID is the grid entered or left; for the other kinds, the grid the
	// officer is in (or was last seen in). Empty outside every grid.
	GridID       string `json:"grid,omitempty"`
	PoliceGridID string `json:"police_grid,omitempty"` // of GridID
	StationID    string `json:"station,omitempty"`     // of GridID
	// AreaID and AreaName name the special area of OverlayEnter and
	// OverlayLeave (the name as it was then); empty for the other kinds.
	AreaID   string `json:"area,omitempty"`
	AreaName string `json:"area_name,omitempty"`
}

// State is what is known of one officer: their latest position (the ping
// with the latest time, not the last to arrive) and where it puts them.
type State struct {
	Officer string
	// Version increases with every change the store commits; of two copies
	// of one officer's state, the higher version is the newer.
	Version int64
	// Last is the latest position; Last.At is zero for an officer never seen.
	Last geo.Ping
	// InArea reports whether Last lies inside the officer's assigned area.
	InArea bool
	// Silent is set once a Silent event was emitted and cleared by the
	// next position.
	Silent bool
}

// Seen reports whether the officer has ever reported a position.
func (s State) Seen() bool { return !s.Last.At.IsZero() }
