package geo

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// VisitKind is what an officer went to a place for.
type VisitKind string

// The kinds of visits and contacts. The set is fixed: the assessment
// counts them by kind.
const (
	VisitCall   VisitKind = "visit"        // 走访
	HomeService VisitKind = "home_service" // 上门服务
	FollowUp    VisitKind = "follow_up"    // 回访
	Publicity   VisitKind = "publicity"    // 宣传
	OtherVisit  VisitKind = "other"        // 其他
)

// VisitKinds lists every visit kind.
var VisitKinds = []VisitKind{VisitCall, HomeService, FollowUp, Publicity, OtherVisit}

var visitKindLabels = map[VisitKind][2]string{
	VisitCall: {"走访", "Visit"}, HomeService: {"上门服务", "Home service"}, FollowUp: {"回访", "Follow-up visit"},
	Publicity: {"宣传", "Publicity"}, OtherVisit: {"其他", "Other"},
}

// ParseVisitKind accepts a kind's code or its Chinese name (走访, 上门服务,
// 回访, 宣传, 其他).
func ParseVisitKind(s string) (VisitKind, error) {
	for k, l := range visitKindLabels {
		if s == string(k) || s == l[0] {
			return k, nil
		}
	}
	return "", fmt.Errorf("geo: unknown visit kind %q (want visit, home_service, follow_up, publicity or other; or 走访, 上门服务, 回访, 宣传, 其他)", s)
}

// Valid reports whether k is a known kind.
func (k VisitKind) Valid() bool { _, ok := visitKindLabels[k]; return ok }

// LabelZH is the kind's Chinese name; empty for an unknown kind.
func (k VisitKind) LabelZH() string { return visitKindLabels[k][0] }

// LabelEN is the kind's English name; empty for an unknown kind.
func (k VisitKind) LabelEN() string { return visitKindLabels[k][1] }

// Visit is one visit or contact (走访, 上门服务, …) an officer made,
// attributed on write, like an incident, to the grids and station in force
// where and when it happened.
type Visit struct {
	ID        string    `json:"id"`
	OfficerID string    `json:"officer"`
	At        time.Time `json:"at"`
	Location  orb.Point `json:"-"` // dataset datum
	Kind      VisitKind `json:"kind"`
	// Whom names the household or place visited, as free text; KeyPlaceID
	// optionally names a key place by id (empty: none).
	Whom       string `json:"whom,omitempty"`
	KeyPlaceID string `json:"key_place,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
	// RecordedAt and RecordedBy (the user) say who wrote the record when.
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by,omitempty"`
	// Attribution, filled on write.
	CommunityGridID string `json:"community_grid,omitempty"`
	PoliceGridID    string `json:"police_grid,omitempty"`
	StationID       string `json:"station,omitempty"`
}
