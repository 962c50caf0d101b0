package geo

import (
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// AreaKind is what a special area is. The set is fixed: the legend, the
// tile style and the filters of the API name every kind.
type AreaKind string

// The kinds of special areas.
const (
	AreaPark            AreaKind = "park"             // 园区
	AreaScenic          AreaKind = "scenic"           // 景区
	AreaWaterProtection AreaKind = "water_protection" // 饮用水源保护区
	AreaWorks           AreaKind = "works"            // 重点工程/施工
	AreaSchoolZone      AreaKind = "school_zone"      // 校园周边
	AreaOther           AreaKind = "other"            // 其他
)

// AreaKinds lists every area kind.
var AreaKinds = []AreaKind{AreaPark, AreaScenic, AreaWaterProtection, AreaWorks, AreaSchoolZone, AreaOther}

var areaKindLabels = map[AreaKind][2]string{
	AreaPark: {"园区", "Industrial park"}, AreaScenic: {"景区", "Scenic area"},
	AreaWaterProtection: {"饮用水源保护区", "Drinking-water protection zone"}, AreaWorks: {"重点工程", "Major works"},
	AreaSchoolZone: {"校园周边", "School zone"}, AreaOther: {"其他", "Other"},
}

// Valid reports whether k is a known area kind.
func (k AreaKind) Valid() bool { _, ok := areaKindLabels[k]; return ok }

// LabelZH is the kind's Chinese name; empty for an unknown kind.
func (k AreaKind) LabelZH() string { return areaKindLabels[k][0] }

// LabelEN is the kind's English name; empty for an unknown kind.
func (k AreaKind) LabelEN() string { return areaKindLabels[k][1] }

// ParseAreaKind accepts a kind's code or its Chinese name.
func ParseAreaKind(s string) (AreaKind, error) {
	for k, l := range areaKindLabels {
		if s == string(k) || s == l[0] {
			return k, nil
		}
	}
	return "", fmt.Errorf("geo: unknown area kind %q (want park, scenic, water_protection, works, school_zone or other)", s)
}

// PlaceKind is what a key place is.
type PlaceKind string

// The kinds of key places.
const (
	PlaceSchool        PlaceKind = "school"         // 学校
	PlaceMarket        PlaceKind = "market"         // 集贸市场
	PlaceHospital      PlaceKind = "hospital"       // 医院
	PlacePetrolStation PlaceKind = "petrol_station" // 加油站
	PlaceKeyUnit       PlaceKind = "key_unit"       // 重点单位
	PlaceVillage       PlaceKind = "village"        // 重点村居
	PlaceOther         PlaceKind = "other"          // 其他
)

// PlaceKinds lists every place kind.
var PlaceKinds = []PlaceKind{PlaceSchool, PlaceMarket, PlaceHospital, PlacePetrolStation, PlaceKeyUnit, PlaceVillage, PlaceOther}

var placeKindLabels = map[PlaceKind][2]string{
	PlaceSchool: {"学校", "School"}, PlaceMarket: {"集贸市场", "Market"}, PlaceHospital: {"医院", "Hospital"},
	PlacePetrolStation: {"加油站", "Petrol station"}, PlaceKeyUnit: {"重点单位", "Key unit"},
	PlaceVillage: {"重点村居", "Key village"}, PlaceOther: {"其他", "Other"},
}

// Valid reports whether k is a known place kind.
func (k PlaceKind) Valid() bool { _, ok := placeKindLabels[k]; return ok }

// LabelZH is the kind's Chinese name; empty for an unknown kind.
func (k PlaceKind) LabelZH() string { return placeKindLabels[k][0] }

// LabelEN is the kind's English name; empty for an unknown kind.
func (k PlaceKind) LabelEN() string { return placeKindLabels[k][1] }

// ParsePlaceKind accepts a kind's code or its Chinese name.
func ParsePlaceKind(s string) (PlaceKind, error) {
	for k, l := range placeKindLabels {
		if s == string(k) || s == l[0] {
			return k, nil
		}
	}
	return "", fmt.Errorf("geo: unknown place kind %q (want school, market, hospital, petrol_station, key_unit, village or other)", s)
}

// Liaison is the person to call about an area or a place. The phone is
// personal data: the API masks it by role as it masks members' phones.
type Liaison struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Validity is the period a feature is in force: from ValidFrom
// (inclusive) to ValidTo (exclusive); a zero end is open. A works site's
// end is when its policing ends.
type Validity struct {
	ValidFrom time.Time `json:"valid_from,omitzero"`
	ValidTo   time.Time `json:"valid_to,omitzero"`
}

// In reports whether t falls in the period.
func (v Validity) In(t time.Time) bool {
	return (v.ValidFrom.IsZero() || !t.Before(v.ValidFrom)) && (v.ValidTo.IsZero() || t.Before(v.ValidTo))
}

// Area is a special area (园区, 景区, 保护区, works site, school zone): a
// polygon that may overlap grids and other areas, policed by its owner
// station. Version is the store's: 1 for a new area, one more for each
// change of its content, 0 for an area not yet stored.
type Area struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Kind      AreaKind `json:"kind"`
	StationID string   `json:"station"`
	Liaison   Liaison  `json:"liaison"`
	// Opening is a free-text note of opening hours or season where it
	// matters ("4月至10月旺季").
	Opening string `json:"opening,omitempty"`
	Validity
	Version  int              `json:"version,omitempty"`
	Geometry orb.MultiPolygon `json:"-"`
}

// Place is a key place (school, market, hospital, 重点单位, 重点村居): a
// point owned by a station. Version is as for Area.
type Place struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      PlaceKind `json:"kind"`
	StationID string    `json:"station"`
	Liaison   Liaison   `json:"liaison"`
	Opening   string    `json:"opening,omitempty"`
	Validity
	Version  int       `json:"version,omitempty"`
	Location orb.Point `json:"-"`
}

// SameArea reports whether a and b have the same content, versions aside.
func SameArea(a, b *Area) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Kind == b.Kind && a.StationID == b.StationID &&
		a.Liaison == b.Liaison && a.Opening == b.Opening && a.ValidFrom.Equal(b.ValidFrom) &&
		a.ValidTo.Equal(b.ValidTo) && orb.Equal(a.Geometry, b.Geometry)
}

// SamePlace reports whether a and b have the same content, versions aside.
func SamePlace(a, b *Place) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Kind == b.Kind && a.StationID == b.StationID &&
		a.Liaison == b.Liaison && a.Opening == b.Opening && a.ValidFrom.Equal(b.ValidFrom) &&
		a.ValidTo.Equal(b.ValidTo) && a.Location == b.Location
}
