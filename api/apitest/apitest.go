// Package apitest builds small synthetic datasets for tests of the API and
// of the commands that serve it. The datasets are deterministic and sit
// near the Lantian county seat, so datum conversions behave as they do on
// real data.
package apitest

import (
	"fmt"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// Points of the Small dataset, in its datum (WGS-84).
var (
	// InCommunity lies in community grid CommunityA of police grid PoliceA.
	InCommunity = orb.Point{109.305, 34.15}
	// InCommunityB lies in community grid CommunityB of police grid PoliceA.
	InCommunityB = orb.Point{109.315, 34.15}
	// InPoliceOnly lies in police grid PoliceB, which has no community grids.
	InPoliceOnly = orb.Point{109.33, 34.15}
	// Outside lies outside every grid.
	Outside = orb.Point{109.0, 34.0}
)

// Ids of the Small dataset.
const (
	StationA   = "wenjilu"
	StationB   = "tangyu"
	PoliceA    = "610122001000001"
	PoliceB    = "610122101000001"
	CommunityA = "61012200100101"
	CommunityB = "61012200100201"
)

func rect(minLon, minLat, maxLon, maxLat float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{
		{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat},
	}}}
}

// Small returns a new copy of a three-grid dataset: station "wenjilu" (plain)
// with police grid PoliceA split into community grids CommunityA (west) and
// CommunityB (east), and station "tangyu" (mountain) with police grid
// PoliceB and no community grids. Together they cover lon 109.30–109.34,
// lat 34.14–34.16.
func Small() *geo.Dataset {
	return &geo.Dataset{
		Meta: geo.Meta{
			Name:        "synthetic test county",
			Description: "three grids for tests",
			Datum:       "wgs84",
			Generated:   "2025-01-01",
			Real:        []string{"nothing"},
			Synthetic:   []string{"everything"},
			Caveats:     []string{"made up for tests"},
			Sources:     []geo.Source{{Name: "apitest", What: "hand-written rectangles", License: "none"}},
		},
		County: rect(109.30, 34.14, 109.34, 34.16),
		Townships: []geo.Township{
			{Code: "610122001", Name: "蓝关街道", StationIDs: []string{StationA}, Geometry: rect(109.30, 34.14, 109.32, 34.16)},
			{Code: "610122101", Name: "汤峪镇", StationIDs: []string{StationB}, Geometry: rect(109.32, 34.14, 109.34, 34.16)},
		},
		Stations: []geo.Station{
			{ID: StationA, Name: "文姬路派出所", NameEN: "Wenjilu Police Station", Region: geo.Plain, Brand: "文姬警务", Location: orb.Point{109.31, 34.155}, Phone: "029-82700001"},
			{ID: StationB, Name: "汤峪派出所", NameEN: "Tangyu Police Station", Region: geo.Mountain, Brand: "温泉警务", Location: orb.Point{109.33, 34.145}, Phone: "029-82700002"},
		},
		Grids: []geo.Grid{
			{ID: PoliceA, Level: geo.PoliceLevel, Name: "蓝关第一警格", StationID: StationA, Township: "610122001", Geometry: rect(109.30, 34.14, 109.32, 34.16)},
			{ID: CommunityA, Level: geo.CommunityLevel, Name: "东街社区网格", StationID: StationA, ParentID: PoliceA, Township: "610122001", Population: 1200, Geometry: rect(109.30, 34.14, 109.31, 34.16)},
			{ID: CommunityB, Level: geo.CommunityLevel, Name: "西街社区网格", StationID: StationA, ParentID: PoliceA, Township: "610122001", Population: 800, Geometry: rect(109.31, 34.14, 109.32, 34.16)},
			{ID: PoliceB, Level: geo.PoliceLevel, Name: "汤峪第一警格", StationID: StationB, Township: "610122101", Population: 500, Geometry: rect(109.32, 34.14, 109.34, 34.16)},
		},
		Members: []geo.Member{
			{ID: "m1", Name: "王警官", Role: geo.CommunityOfficer, Phone: "13800000001", StationID: StationA, GridIDs: []string{PoliceA}},
			{ID: "m2", Name: "李辅警", Role: geo.AuxiliaryOfficer, Phone: "13800000002", StationID: StationA, GridIDs: []string{PoliceA}},
			{ID: "m3", Name: "张网格", Role: geo.GridWorker, Phone: "13800000003", GridIDs: []string{CommunityA}},
			{ID: "m4", Name: "赵楼长", Role: geo.BuildingHead, Phone: "13800000004", GridIDs: []string{CommunityA, CommunityB}},
			{ID: "m5", Name: "刘警官", Role: geo.CommunityOfficer, Phone: "13800000005", StationID: StationB, GridIDs: []string{PoliceB}},
		},
	}
}

// Checkerboard returns a dataset of n×n community grids of 0.01° squares
// starting at lon 109.0, lat 34.0, grouped into police grids of one row each
// and served by one station per row; for benchmarks that need more than a
// handful of grids. n must be at least 1.
func Checkerboard(n int) *geo.Dataset {
	ds := &geo.Dataset{Meta: geo.Meta{Name: fmt.Sprintf("checkerboard %dx%d", n, n), Datum: "wgs84"}}
	const side = 0.01
	for row := range n {
		sid := fmt.Sprintf("s%03d", row)
		ds.Stations = append(ds.Stations, geo.Station{
			ID: sid, Name: fmt.Sprintf("第%d派出所", row+1), Region: geo.Terrains[row%len(geo.Terrains)],
			Location: orb.Point{109.0 + side/2, 34.0 + side*(float64(row)+0.5)},
		})
		pid := fmt.Sprintf("p%03d", row)
		minLat := 34.0 + side*float64(row)
		ds.Grids = append(ds.Grids, geo.Grid{
			ID: pid, Level: geo.PoliceLevel, Name: fmt.Sprintf("第%d警格", row+1), StationID: sid,
			Geometry: rect(109.0, minLat, 109.0+side*float64(n), minLat+side),
		})
		ds.Members = append(ds.Members, geo.Member{
			ID: "m" + pid, Name: fmt.Sprintf("民警%d", row+1), Role: geo.CommunityOfficer, Phone: "13800000000", StationID: sid, GridIDs: []string{pid},
		})
		for col := range n {
			cid := fmt.Sprintf("c%03d%03d", row, col)
			minLon := 109.0 + side*float64(col)
			ds.Grids = append(ds.Grids, geo.Grid{
				ID: cid, Level: geo.CommunityLevel, Name: fmt.Sprintf("网格%d-%d", row+1, col+1), StationID: sid, ParentID: pid,
				Population: 100, Geometry: rect(minLon, minLat, minLon+side, minLat+side),
			})
			ds.Members = append(ds.Members, geo.Member{
				ID: "m" + cid, Name: fmt.Sprintf("网格员%d-%d", row+1, col+1), Role: geo.GridWorker, Phone: "13900000000", GridIDs: []string{cid},
			})
		}
	}
	return ds
}
