package geo

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// Category classifies an incident (警情类别). The set is configurable per
// bureau; these are the defaults.
type Category string

// Default incident categories.
const (
	Criminal    Category = "criminal"     // 刑事
	PublicOrder Category = "public_order" // 治安
	Traffic     Category = "traffic"      // 交通
	Dispute     Category = "dispute"      // 纠纷
	Assistance  Category = "assistance"   // 求助
	Fire        Category = "fire"         // 火灾
	Other       Category = "other"        // 其他
)

// Categories lists the default categories, most serious first.
var Categories = []Category{Criminal, PublicOrder, Traffic, Dispute, Assistance, Fire, Other}

var categoryLabels = map[Category][2]string{
	Criminal: {"刑事", "Criminal"}, PublicOrder: {"治安", "Public order"}, Traffic: {"交通", "Traffic"},
	Dispute: {"纠纷", "Dispute"}, Assistance: {"求助", "Assistance"}, Fire: {"火灾", "Fire"}, Other: {"其他", "Other"},
}

// LabelZH is the category's Chinese name, or the id itself for a category
// outside the defaults.
func (c Category) LabelZH() string {
	if l, ok := categoryLabels[c]; ok {
		return l[0]
	}
	return string(c)
}

// LabelEN is the category's English name, or the id itself.
func (c Category) LabelEN() string {
	if l, ok := categoryLabels[c]; ok {
		return l[1]
	}
	return string(c)
}

// IncidentStatus is where an incident is in its lifecycle.
type IncidentStatus string

// The lifecycle: reported → dispatched → on scene → closed.
const (
	Reported   IncidentStatus = "reported"
	Dispatched IncidentStatus = "dispatched"
	OnScene    IncidentStatus = "on_scene"
	Closed     IncidentStatus = "closed"
)

var statusOrder = map[IncidentStatus]int{Reported: 0, Dispatched: 1, OnScene: 2, Closed: 3}

// CanMoveTo reports whether an incident may go from s to next: forward
// only, steps may be skipped, a closed incident stays closed.
func (s IncidentStatus) CanMoveTo(next IncidentStatus) error {
	a, ok1 := statusOrder[s]
	b, ok2 := statusOrder[next]
	switch {
	case !ok2:
		return fmt.Errorf("geo: unknown status %q (want reported, dispatched, on_scene or closed)", next)
	case !ok1:
		return fmt.Errorf("geo: unknown status %q", s)
	case b <= a:
		return fmt.Errorf("geo: an incident cannot go from %s back to %s", s, next)
	}
	return nil
}

// Incident is one call for police (警情), attributed on write to the grids
// and station in force when it occurred.
type Incident struct {
	ID         string         `json:"id"`
	OccurredAt time.Time      `json:"occurred_at"`
	ReportedAt time.Time      `json:"reported_at"`
	Category   Category       `json:"category"`
	Severity   int            `json:"severity"` // 1 (minor) .. 5 (major)
	Location   orb.Point      `json:"-"`        // dataset datum
	Status     IncidentStatus `json:"status"`
	Cleared    bool           `json:"cleared"` // a criminal case solved (破案)
	Source     string         `json:"source,omitempty"`
	Summary    string         `json:"summary,omitempty"`
	// Attribution, filled on write.
	CommunityGridID string `json:"community_grid,omitempty"`
	PoliceGridID    string `json:"police_grid,omitempty"`
	StationID       string `json:"station,omitempty"`
}

// Ping is one reported position of an officer on patrol.
type Ping struct {
	OfficerID  string    `json:"officer"`
	At         time.Time `json:"at"`
	Location   orb.Point `json:"-"`
	SpeedMPS   float64   `json:"speed_mps"`
	HeadingDeg float64   `json:"heading_deg"`
	GridID     string    `json:"grid,omitempty"` // community grid, filled on ingest
}
