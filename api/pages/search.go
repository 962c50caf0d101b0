package pages

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"jingge/api/httpx"
	"jingge/geo"
)

// Search limits: results per answer and the longest query read.
const (
	defaultSearchLimit = 10
	maxSearchLimit     = 50
	maxSearchRunes     = 64
)

// SearchQuery is a grid search: the text sought and how many results to
// give.
type SearchQuery struct {
	Text  string
	Limit int
}

// ParseSearch reads the parameters q and limit of a grid search from
// lookup (a parameter's value and whether it was given); every bad one is
// reported in one 400 problem.
func ParseSearch(lookup func(name string) (string, bool)) (SearchQuery, error) {
	q, _ := lookup("q")
	sq := SearchQuery{Text: strings.TrimSpace(q), Limit: defaultSearchLimit}
	var bad []httpx.InvalidParam
	switch n := utf8.RuneCountInString(sq.Text); {
	case n == 0:
		bad = append(bad, httpx.InvalidParam{Name: "q", Reason: "q is required: part of a grid's name, its code, or a village, township or station name"})
	case n > maxSearchRunes:
		bad = append(bad, httpx.InvalidParam{Name: "q", Reason: fmt.Sprintf("q is %d characters long; at most %d", n, maxSearchRunes)})
	}
	if v, ok := lookup("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSearchLimit {
			bad = append(bad, httpx.InvalidParam{Name: "limit", Reason: fmt.Sprintf("limit must be a whole number from 1 to %d, got %q", maxSearchLimit, v)})
		} else {
			sq.Limit = n
		}
	}
	if len(bad) > 0 {
		return sq, httpx.Invalid(bad...)
	}
	return sq, nil
}

// SearchHit is a grid found and which of its fields matched: "id",
// "name", "township" or "station".
type SearchHit struct {
	Grid  *geo.Grid
	Match string
	rank  searchRank
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

// SearchGrids finds the grids of ix matching text by name (a community
// grid is named after its village or community), code (whole or leading
// digits), township (townships maps codes to names) or station, best
// matches first: exact code, exact name, name prefix, code prefix, name
// substring, township, station; within a rank police grids before
// community grids, then by name and code. It returns every hit; the
// caller shows as many as it was asked for.
func SearchGrids(ix *geo.Index, townships map[string]string, text string) []SearchHit {
	needle := strings.ToLower(strings.TrimSpace(text))
	var hits []SearchHit
	for _, g := range ix.Grids(geo.GridFilter{}) {
		st, _ := ix.Station(g.StationID)
		var stName, stNameEN string
		if st != nil {
			stName, stNameEN = st.Name, st.NameEN
		}
		if rank, match := rankGrid(g, needle, townships[g.Township], stName, stNameEN); rank != rankNone {
			hits = append(hits, SearchHit{Grid: g, Match: match, rank: rank})
		}
	}
	slices.SortFunc(hits, func(a, b SearchHit) int {
		if a.rank != b.rank {
			return int(a.rank - b.rank)
		}
		if a.Grid.Level != b.Grid.Level {
			if a.Grid.Level == geo.PoliceLevel {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Grid.Name, b.Grid.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Grid.ID, b.Grid.ID)
	})
	return hits
}

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
