package locate

import "jingge/geo"

// Response answers GET /api/v1/lookup and `jingge lookup --json`.
// CommunityGrid is null where the point lies in a police grid without
// community grids; a point outside every grid is an *OutsideError, not a
// response.
type Response struct {
	Query         Query       `json:"query"`
	Point         DatumPoint  `json:"point"`
	CommunityGrid *Grid       `json:"community_grid"`
	PoliceGrid    *Grid       `json:"police_grid"`
	Station       *StationRef `json:"station"`
	Region        *geo.Region `json:"region"`
	// AlsoInside lists the special areas in force that hold the point,
	// by id; only with include=areas.
	AlsoInside *[]AreaHit `json:"also_inside,omitempty"`
	// PlacesNearby lists the key places in force within places_radius
	// metres, nearest first; only with include=places.
	PlacesNearby *[]PlaceHit `json:"places_nearby,omitempty"`
}

// Query echoes the point as the client sent it.
type Query struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
	CRS string  `json:"crs"`
}

// DatumPoint is the queried point converted into the dataset's datum, the
// one every answer is computed in.
type DatumPoint struct {
	Lon   float64 `json:"lon"`
	Lat   float64 `json:"lat"`
	Datum string  `json:"datum"`
}

// Grid is a grid that holds the point, with the people who serve it.
type Grid struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Level    geo.Level `json:"level"`
	Township string    `json:"township,omitempty"`
	// TownshipName is the township's name (e.g. 蓝关街道) when the dataset has it.
	TownshipName string `json:"township_name,omitempty"`
	Population   int    `json:"population"`
	// Terrain is the terrain of the grid's place (see geo.Index.GridTerrain).
	Terrain geo.Terrain  `json:"terrain"`
	Members []MemberInfo `json:"members"`
}

// MemberInfo is one person serving a grid, with the role's labels.
type MemberInfo struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Role   geo.Role `json:"role"`
	RoleZH string   `json:"role_zh"`
	RoleEN string   `json:"role_en"`
	// Roles are the further roles the member holds beside Role.
	Roles []geo.Role `json:"roles,omitempty"`
	Phone string     `json:"phone"`
}

// StationRef describes a station in lookup answers.
type StationRef struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	NameEN   string      `json:"name_en"`
	Region   geo.Terrain `json:"region"`
	RegionZH string      `json:"region_zh"`
	Brand    string      `json:"brand"`
	Phone    string      `json:"phone"`
}

// ClosestStation is the station closest to a point outside every grid,
// with its distance: whom an officer who strayed out of the county calls.
type ClosestStation struct {
	StationRef
	DistanceMeters float64 `json:"distance_m"`
}

// Ref names a grid or a station.
type Ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// NewStationRef describes st.
func NewStationRef(st *geo.Station) *StationRef {
	r, _ := st.Region.Region()
	return &StationRef{ID: st.ID, Name: st.Name, NameEN: st.NameEN, Region: st.Region, RegionZH: r.NameZH, Brand: st.Brand, Phone: st.Phone}
}

// MemberInfos describes ms, in order, with their phone numbers as stored.
func MemberInfos(ms []*geo.Member) []MemberInfo {
	out := make([]MemberInfo, len(ms))
	for i, m := range ms {
		out[i] = NewMemberInfo(m)
	}
	return out
}

// NewMemberInfo describes m, with its phone number as stored.
func NewMemberInfo(m *geo.Member) MemberInfo {
	return MemberInfo{ID: m.ID, Name: m.Name, Role: m.Role, RoleZH: m.Role.LabelZH(), RoleEN: m.Role.LabelEN(), Roles: m.Roles, Phone: m.Phone}
}
