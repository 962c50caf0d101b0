package api

import (
	"net/http"

	"jingge/api/httpx"
	"jingge/api/pages"
	"jingge/geo"
)

// SearchResult is one grid found by GET /api/v1/search: enough to list it
// and to frame it on a map without fetching its geometry.
type SearchResult struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Level        geo.Level  `json:"level"`
	Township     string     `json:"township,omitempty"`
	TownshipName string     `json:"township_name,omitempty"`
	Station      StationRef `json:"station"`
	Parent       *Ref       `json:"parent,omitempty"`
	// BBox is the grid's bounding box: [west, south, east, north] in the
	// dataset datum.
	BBox [4]float64 `json:"bbox"`
	// Match says which field matched: "id", "name", "township" or "station".
	Match string `json:"match"`
}

// searchDoc is the body of GET /api/v1/search.
type searchDoc struct {
	Query   string         `json:"query"`
	Total   int            `json:"total"`
	Results []SearchResult `json:"results"`
}

// handleSearch finds grids by name, code, township or station, best
// matches first (pages.SearchGrids).
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, q query) error {
	sq, err := pages.ParseSearch(q.lookup)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	hits := pages.SearchGrids(v.ix, v.townships, sq.Text)
	shown := hits[:min(sq.Limit, len(hits))]
	doc := searchDoc{Query: sq.Text, Total: len(hits), Results: make([]SearchResult, 0, len(shown))}
	for _, h := range shown {
		g := h.Grid
		res := SearchResult{
			ID: g.ID, Name: g.Name, Level: g.Level, Township: g.Township,
			TownshipName: v.townships[g.Township], Match: h.Match,
			Station: StationRef{ID: g.StationID},
		}
		if st, ok := v.ix.Station(g.StationID); ok {
			res.Station = StationRef{ID: st.ID, Name: st.Name, NameEN: st.NameEN, Region: st.Region, Brand: st.Brand, Phone: st.Phone}
			if reg, ok := st.Region.Region(); ok {
				res.Station.RegionZH = reg.NameZH
			}
		}
		if g.ParentID != "" {
			if p, ok := v.ix.Grid(g.ParentID); ok {
				res.Parent = &Ref{ID: p.ID, Name: p.Name}
			}
		}
		b := g.Geometry.Bound()
		res.BBox = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
		doc.Results = append(doc.Results, res)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, doc)
	return nil
}
