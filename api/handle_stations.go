package api

import (
	"net/http"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
	"jingge/geo"
)

// StationProperties are the properties of a station feature: who it is
// and what it is responsible for.
type StationProperties struct {
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	NameEN         string      `json:"name_en"`
	Region         geo.Terrain `json:"region"`
	RegionZH       string      `json:"region_zh"`
	Brand          string      `json:"brand"`
	Phone          string      `json:"phone"`
	PoliceGrids    int         `json:"police_grids"`
	CommunityGrids int         `json:"community_grids"`
	Members        int         `json:"members"`
	Population     int         `json:"population"`
}

// StationDetail is the properties of GET /api/v1/stations/{id}: the
// summary plus every grid of the station, police grids first.
type StationDetail struct {
	StationProperties
	Grids []GridRef `json:"grids"`
}

// GridRef names a grid and says where it sits.
type GridRef struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Level  geo.Level `json:"level"`
	Parent string    `json:"parent,omitempty"`
}

func (v *view) stationProperties(st *geo.Station) StationProperties {
	r, _ := st.Region.Region()
	n := v.stats[st.ID]
	return StationProperties{
		ID: st.ID, Name: st.Name, NameEN: st.NameEN, Region: st.Region, RegionZH: r.NameZH,
		Brand: st.Brand, Phone: st.Phone,
		PoliceGrids: n.PoliceGrids, CommunityGrids: n.CommunityGrids, Members: n.Members, Population: n.Population,
	}
}

// stationPoint is the station building in WGS-84, or nil when the dataset
// does not place it.
func (v *view) stationPoint(st *geo.Station) orb.Geometry {
	if st.Location == (orb.Point{}) {
		return nil
	}
	return v.toWGS84(st.Location)
}

func (s *Server) handleStations(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	stations := v.ix.Stations()
	fc := httpx.FeatureCollection[StationProperties]{Type: "FeatureCollection", Features: make([]httpx.Feature[StationProperties], len(stations))}
	for i := range stations {
		st := &stations[i]
		fc.Features[i] = httpx.NewFeature(st.ID, v.stationPoint(st), v.stationProperties(st))
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}

func (s *Server) handleStation(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	id := httpx.PathVar(r, "id")
	st, ok := v.ix.Station(id)
	if !ok {
		return httpx.NotFound("there is no station with id %q; GET /api/v1/stations lists them", id)
	}
	detail := StationDetail{StationProperties: v.stationProperties(st), Grids: []GridRef{}}
	for _, level := range []geo.Level{geo.PoliceLevel, geo.CommunityLevel} {
		for _, g := range v.ix.Grids(geo.GridFilter{Station: id, Level: level}) {
			detail.Grids = append(detail.Grids, GridRef{ID: g.ID, Name: g.Name, Level: g.Level, Parent: g.ParentID})
		}
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, httpx.NewFeature(st.ID, v.stationPoint(st), detail))
	return nil
}
