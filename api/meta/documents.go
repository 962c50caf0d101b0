package meta

import (
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// Health answers GET /healthz.
type Health struct {
	Status string `json:"status"` // always "ok"
}

// Ready answers GET /readyz once an index is loaded.
type Ready struct {
	Status   string `json:"status"` // always "ready"
	Dataset  string `json:"dataset"`
	Grids    int    `json:"grids"`
	Stations int    `json:"stations"`
}

// ReadyOf is the readiness of a server serving ix.
func ReadyOf(ix *geo.Index) Ready {
	ds := ix.Dataset()
	return Ready{Status: "ready", Dataset: ds.Meta.Name, Grids: len(ds.Grids), Stations: len(ds.Stations)}
}

// Region is one terrain region with the stations that police it.
type Region struct {
	geo.Region
	Stations []RegionStation `json:"stations"`
}

// RegionStation names a station of a region.
type RegionStation struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// Regions answers GET /api/v1/regions: the four regions in the order of
// the bureau's plan.
type Regions struct {
	Regions []Region `json:"regions"`
}

// RegionsOf lists the regions of ix with their stations, in dataset order;
// a region without stations lists none.
func RegionsOf(ix *geo.Index) Regions {
	out := Regions{Regions: make([]Region, 0, len(geo.Terrains))}
	for _, t := range geo.Terrains {
		reg, _ := t.Region()
		info := Region{Region: reg, Stations: []RegionStation{}}
		for _, st := range ix.Stations() {
			if st.Region == t {
				info.Stations = append(info.Stations, RegionStation{ID: st.ID, Name: st.Name, NameEN: st.NameEN})
			}
		}
		out.Regions = append(out.Regions, info)
	}
	return out
}

// Counts counts what a dataset holds. Population sums the leaf grids
// (community grids, and police grids without any).
type Counts struct {
	Stations       int `json:"stations"`
	PoliceGrids    int `json:"police_grids"`
	CommunityGrids int `json:"community_grids"`
	Members        int `json:"members"`
	Townships      int `json:"townships"`
	Population     int `json:"population"`
}

// Dataset answers GET /api/v1/dataset: what the data is, what in it is
// real and what synthetic, and how far to trust it. Bounds are [minLon,
// minLat, maxLon, maxLat] of all grids in the dataset's datum, null when it
// has no grids.
type Dataset struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Datum       string       `json:"datum"`
	TimeZone    string       `json:"time_zone"` // IANA name of the local time every time is written in
	Generated   string       `json:"generated"`
	Real        []string     `json:"real"`
	Synthetic   []string     `json:"synthetic"`
	Caveats     []string     `json:"caveats"`
	Sources     []geo.Source `json:"sources"`
	Counts      Counts       `json:"counts"`
	Bounds      []float64    `json:"bounds"`
	// UTCOffset is the county's offset from UTC ("+08:00"), the zone the
	// pages show times in whatever the browser's zone, as the API cuts days
	// and months in it.
	UTCOffset string `json:"utc_offset"`
}

// Describe describes the dataset of ix, whose datum is named datum, with
// its counts and the bounds of its grids (nil without grids), at now (the
// UTC offset is the one in force then).
func Describe(ix *geo.Index, datum string, counts Counts, bounds *orb.Bound, now time.Time) Dataset {
	m := ix.Meta()
	out := Dataset{
		Name: m.Name, Description: m.Description, Datum: datum, TimeZone: ix.Location().String(), Generated: m.Generated,
		Real: orEmpty(m.Real), Synthetic: orEmpty(m.Synthetic), Caveats: orEmpty(m.Caveats),
		Sources: m.Sources, Counts: counts, UTCOffset: now.In(ix.Location()).Format("-07:00"),
	}
	if out.Sources == nil {
		out.Sources = []geo.Source{}
	}
	if bounds != nil {
		out.Bounds = []float64{bounds.Min[0], bounds.Min[1], bounds.Max[0], bounds.Max[1]}
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
