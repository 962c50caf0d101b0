package geo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// Station is a police station (派出所). Its area is the union of its grids.
type Station struct {
	ID       string    `json:"id"`      // stable lower-case id, e.g. "wenjilu"
	Name     string    `json:"name"`    // 文姬路派出所
	NameEN   string    `json:"name_en"` // Wenjilu Police Station
	Region   Terrain   `json:"region"`
	Brand    string    `json:"brand"` // the station's "一所一品" brand
	Location orb.Point `json:"-"`     // the station building, in the dataset datum
	Phone    string    `json:"phone"`
}

// Level tells police grids (警格) from community grids (网格).
type Level string

// The two grid levels. Every community grid lies in exactly one police grid.
const (
	PoliceLevel    Level = "police"
	CommunityLevel Level = "community"
)

// ParseLevel accepts "police" or "community" (or the Chinese 警格 / 网格).
func ParseLevel(s string) (Level, error) {
	switch s {
	case "police", "警格":
		return PoliceLevel, nil
	case "community", "网格":
		return CommunityLevel, nil
	}
	return "", fmt.Errorf("geo: unknown grid level %q (want police or community)", s)
}

// Grid is one police grid or community grid. Community grid codes follow the
// Xi'an grid standard: the 12-digit statistical code of the village or
// community plus a 2-digit sequence. Police grid codes use the township's
// 9-digit code, "000" and a 2-digit sequence.
type Grid struct {
	ID         string `json:"id"` // the grid code
	Level      Level  `json:"level"`
	Name       string `json:"name"`
	StationID  string `json:"station"`
	ParentID   string `json:"parent,omitempty"` // the police grid of a community grid
	Township   string `json:"township,omitempty"`
	Population int    `json:"population,omitempty"`
	// Terrain is the grid's own terrain region. Empty means "not recorded
	// here": a community grid then takes its police grid's, and a police
	// grid its station's Region (Index.GridTerrain, Hit.Terrain). A place's
	// terrain does not change when its station does, so a grid that may
	// move to a station of another region should carry its own.
	Terrain  Terrain          `json:"terrain,omitempty"`
	Geometry orb.MultiPolygon `json:"-"`
}

// Role is what a member does in their grids.
type Role string

// The roles of grid members ("一格多元").
const (
	CommunityOfficer Role = "community_officer" // 社区民警
	AuxiliaryOfficer Role = "auxiliary_officer" // 辅警
	GridWorker       Role = "grid_worker"       // 网格员
	VillageCadre     Role = "village_cadre"     // 村干部
	SecurityGuard    Role = "security_guard"    // 保安
	BuildingHead     Role = "building_head"     // 楼栋长
	// The other forces the bureau's plan puts in a grid beside the police
	// ("一格多元"): none of them reports patrol positions.
	JusticeStaff      Role = "justice_staff"      // 司法所工作人员
	TownshipStaff     Role = "township_staff"     // 镇街综治工作人员
	SecurityAssistant Role = "security_assistant" // 治安协理员
	Volunteer         Role = "volunteer"          // 群防群治队员 (护家安园)
)

// Roles lists every member role, police roles first.
var Roles = []Role{CommunityOfficer, AuxiliaryOfficer, GridWorker, VillageCadre, SecurityGuard, BuildingHead,
	JusticeStaff, TownshipStaff, SecurityAssistant, Volunteer}

var roleLabels = map[Role][2]string{
	CommunityOfficer:  {"社区民警", "Community police officer"},
	AuxiliaryOfficer:  {"辅警", "Auxiliary officer"},
	GridWorker:        {"网格员", "Grid worker"},
	VillageCadre:      {"村干部", "Village cadre"},
	SecurityGuard:     {"保安", "Security guard"},
	BuildingHead:      {"楼栋长", "Building head"},
	JusticeStaff:      {"司法所工作人员", "Judicial office staff"},
	TownshipStaff:     {"镇街综治工作人员", "Township comprehensive staff"},
	SecurityAssistant: {"治安协理员", "Public security assistant"},
	Volunteer:         {"群防群治队员", "Community watch volunteer"},
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleLabels[r]; return ok }

// LabelZH is the role's Chinese name; empty for an unknown role.
func (r Role) LabelZH() string { return roleLabels[r][0] }

// LabelEN is the role's English name; empty for an unknown role.
func (r Role) LabelEN() string { return roleLabels[r][1] }

// IsPolice reports whether the role is held by police staff (officer or auxiliary).
func (r Role) IsPolice() bool { return r == CommunityOfficer || r == AuxiliaryOfficer }

// ParseRole accepts a role's code or its Chinese name.
func ParseRole(s string) (Role, error) {
	for r, l := range roleLabels {
		if s == string(r) || s == l[0] {
			return r, nil
		}
	}
	return "", fmt.Errorf("geo: unknown member role %q (want one of %s)", s, roleCodes())
}

func roleCodes() string {
	codes := make([]string, len(Roles))
	for i, r := range Roles {
		codes[i] = string(r)
	}
	return strings.Join(codes, ", ")
}

// Member is a person attached to one or more grids ("一员多能"). Role is
// what they are first; Roles are the further roles they also hold (a
// village cadre who is also a grid worker), never Role again and each
// once. Everything that asks whether a member holds a role asks Holds.
type Member struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Role      Role     `json:"role"`
	Roles     []Role   `json:"roles,omitempty"`
	Phone     string   `json:"phone"`
	StationID string   `json:"station,omitempty"`
	GridIDs   []string `json:"grids"`
}

// Holds reports whether the member holds role r, as their first role or
// one of their further ones.
func (m *Member) Holds(r Role) bool { return m.Role == r || slices.Contains(m.Roles, r) }

// Township is a township-level unit (乡镇/街道), kept for base maps and codes.
type Township struct {
	Code       string           `json:"code"`
	Name       string           `json:"name"`
	StationIDs []string         `json:"stations"`
	Geometry   orb.MultiPolygon `json:"-"`
}

// Source credits one input of a dataset.
type Source struct {
	Name    string `json:"name"`
	What    string `json:"what"`
	License string `json:"license"`
}

// Meta describes a dataset: where it came from, what in it is real and what
// is synthesised, and the datum of all its coordinates.
type Meta struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Datum       string `json:"datum"` // "wgs84" (CGCS2000 is treated as equal), "gcj02" or "bd09"
	// TimeZone is the IANA name of the territory's local time ("Asia/Shanghai"),
	// in which days, weeks and months of incidents and assessments are cut and
	// times are shown. Empty means LegacyTimeZone (see Location).
	TimeZone  string   `json:"time_zone,omitempty"`
	Generated string   `json:"generated,omitempty"`
	Real      []string `json:"real,omitempty"`
	Synthetic []string `json:"synthetic,omitempty"`
	Caveats   []string `json:"caveats,omitempty"`
	Sources   []Source `json:"sources,omitempty"`
}

// Dataset is everything jingge serves about a territory at one moment.
type Dataset struct {
	Meta      Meta
	County    orb.MultiPolygon // the outline of the whole territory; may be empty
	Townships []Township
	Stations  []Station
	Grids     []Grid
	Members   []Member
	// Areas and Places are the overlays beside the grid partition: special
	// areas may overlap grids and each other; key places are points.
	Areas  []Area
	Places []Place
	// Checkpoints are the control points on the roads (查控点).
	Checkpoints []Checkpoint
}
