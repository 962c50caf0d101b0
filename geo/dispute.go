package geo

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// DisputeKind is what a dispute (矛盾纠纷) is about.
type DisputeKind string

// The kinds of disputes. The set is fixed: summaries count them by kind.
const (
	NeighbourDispute DisputeKind = "neighbour" // 邻里纠纷
	FamilyDispute    DisputeKind = "family"    // 婚姻家庭纠纷
	LandDispute      DisputeKind = "land"      // 土地山林纠纷
	LabourDispute    DisputeKind = "labour"    // 劳资纠纷
	DebtDispute      DisputeKind = "debt"      // 债务纠纷
	OtherDispute     DisputeKind = "other"     // 其他
)

// DisputeKinds lists every dispute kind.
var DisputeKinds = []DisputeKind{NeighbourDispute, FamilyDispute, LandDispute, LabourDispute, DebtDispute, OtherDispute}

var disputeKindLabels = map[DisputeKind][2]string{
	NeighbourDispute: {"邻里纠纷", "Neighbours"}, FamilyDispute: {"婚姻家庭纠纷", "Marriage and family"}, LandDispute: {"土地山林纠纷", "Land and forest"},
	LabourDispute: {"劳资纠纷", "Wages and labour"}, DebtDispute: {"债务纠纷", "Debt"}, OtherDispute: {"其他", "Other"},
}

// ParseDisputeKind accepts a kind's code or its Chinese name.
func ParseDisputeKind(s string) (DisputeKind, error) {
	for k, l := range disputeKindLabels {
		if s == string(k) || s == l[0] {
			return k, nil
		}
	}
	return "", fmt.Errorf("geo: unknown dispute kind %q (want neighbour, family, land, labour, debt or other; or 邻里纠纷, 婚姻家庭纠纷, 土地山林纠纷, 劳资纠纷, 债务纠纷, 其他)", s)
}

// Valid reports whether k is a known kind.
func (k DisputeKind) Valid() bool { _, ok := disputeKindLabels[k]; return ok }

// LabelZH is the kind's Chinese name; empty for an unknown kind.
func (k DisputeKind) LabelZH() string { return disputeKindLabels[k][0] }

// LabelEN is the kind's English name; empty for an unknown kind.
func (k DisputeKind) LabelEN() string { return disputeKindLabels[k][1] }

// DisputeLevel is the level a dispute was settled at, or DisputeOpen while
// it is not settled. The levels are ordered: open, group (组), village
// (村), township (镇/街道), county (县); a dispute's level only moves
// forward along that order (小事不出组、大事不出村、矛盾不上交).
type DisputeLevel string

// The dispute levels, in their order.
const (
	DisputeOpen   DisputeLevel = "open"     // 未化解
	LevelGroup    DisputeLevel = "group"    // 组
	LevelVillage  DisputeLevel = "village"  // 村
	LevelTownship DisputeLevel = "township" // 镇/街道
	LevelCounty   DisputeLevel = "county"   // 县
)

// DisputeLevels lists every level in order, DisputeOpen first.
var DisputeLevels = []DisputeLevel{DisputeOpen, LevelGroup, LevelVillage, LevelTownship, LevelCounty}

var disputeLevelLabels = map[DisputeLevel][2]string{
	DisputeOpen: {"未化解", "Open"}, LevelGroup: {"组", "Group"}, LevelVillage: {"村", "Village"},
	LevelTownship: {"镇/街道", "Township"}, LevelCounty: {"县", "County"},
}

// ParseDisputeLevel accepts a level's code or its Chinese name (未化解, 组,
// 村, 镇/街道 or 镇 or 街道, 县).
func ParseDisputeLevel(s string) (DisputeLevel, error) {
	switch s {
	case "镇", "街道":
		return LevelTownship, nil
	}
	for l, n := range disputeLevelLabels {
		if s == string(l) || s == n[0] {
			return l, nil
		}
	}
	return "", fmt.Errorf("geo: unknown dispute level %q (want open, group, village, township or county; or 未化解, 组, 村, 镇/街道, 县)", s)
}

// Rank is the level's place in the order: 0 for open, 1 for group … 4
// for county; -1 for an unknown level.
func (l DisputeLevel) Rank() int {
	for i, k := range DisputeLevels {
		if k == l {
			return i
		}
	}
	return -1
}

// Valid reports whether l is a known level.
func (l DisputeLevel) Valid() bool { return l.Rank() >= 0 }

