package pack

import (
	"math"

	"github.com/paulmach/orb"

	"jingge/api/locate"
	"jingge/geo"
)

// Pack is the offline station pack: what the officer page needs to answer
// "which grid am I in, and whom do I call" with no network. Its lookup rule
// is geo.Index.Lookup's, over the same float64 coordinates: Scale is chosen
// so that every coordinate of the dataset comes back bit for bit, so a
// browser holding a pack gives the server's answer.
type Pack struct {
	// Version changes when any grid, member or station of the dataset
	// changes; it also differs between packs of other scopes and between
	// full and masked phone numbers. It is the answer's ETag.
	Version  string `json:"version"`
	Dataset  string `json:"dataset"`
	Datum    string `json:"datum"`
	TimeZone string `json:"time_zone"`
	// Station is the station the pack was asked for ("" when none was).
	Station string `json:"station"`
	// Complete is true when the pack holds every leaf grid of the dataset
	// (the whole county), so a point on the outline gets its grid by the
	// outline rule; a partial pack answers such points with no grid rather
	// than guess, since its own edge is not the county's.
	Complete bool `json:"complete"`
	// Scale: each coordinate is an integer divided by Scale (see
	// Grid.Geometry). 0 means the coordinates are plain numbers, when no
	// power of ten up to 10^12 gives them back exactly.
	Scale    int64          `json:"scale"`
	Stations []Station      `json:"stations"`
	Grids    []Grid         `json:"grids"`
	Members  []Member       `json:"members"`
	Bounds   [4]float64     `json:"bbox"`
	Counts   map[string]int `json:"counts"`
}

// Station is a station of the pack with its public switchboard number.
type Station struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	NameEN   string      `json:"name_en"`
	Region   geo.Terrain `json:"region"`
	RegionZH string      `json:"region_zh"`
	Phone    string      `json:"phone"`
}

// Member is one person serving grids of the pack: a lookup's member, so
// the page reads both alike.
type Member = locate.MemberInfo

// Grid is one grid of the pack. Geometry is set for the leaf grids only
// (community grids, and police grids without community grids), the ones a
// lookup tests: a police grid with community grids is their union.
type Grid struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Level    geo.Level   `json:"level"`
	Station  string      `json:"station"`
	Parent   string      `json:"parent,omitempty"`
	Township string      `json:"township_name,omitempty"`
	Terrain  geo.Terrain `json:"terrain"`
	// Members are positions in Pack.Members, police roles first, then by
	// name, as a lookup lists them.
	Members []int `json:"members"`
	// Geometry is polygons of rings; each ring is the flat list x0, y0,
	// x1, y1, ... of its points as the dataset holds them (closing point
	// included). With a Scale, the first point is in integer units and
	// each further value is the difference from the value two places
	// before it; the coordinate is the running sum divided by Scale.
	Geometry [][][]float64 `json:"geometry,omitempty"`
}

// scales are the scales tried for a pack's coordinates, smallest first;
// 10^12 keeps |k| < 2^53 for any longitude.
var scales = []int64{1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12}

// Scale returns the smallest scale under which every coordinate of the
// dataset's grids is an integer k with float64(k)/scale == the coordinate,
// or 0. Division is correctly rounded in Go and JavaScript alike, so the
// browser gets the same float64 back.
func Scale(ds *geo.Dataset) int64 {
	for _, s := range scales {
		if scaleRoundTrips(ds, float64(s)) {
			return s
		}
	}
	return 0
}

func scaleRoundTrips(ds *geo.Dataset, s float64) bool {
	for i := range ds.Grids {
		for _, poly := range ds.Grids[i].Geometry {
			for _, ring := range poly {
				for _, p := range ring {
					for _, c := range p {
						k := math.Round(c * s)
						if math.Abs(k) >= 1<<53 || k/s != c {
							return false
						}
					}
				}
			}
		}
	}
	return true
}

// EncodeGeometry writes mp in the form Grid.Geometry documents.
func EncodeGeometry(mp orb.MultiPolygon, scale int64) [][][]float64 {
	out := make([][][]float64, len(mp))
	s := float64(scale)
	for i, poly := range mp {
		out[i] = make([][]float64, len(poly))
		for j, ring := range poly {
			flat := make([]float64, 0, 2*len(ring))
			var prev [2]float64
			for k, p := range ring {
				for c := range 2 {
					if scale == 0 {
						flat = append(flat, p[c])
						continue
					}
					v := math.Round(p[c] * s)
					if k == 0 {
						flat = append(flat, v)
					} else {
						flat = append(flat, v-prev[c])
					}
					prev[c] = v
				}
			}
			out[i][j] = flat
		}
	}
	return out
}
