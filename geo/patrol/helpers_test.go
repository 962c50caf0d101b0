package patrol

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

func rect(minLon, minLat, maxLon, maxLat float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{
		{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat},
	}}}
}

// Points of the test dataset: community grids C1 (west) and C2 (east) of
// police grid P1 (station "plain"), then police grid P2 without community
// grids (station "mountain").
var (
	inC1    = orb.Point{109.305, 34.15}
	inC2    = orb.Point{109.315, 34.15}
	inP2    = orb.Point{109.33, 34.15}
	outside = orb.Point{109.50, 34.15}
	t0      = time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
)

// testIndex: officer o1 holds P1, o2 (auxiliary) holds no grid and so
// patrols station "mountain", w1 is a grid worker who does not patrol.
func testIndex(tb testing.TB) *geo.Index {
	tb.Helper()
	ds := &geo.Dataset{
		Meta: geo.Meta{Name: "patrol test", Datum: "wgs84"},
		Stations: []geo.Station{
			{ID: "plain", Name: "川下所", Region: geo.Plain, Location: orb.Point{109.31, 34.155}},
			{ID: "mountain", Name: "山间所", Region: geo.Mountain, Location: orb.Point{109.33, 34.145}},
		},
		Grids: []geo.Grid{
			{ID: "P1", Level: geo.PoliceLevel, Name: "警格一", StationID: "plain", Geometry: rect(109.30, 34.14, 109.32, 34.16)},
			{ID: "C1", Level: geo.CommunityLevel, Name: "网格一", StationID: "plain", ParentID: "P1", Geometry: rect(109.30, 34.14, 109.31, 34.16)},
			{ID: "C2", Level: geo.CommunityLevel, Name: "网格二", StationID: "plain", ParentID: "P1", Geometry: rect(109.31, 34.14, 109.32, 34.16)},
			{ID: "P2", Level: geo.PoliceLevel, Name: "警格二", StationID: "mountain", Geometry: rect(109.32, 34.14, 109.34, 34.16)},
		},
		Members: []geo.Member{
			{ID: "o1", Name: "王警官", Role: geo.CommunityOfficer, StationID: "plain", GridIDs: []string{"P1"}},
			{ID: "o2", Name: "李辅警", Role: geo.AuxiliaryOfficer, StationID: "mountain"},
			{ID: "w1", Name: "张网格", Role: geo.GridWorker, GridIDs: []string{"C1"}},
		},
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

func testRules(tb testing.TB) *Rules {
	tb.Helper()
	return NewRules(testIndex(tb), Options{SilentAfter: 10 * time.Minute})
}

// ping makes an attributed ping of officer at t0+sec seconds.
func ping(r *Rules, officer string, sec int, at orb.Point) geo.Ping {
	return geo.Ping{OfficerID: officer, At: t0.Add(time.Duration(sec) * time.Second), Location: at, GridID: GridAt(r.Index(), at)}
}
