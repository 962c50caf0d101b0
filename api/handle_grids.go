package api

import (
	"net/http"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
	"jingge/api/intake"
	"jingge/api/overlays"
	"jingge/geo"
)

// GridProperties are the properties of a grid in GET /api/v1/grids.
type GridProperties struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Level       geo.Level `json:"level"`
	LevelZH     string    `json:"level_zh"`
	Station     string    `json:"station"`
	StationName string    `json:"station_name"`
	Parent      string    `json:"parent,omitempty"`
	Township    string    `json:"township,omitempty"`
	Population  int       `json:"population"`
	Members     int       `json:"members"`
	// Terrain is the terrain of the grid's place (geo.Index.GridTerrain):
	// its own, else its police grid's, else its station's region.
	Terrain geo.Terrain `json:"terrain"`
}

// GridDetail is the properties of GET /api/v1/grids/{id}: the grid with
// its police grid (null for a police grid), its community grids (empty
// for a community grid) and the people who serve it.
type GridDetail struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Level      geo.Level    `json:"level"`
	LevelZH    string       `json:"level_zh"`
	Township   string       `json:"township,omitempty"`
	Population int          `json:"population"`
	Terrain    geo.Terrain  `json:"terrain"`
	Station    Ref          `json:"station"`
	Parent     *Ref         `json:"parent"`
	Children   []Ref        `json:"children"`
	Members    []MemberInfo `json:"members"`
}

func levelZH(l geo.Level) string {
	if l == geo.PoliceLevel {
		return "警格"
	}
	return "网格"
}

func (s *Server) handleGrids(w http.ResponseWriter, r *http.Request, q query) error {
	grids, err := s.overlaySelect.Grids(q.lookup)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	fc := httpx.FeatureCollection[GridProperties]{Type: "FeatureCollection", Features: make([]httpx.Feature[GridProperties], len(grids))}
	for i, g := range grids {
		fc.Features[i] = v.gridFeature(g)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}

// gridFeature is g as GET /api/v1/grids lists it, in WGS-84.
func (v *view) gridFeature(g *geo.Grid) httpx.Feature[GridProperties] {
	props := GridProperties{
		ID: g.ID, Name: g.Name, Level: g.Level, LevelZH: levelZH(g.Level),
		Station: g.StationID, Parent: g.ParentID, Township: g.Township,
		Population: g.Population, Members: v.gridMembers[g.ID], Terrain: v.ix.GridTerrain(g),
	}
	if st := v.stRefs[g.StationID]; st != nil {
		props.StationName = st.Name
	}
	return httpx.NewFeature(g.ID, httpx.AreaGeometry(v.geometryWGS84(g.Geometry)), props)
}

// stationIDs lists the stations of ix for a message refusing a station id.
var stationIDs = overlays.StationIDs

// parseBBox reads a bbox parameter (intake.ParseBBox).
func parseBBox(text string) (orb.Bound, *httpx.InvalidParam) {
	b, bad := intake.ParseBBox(text)
	if bad != nil {
		return b, &httpx.InvalidParam{Name: bad.Name, Reason: bad.Reason}
	}
	return b, nil
}

func (s *Server) handleGrid(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	id := httpx.PathVar(r, "id")
	g, ok := v.ix.Grid(id)
	if !ok {
		return httpx.NotFound("there is no grid with id %q; GET /api/v1/grids lists them", id)
	}
	d := GridDetail{
		ID: g.ID, Name: g.Name, Level: g.Level, LevelZH: levelZH(g.Level),
		Township: g.Township, Population: g.Population, Terrain: v.ix.GridTerrain(g),
		Station:  Ref{ID: g.StationID},
		Children: []Ref{},
		Members:  maskMembers(r.Context(), memberInfos(v.ix.Members(g.ID))),
	}
	if st := v.stRefs[g.StationID]; st != nil {
		d.Station = *st
	}
	if p := v.gridRefs[g.ParentID]; p != nil {
		d.Parent = p
	}
	for _, c := range v.ix.Children(g.ID) {
		d.Children = append(d.Children, Ref{ID: c.ID, Name: c.Name})
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, httpx.NewFeature(g.ID, httpx.AreaGeometry(v.geometryWGS84(g.Geometry)), d))
	return nil
}
