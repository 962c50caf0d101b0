package api

import (
	"errors"
	"fmt"
	"jingge/api/httpx"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// LookupResponse answers GET /api/v1/lookup and `jingge lookup --json`.
// CommunityGrid is null where the point lies in a police grid without
// community grids; a point outside every grid is a 404, not a response.
type LookupResponse struct {
	Query         LookupQuery `json:"query"`
	Point         DatumPoint  `json:"point"`
	CommunityGrid *LookupGrid `json:"community_grid"`
	PoliceGrid    *LookupGrid `json:"police_grid"`
	Station       *StationRef `json:"station"`
	Region        *geo.Region `json:"region"`
	// AlsoInside lists the special areas in force that hold the point,
	// by id; only with include=areas.
	AlsoInside *[]AreaHit `json:"also_inside,omitempty"`
	// PlacesNearby lists the key places in force within places_radius
	// metres, nearest first; only with include=places.
	PlacesNearby *[]PlaceHit `json:"places_nearby,omitempty"`
}

// LookupQuery echoes the point as the client sent it.
type LookupQuery struct {
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

// LookupGrid is a grid that holds the point, with the people who serve it.
type LookupGrid struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Level    geo.Level `json:"level"`
	Township string    `json:"township,omitempty"`
	// TownshipName is the township's name (e.g. 蓝关街道) when the dataset has it.
	TownshipName string `json:"township_name,omitempty"`
	Population   int    `json:"population"`
	// Terrain is the terrain of the grid's place (see GridProperties).
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

// queryCRSText returns the crs query parameter and whether it is given. A
// crs given empty (crs=) is refused rather than read as WGS-84: it is a
// client's bug (a variable left unset) more often than a choice, and
// reading it as WGS-84 would put GCJ-02 points hundreds of metres off.
func queryCRSText(q query) (string, bool, error) {
	text, ok := q.lookup("crs")
	if ok && strings.TrimSpace(text) == "" {
		return "", true, httpx.Invalid(httpx.InvalidParam{Name: "crs", Reason: "crs is empty; give a coordinate system such as wgs84, gcj02 or bd09, or leave crs out for WGS-84"})
	}
	return text, ok, nil
}

// parseQueryCRS reads the crs query parameter: WGS-84 when left out.
func parseQueryCRS(q query) (crs.CRS, error) {
	text, _, err := queryCRSText(q)
	if err != nil {
		return "", err
	}
	return parseCRS("crs", text)
}

// parseCRS reads a crs parameter; "" means WGS-84.
func parseCRS(name, text string) (crs.CRS, error) {
	c, err := crs.Parse(text)
	if err != nil {
		return "", httpx.Invalid(httpx.InvalidParam{Name: name, Reason: err.Error()})
	}
	return c, nil
}

// Lookup answers one point lookup against ix, as GET /api/v1/lookup does:
// pt is in coordinate system from and must be in range (see
// ParseCoordinates). A point outside every grid is a *Problem of kind
// data.ErrNotFound whose detail names the dataset's bounds.
func Lookup(ix *geo.Index, pt orb.Point, from crs.CRS) (*LookupResponse, error) {
	v, err := newView(ix)
	if err != nil {
		return nil, err
	}
	return v.lookup(pt, from)
}

func (v *view) lookup(pt orb.Point, from crs.CRS) (*LookupResponse, error) {
	return v.lookupGrids(pt, from, true)
}

// lookupGrids is lookup; without fullGrids the grids carry their ids
// alone, for answers that select no more (fields=ids), so the members a
// compact answer leaves out are never gathered.
func (v *view) lookupGrids(pt orb.Point, from crs.CRS, fullGrids bool) (*LookupResponse, error) {
	at := v.toDatum(pt, from)
	hit := v.ix.Lookup(at)
	if !hit.Found() {
		return nil, v.outside(pt, from, at)
	}
	resp := &LookupResponse{
		Query: LookupQuery{Lon: pt[0], Lat: pt[1], CRS: string(from)},
		Point: DatumPoint{Lon: at[0], Lat: at[1], Datum: v.datumName},
	}
	grid := v.lookupGrid
	if !fullGrids {
		grid = func(g *geo.Grid) *LookupGrid { return &LookupGrid{ID: g.ID} }
	}
	if hit.Community != nil {
		resp.CommunityGrid = grid(hit.Community)
	}
	if hit.Police != nil {
		resp.PoliceGrid = grid(hit.Police)
	}
	if st := hit.Station; st != nil {
		resp.Station = stationRef(st)
		if r, ok := st.Region.Region(); ok {
			resp.Region = &r
		}
	}
	return resp, nil
}

func stationRef(st *geo.Station) *StationRef {
	r, _ := st.Region.Region()
	return &StationRef{ID: st.ID, Name: st.Name, NameEN: st.NameEN, Region: st.Region, RegionZH: r.NameZH, Brand: st.Brand, Phone: st.Phone}
}

func (v *view) lookupGrid(g *geo.Grid) *LookupGrid {
	return &LookupGrid{
		ID: g.ID, Name: g.Name, Level: g.Level, Township: g.Township, TownshipName: v.townships[g.Township],
		Population: g.Population, Terrain: v.ix.GridTerrain(g), Members: memberInfos(v.ix.Members(g.ID)),
	}
}

func memberInfos(ms []*geo.Member) []MemberInfo {
	out := make([]MemberInfo, len(ms))
	for i, m := range ms {
		out[i] = MemberInfo{ID: m.ID, Name: m.Name, Role: m.Role, RoleZH: m.Role.LabelZH(), RoleEN: m.Role.LabelEN(), Roles: m.Roles, Phone: m.Phone}
	}
	return out
}

// outside builds the 404 for a point in no grid, with what the client
// needs to find the mistake: the point as understood, the bounds of the
// dataset, and a guess when the coordinates look swapped.
func (v *view) outside(pt orb.Point, from crs.CRS, at orb.Point) error {
	name := v.ix.Meta().Name
	if !v.hasGrids {
		return &httpx.Problem{Kind: data.ErrNotFound, Type: httpx.ProblemType("outside-grids"),
			Detail: fmt.Sprintf("the point lon %g, lat %g is outside every grid of the dataset %q: the dataset has no grids", pt[0], pt[1], name)}
	}
	b := v.bounds
	detail := fmt.Sprintf("the point lon %g, lat %g (%s) is outside every grid of the dataset %q, whose grids lie within lon %s to %s, lat %s to %s (%s)",
		pt[0], pt[1], from.Label(), name, deg(b.Min[0]), deg(b.Max[0]), deg(b.Min[1]), deg(b.Max[1]), v.datum.Label())
	switch swapped := v.toDatum(orb.Point{pt[1], pt[0]}, from); {
	case b.Contains(at):
		detail += "; it falls in a gap between grids"
	case b.Contains(swapped) && v.ix.Lookup(swapped).Found():
		detail += "; lon and lat look swapped: lon comes first"
	}
	extra := map[string]any{
		"point":          DatumPoint{Lon: at[0], Lat: at[1], Datum: v.datumName},
		"dataset_bounds": boundsArray(b),
	}
	if near := v.nearestStation(at); near != nil {
		extra["nearest_station"] = near
	}
	return &httpx.Problem{Kind: data.ErrNotFound, Type: httpx.ProblemType("outside-grids"), Detail: detail, Extra: extra}
}

// ClosestStation is the station closest to a point outside every grid,
// with its distance: whom an officer who strayed out of the county calls.
type ClosestStation struct {
	StationRef
	DistanceMeters float64 `json:"distance_m"`
}

// nearestStation is the station whose building is closest to at (in the
// dataset's datum), or nil when no station is placed.
func (v *view) nearestStation(at orb.Point) *ClosestStation {
	var best *ClosestStation
	for _, st := range v.ix.Stations() {
		if st.Location == (orb.Point{}) {
			continue
		}
		d := geo.DistanceMeters(at, st.Location)
		if best == nil || d < best.DistanceMeters {
			best = &ClosestStation{StationRef: *stationRef(&st), DistanceMeters: math.Round(d)}
		}
	}
	return best
}

// deg writes degrees to 4 decimals (about 10 m), enough for a person to
// compare; the exact bounds travel in dataset_bounds.
func deg(x float64) string { return strconv.FormatFloat(math.Round(x*1e4)/1e4, 'f', -1, 64) }

func (s *Server) handleLookup(w http.ResponseWriter, r *http.Request, q query) error {
	lon, _ := q.lookup("lon")
	lat, _ := q.lookup("lat")
	pt, err := intake.ParseCoordinates(lon, lat)
	from, crsErr := parseQueryCRS(q)
	fieldsText, fieldsGiven := q.lookup("fields")
	sel, fieldsErr := parseLookupFields(fieldsText, fieldsGiven, false)
	inc, incErr := parseLookupInclude(q)
	if err != nil || crsErr != nil || fieldsErr != nil || incErr != nil {
		return joinInvalid(err, crsErr, fieldsErr, incErr)
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	resp, err := v.lookupGrids(pt, from, sel.personal())
	if err != nil {
		return err
	}
	s.metrics.traffic.lookupSingle.Inc()
	v.addOverlays(resp, v.toDatum(pt, from), inc, time.Now())
	maskLookup(r.Context(), resp)
	if !sel.full() {
		httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, selectLookup(resp, sel))
		return nil
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

// joinInvalid merges 400 problems so the client hears of every bad
// parameter at once; nil arguments are skipped.
func joinInvalid(errs ...error) error {
	var params []httpx.InvalidParam
	for _, err := range errs {
		if p, ok := err.(*httpx.Problem); ok {
			params = append(params, p.InvalidParams...)
		} else if p := httpx.RequestProblem(err); p != nil && errors.Is(err, data.ErrInvalid) {
			params = append(params, p.InvalidParams...)
		} else if err != nil {
			return err
		}
	}
	if len(params) == 0 {
		return nil
	}
	return httpx.Invalid(params...)
}
