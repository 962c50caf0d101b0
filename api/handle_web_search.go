package api

import (
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"jingge/geo"
)

// Search limits: results per answer and the longest query read.
const (
	defaultSearchLimit = 10
	maxSearchLimit     = 50
	maxSearchRunes     = 64
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

// searchRank orders the ways a grid can match a query: the lower, the
// better. A grid counts once, by its best match.
type searchRank int

const (
	rankIDExact searchRank = iota
	rankNameExact
	rankNamePrefix
	rankIDPrefix
	rankNameContains
	rankTownship
	rankStation
	rankNone
)

// rankGrid says how well g matches q (already lower-cased and trimmed).
func rankGrid(g *geo.Grid, q, township, station, stationEN string) (searchRank, string) {
	name := strings.ToLower(g.Name)
	switch {
	case g.ID == q:
		return rankIDExact, "id"
	case name == q:
		return rankNameExact, "name"
	case strings.HasPrefix(name, q):
		return rankNamePrefix, "name"
	case isDigits(q) && strings.HasPrefix(g.ID, q):
		return rankIDPrefix, "id"
	case strings.Contains(name, q):
		return rankNameContains, "name"
	case township != "" && strings.Contains(strings.ToLower(township), q):
		return rankTownship, "township"
	case strings.Contains(strings.ToLower(station), q) || strings.Contains(strings.ToLower(stationEN), q):
		return rankStation, "station"
	}
	return rankNone, ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// handleSearch finds grids by name (a community grid is named after its
// village or community), code (whole or leading digits), township or
// station, best matches first: exact code, exact name, name prefix, code
// prefix, name substring, township, station; within a rank police grids
// before community grids, then by name and code.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, q query) error {
	text := strings.TrimSpace(q.get("q"))
	var bad []httpx.InvalidParam
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		bad = append(bad, httpx.InvalidParam{Name: "q", Reason: "q is required: part of a grid's name, its code, or a village, township or station name"})
	case n > maxSearchRunes:
		bad = append(bad, httpx.InvalidParam{Name: "q", Reason: fmt.Sprintf("q is %d characters long; at most %d", n, maxSearchRunes)})
	}
	limit := defaultSearchLimit
	if v, ok := q.lookup("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSearchLimit {
			bad = append(bad, httpx.InvalidParam{Name: "limit", Reason: fmt.Sprintf("limit must be a whole number from 1 to %d, got %q", maxSearchLimit, v)})
		} else {
			limit = n
		}
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	needle := strings.ToLower(text)
	type hit struct {
		g     *geo.Grid
		rank  searchRank
		match string
	}
	var hits []hit
	for _, g := range v.ix.Grids(geo.GridFilter{}) {
		st, _ := v.ix.Station(g.StationID)
		var stName, stNameEN string
		if st != nil {
			stName, stNameEN = st.Name, st.NameEN
		}
		if rank, match := rankGrid(g, needle, v.townships[g.Township], stName, stNameEN); rank != rankNone {
			hits = append(hits, hit{g, rank, match})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.rank != b.rank {
			return int(a.rank - b.rank)
		}
		if a.g.Level != b.g.Level {
			if a.g.Level == geo.PoliceLevel {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.g.Name, b.g.Name); c != 0 {
			return c
		}
		return strings.Compare(a.g.ID, b.g.ID)
	})
	doc := searchDoc{Query: text, Total: len(hits), Results: make([]SearchResult, 0, min(limit, len(hits)))}
	for _, h := range hits[:min(limit, len(hits))] {
		g := h.g
		res := SearchResult{
			ID: g.ID, Name: g.Name, Level: g.Level, Township: g.Township,
			TownshipName: v.townships[g.Township], Match: h.match,
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