// Settled reports whether l is a level a dispute was settled at (not open).
func (l DisputeLevel) Settled() bool { return l.Rank() > 0 }

// KeptLow reports whether a dispute settled at l was not passed upward:
// settled in its group or village (小事不出组、大事不出村).
func (l DisputeLevel) KeptLow() bool { return l == LevelGroup || l == LevelVillage }

// LabelZH is the level's Chinese name; empty for an unknown level.
func (l DisputeLevel) LabelZH() string { return disputeLevelLabels[l][0] }

// LabelEN is the level's English name; empty for an unknown level.
func (l DisputeLevel) LabelEN() string { return disputeLevelLabels[l][1] }

// SettleMethod is how a dispute was settled.
type SettleMethod string

// The ways of settling a dispute.
const (
	MediationBrand  SettleMethod = "mediation_brand"  // a local mediation brand (朱先生说事, 枫桥+乡约), named in MediationBrand
	PeopleMediation SettleMethod = "people_mediation" // 人民调解
	JudicialOffice  SettleMethod = "judicial_office"  // 司法所
	Referral        SettleMethod = "referral"         // 转办 (referred to another authority)
)

var settleMethodLabels = map[SettleMethod][2]string{
	MediationBrand: {"品牌调解", "Mediation brand"}, PeopleMediation: {"人民调解", "People's mediation"},
	JudicialOffice: {"司法所", "Judicial office"}, Referral: {"转办", "Referral"},
}

// ParseSettleMethod accepts a method's code or its Chinese name.
func ParseSettleMethod(s string) (SettleMethod, error) {
	for m, l := range settleMethodLabels {
		if s == string(m) || s == l[0] {
			return m, nil
		}
	}
	return "", fmt.Errorf("geo: unknown settle method %q (want mediation_brand, people_mediation, judicial_office or referral; or 品牌调解, 人民调解, 司法所, 转办)", s)
}

// Valid reports whether m is a known method.
func (m SettleMethod) Valid() bool { _, ok := settleMethodLabels[m]; return ok }

// LabelZH is the method's Chinese name; empty for an unknown method.
func (m SettleMethod) LabelZH() string { return settleMethodLabels[m][0] }

// LabelEN is the method's English name; empty for an unknown method.
func (m SettleMethod) LabelEN() string { return settleMethodLabels[m][1] }

// DisputeCase is one dispute (矛盾纠纷) reported in a grid, attributed on write,
// like an incident, to the grids and station in force where and when it
// was reported. Level, Method, MediationBrand and SettledAt record its
// settlement: open, no method and no time until it is settled.
type DisputeCase struct {
	ID         string      `json:"id"`
	ReportedAt time.Time   `json:"reported_at"`
	Location   orb.Point   `json:"-"` // dataset datum
	Kind       DisputeKind `json:"kind"`
	// Parties names the people in dispute, free text; Summary says what
	// it is about.
	Parties string `json:"parties,omitempty"`
	Summary string `json:"summary,omitempty"`
	// Level is where it was settled, DisputeOpen while it is not.
	Level          DisputeLevel `json:"level"`
	Method         SettleMethod `json:"method,omitempty"`
	MediationBrand string       `json:"mediation_brand,omitempty"`
	SettledAt      time.Time    `json:"settled_at"`
	// RecordedAt and RecordedBy say who wrote the record when; UpdatedAt
	// and UpdatedBy who changed it last (zero and empty: never changed).
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
	UpdatedBy  string    `json:"updated_by,omitempty"`
	// Attribution, filled on write.
	CommunityGridID string `json:"community_grid,omitempty"`
	PoliceGridID    string `json:"police_grid,omitempty"`
	StationID       string `json:"station,omitempty"`
}

// DaysToSettle is the whole days from report to settlement (a dispute
// settled the day it was reported took 0), and false while it is open.
func (d *DisputeCase) DaysToSettle() (int, bool) {
	if !d.Level.Settled() || d.SettledAt.IsZero() {
		return 0, false
	}
	return int(max(d.SettledAt.Sub(d.ReportedAt), 0) / (24 * time.Hour)), true
}

// GridID is the grid a dispute is counted in: its police grid, or its
// community grid when it has none.
func (d *DisputeCase) GridID() string {
	if d.PoliceGridID != "" {
		return d.PoliceGridID
	}
	return d.CommunityGridID
}
