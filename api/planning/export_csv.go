package planning

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"jingge/geo/plan"
)

// WriteMovesCSV writes a plan's moves as CSV, one row per move: kind
// "grid" for a police grid changing station (its villages listed, space
// separated, in community_grids) and kind "officers" for a number of
// officers moving between two stations.
func WriteMovesCSV(w io.Writer, doc Document) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"kind", "grid", "grid_name", "community_grids", "from_station", "from_name", "to_station", "to_name", "officers", "workload"})
	name := func(id string) string { return doc.StationNames[id] }
	for _, mv := range doc.GridMoves {
		_ = cw.Write([]string{"grid", mv.GridID, mv.Name, strings.Join(mv.CommunityGrids, " "), mv.From, name(mv.From), mv.To, name(mv.To), "", fixed(mv.Workload, 2)})
	}
	for _, mv := range doc.OfficerMoves {
		_ = cw.Write([]string{"officers", "", "", "", mv.From, name(mv.From), mv.To, name(mv.To), strconv.Itoa(mv.Count), ""})
	}
	cw.Flush()
	return cw.Error()
}

// WriteStationsCSV writes a plan's per-station figures as CSV, one row
// per station in dataset order, each figure before and after.
func WriteStationsCSV(w io.Writer, doc Document) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"station", "name",
		"police_grids_before", "police_grids_after", "community_grids_before", "community_grids_after",
		"officers_before", "officers_after", "workload_before", "workload_after",
		"load_per_officer_before", "load_per_officer_after", "population_before", "population_after",
		"area_km2_before", "area_km2_after", "polsby_popper_before", "polsby_popper_after", "pieces_after",
		"incidents_before", "incidents_after", "mean_response_minutes_before", "mean_response_minutes_after"})
	after := map[string]plan.StationMeasures{}
	for _, s := range doc.After.Stations {
		after[s.StationID] = s
	}
	for _, b := range doc.Before.Stations {
		a := after[b.StationID]
		_ = cw.Write([]string{b.StationID, doc.StationNames[b.StationID],
			strconv.Itoa(b.Grids), strconv.Itoa(a.Grids), strconv.Itoa(b.CommunityGrids), strconv.Itoa(a.CommunityGrids),
			strconv.Itoa(b.Officers), strconv.Itoa(a.Officers), fixed(b.Workload, 2), fixed(a.Workload, 2),
			fixed(b.LoadPerOfficer, 2), fixed(a.LoadPerOfficer, 2), strconv.Itoa(b.Population), strconv.Itoa(a.Population),
			fixed(b.AreaKm2, 3), fixed(a.AreaKm2, 3), fixed(b.PolsbyPopper, 4), fixed(a.PolsbyPopper, 4), strconv.Itoa(a.Pieces),
			strconv.Itoa(b.Incidents), strconv.Itoa(a.Incidents), fixed(b.MeanResponseMinutes, 2), fixed(a.MeanResponseMinutes, 2)})
	}
	cw.Flush()
	return cw.Error()
}

// fixed writes f with n decimals.
func fixed(f float64, n int) string { return strconv.FormatFloat(f, 'f', n, 64) }
