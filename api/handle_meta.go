package api

import (
	"jingge/api/httpx"
	"net/http"
	"time"

	"jingge/data"
	"jingge/geo"
)

// RegionInfo is one terrain region with the stations that police it.
type RegionInfo struct {
	geo.Region
	Stations []RegionStation `json:"stations"`
}

// RegionStation names a station of a region.
type RegionStation struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// RegionsResponse answers GET /api/v1/regions: the four regions in the
// order of the bureau's plan.
type RegionsResponse struct {
	Regions []RegionInfo `json:"regions"`
}

func (s *Server) handleRegions(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	resp := RegionsResponse{Regions: make([]RegionInfo, 0, len(geo.Terrains))}
	for _, t := range geo.Terrains {
		reg, _ := t.Region()
		info := RegionInfo{Region: reg, Stations: []RegionStation{}}
		for _, st := range v.ix.Stations() {
			if st.Region == t {
				info.Stations = append(info.Stations, RegionStation{ID: st.ID, Name: st.Name, NameEN: st.NameEN})
			}
		}
		resp.Regions = append(resp.Regions, info)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

// DatasetCounts counts what a dataset holds. Population sums the leaf
// grids (community grids, and police grids without any).
type DatasetCounts struct {
	Stations       int `json:"stations"`
	PoliceGrids    int `json:"police_grids"`
	CommunityGrids int `json:"community_grids"`
	Members        int `json:"members"`
	Townships      int `json:"townships"`
	Population     int `json:"population"`
}

// DatasetResponse answers GET /api/v1/dataset: what the data is, what in
// it is real and what synthetic, and how far to trust it. Bounds are
// [minLon, minLat, maxLon, maxLat] of all grids in the dataset's datum,
// null when it has no grids.
type DatasetResponse struct {
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Datum       string        `json:"datum"`
	TimeZone    string        `json:"time_zone"` // IANA name of the local time every time is written in
	Generated   string        `json:"generated"`
	Real        []string      `json:"real"`
	Synthetic   []string      `json:"synthetic"`
	Caveats     []string      `json:"caveats"`
	Sources     []geo.Source  `json:"sources"`
	Counts      DatasetCounts `json:"counts"`
	Bounds      []float64     `json:"bounds"`
	// UTCOffset is the county's offset from UTC ("+08:00"), the zone the
	// pages show times in whatever the browser's zone, as the API cuts days
	// and months in it.
	UTCOffset string `json:"utc_offset"`
}

func (s *Server) handleDataset(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	m := v.ix.Meta()
	resp := DatasetResponse{
		Name: m.Name, Description: m.Description, Datum: v.datumName, TimeZone: v.ix.Location().String(), Generated: m.Generated,
		Real: orEmpty(m.Real), Synthetic: orEmpty(m.Synthetic), Caveats: orEmpty(m.Caveats),
		Sources: m.Sources, Counts: v.counts, UTCOffset: time.Now().In(v.ix.Location()).Format("-07:00"),
	}
	if resp.Sources == nil {
		resp.Sources = []geo.Source{}
	}
	if v.hasGrids {
		resp.Bounds = boundsArray(v.bounds)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// HealthResponse answers GET /healthz.
type HealthResponse struct {
	Status string `json:"status"` // always "ok"
}

// ReadyResponse answers GET /readyz once an index is loaded.
type ReadyResponse struct {
	Status   string `json:"status"` // always "ready"
	Dataset  string `json:"dataset"`
	Grids    int    `json:"grids"`
	Stations int    `json:"stations"`
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request, _ query) error {
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, HealthResponse{Status: "ok"})
	return nil
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request, _ query) error {
	ix := s.live.Load()
	if ix == nil {
		return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "no dataset is loaded yet; the server is starting or cannot reach its store", RetryAfterSeconds: s.retryAfterSeconds}
	}
	ds := ix.Dataset()
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, ReadyResponse{Status: "ready", Dataset: ds.Meta.Name, Grids: len(ds.Grids), Stations: len(ds.Stations)})
	return nil
}
