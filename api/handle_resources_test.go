package api

import (
	"jingge/api/httpx"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/api/meta"
	"jingge/geo"
	"jingge/geo/crs"
)

func expectGeoJSON(t *testing.T, code int, ctype string) {
	t.Helper()
	if code != http.StatusOK || ctype != httpx.ContentTypeGeoJSON {
		t.Fatalf("status %d Content-Type %q, want 200 %s", code, ctype, httpx.ContentTypeGeoJSON)
	}
}

func TestStations(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/stations", "")
	expectGeoJSON(t, rec.Code, rec.Header().Get("Content-Type"))
	var fc httpx.FeatureCollection[StationProperties]
	decodeJSON(t, rec, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != 2 {
		t.Fatalf("%+v", fc)
	}
	want := map[string]StationProperties{
		apitest.StationA: {ID: apitest.StationA, Name: "文姬路派出所", NameEN: "Wenjilu Police Station", Region: geo.Plain, RegionZH: "川下", Brand: "文姬警务", Phone: "029-82700001", PoliceGrids: 1, CommunityGrids: 2, Members: 4, Population: 2000},
		apitest.StationB: {ID: apitest.StationB, Name: "汤峪派出所", NameEN: "Tangyu Police Station", Region: geo.Mountain, RegionZH: "山间", Brand: "温泉警务", Phone: "029-82700002", PoliceGrids: 1, CommunityGrids: 0, Members: 1, Population: 500},
	}
	for _, f := range fc.Features {
		if f.Properties != want[f.ID] {
			t.Errorf("station %s: %+v, want %+v", f.ID, f.Properties, want[f.ID])
		}
		if f.Type != "Feature" || f.Geometry == nil || f.Geometry.Type != "Point" {
			t.Errorf("station %s: feature %+v", f.ID, f)
		}
	}
}

func TestStation(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/stations/"+apitest.StationA, "")
	expectGeoJSON(t, rec.Code, rec.Header().Get("Content-Type"))
	var f httpx.Feature[StationDetail]
	decodeJSON(t, rec, &f)
	var ids []string
	for _, g := range f.Properties.Grids {
		ids = append(ids, g.ID)
	}
	if f.ID != apitest.StationA || !slices.Equal(ids, []string{apitest.PoliceA, apitest.CommunityA, apitest.CommunityB}) {
		t.Errorf("station %s grids %v", f.ID, ids)
	}
	if f.Properties.Grids[1].Parent != apitest.PoliceA {
		t.Errorf("community grid without parent: %+v", f.Properties.Grids[1])
	}

	p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/stations/nowhere", ""), http.StatusNotFound)
	if !strings.Contains(p.Detail, `no station with id "nowhere"`) {
		t.Errorf("detail %q", p.Detail)
	}
}

func TestStationsConvertToWGS84(t *testing.T) {
	// A dataset kept in GCJ-02 must still come out as RFC 7946 WGS-84.
	ds := apitest.Small()
	ds.Meta.Datum = "gcj02"
	ds.Stations[0].Location = crs.Convert(ds.Stations[0].Location, crs.WGS84, crs.GCJ02)
	s := newTestServer(t, ds, Config{})
	var f httpx.Feature[StationDetail]
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/stations/"+apitest.StationA, ""), &f)
	got, _ := f.Geometry.Geometry().(orb.Point)
	if !near(got, apitest.Small().Stations[0].Location, 1e-7) {
		t.Errorf("station at %v, want the WGS-84 %v", got, apitest.Small().Stations[0].Location)
	}
}

func gridIDs(t *testing.T, s *Server, target string) []string {
	t.Helper()
	rec := serve(t, s.Handler(), http.MethodGet, target, "")
	expectGeoJSON(t, rec.Code, rec.Header().Get("Content-Type"))
	var fc httpx.FeatureCollection[GridProperties]
	decodeJSON(t, rec, &fc)
	ids := []string{}
	for _, f := range fc.Features {
		if f.ID != f.Properties.ID || f.Geometry == nil || (f.Geometry.Type != "Polygon" && f.Geometry.Type != "MultiPolygon") {
			t.Errorf("feature %s: geometry %v", f.ID, f.Geometry)
		}
		ids = append(ids, f.ID)
	}
	return ids
}

func TestGrids(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	all := []string{apitest.PoliceA, apitest.CommunityA, apitest.CommunityB, apitest.PoliceB}
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"all", "", all},
		{"police", "level=police", []string{apitest.PoliceA, apitest.PoliceB}},
		{"community in Chinese", "level=%E7%BD%91%E6%A0%BC", []string{apitest.CommunityA, apitest.CommunityB}},
		{"station", "station=" + apitest.StationB, []string{apitest.PoliceB}},
		{"bbox west", "bbox=109.301,34.141,109.302,34.142", []string{apitest.PoliceA, apitest.CommunityA}},
		{"bbox touching a shared edge", "bbox=109.31,34.15,109.31,34.15", []string{apitest.PoliceA, apitest.CommunityA, apitest.CommunityB}},
		{"bbox with spaces", "bbox=109.331,%2034.141,109.332,34.142", []string{apitest.PoliceB}},
		{"bbox elsewhere", "bbox=100,30,101,31", []string{}},
		{"everything combined", "bbox=109.3,34.14,109.34,34.16&level=community&station=" + apitest.StationA, []string{apitest.CommunityA, apitest.CommunityB}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := gridIDs(t, s, "/api/v1/grids?"+tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("grids %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGridsInvalid(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	tests := []struct{ name, query, param, contain string }{
		{"bbox three numbers", "bbox=1,2,3", "bbox", "four comma-separated numbers"},
		{"bbox five numbers", "bbox=1,2,3,4,5", "bbox", "four comma-separated numbers"},
		{"bbox word", "bbox=a,2,3,4", "bbox", `minLon must be a number, got "a"`},
		{"bbox NaN", "bbox=1,NaN,3,4", "bbox", "minLat must be a finite number"},
		{"bbox Inf", "bbox=1,2,Inf,4", "bbox", "maxLon must be a finite number"},
		{"bbox lat range", "bbox=1,2,3,91", "bbox", "maxLat must be between -90 and 90, got 91"},
		{"bbox lon range", "bbox=-181,2,3,4", "bbox", "minLon must be between -180 and 180"},
		{"bbox min above max lon", "bbox=3,2,1,4", "bbox", "minLon (3) must not exceed its maxLon (1)"},
		{"bbox min above max lat", "bbox=1,4,3,2", "bbox", "minLat (4) must not exceed its maxLat (2)"},
		{"empty bbox", "bbox=", "bbox", "four comma-separated"},
		{"level", "level=district", "level", `level must be police or community (or 警格 / 网格), got "district"`},
		{"unknown station", "station=nowhere", "station", "wenjilu, tangyu"},
		{"unknown parameter", "type=police", "type", `did you mean "level"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/grids?"+tc.query, ""), http.StatusBadRequest)
			if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tc.param || !strings.Contains(p.Detail, tc.contain) {
				t.Errorf("problem %+v, want %s: %q", p, tc.param, tc.contain)
			}
		})
	}
}

func TestGrid(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	get := func(id string) httpx.Feature[GridDetail] {
		t.Helper()
		rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/grids/"+id, "")
		expectGeoJSON(t, rec.Code, rec.Header().Get("Content-Type"))
		var f httpx.Feature[GridDetail]
		decodeJSON(t, rec, &f)
		return f
	}
	police := get(apitest.PoliceA)
	if police.Properties.Parent != nil || len(police.Properties.Children) != 2 || police.Properties.Children[0].ID != apitest.CommunityA ||
		police.Properties.Station.Name != "文姬路派出所" || police.Properties.LevelZH != "警格" || len(police.Properties.Members) != 2 {
		t.Errorf("police grid %+v", police.Properties)
	}
	community := get(apitest.CommunityA)
	if community.Properties.Parent == nil || community.Properties.Parent.ID != apitest.PoliceA || len(community.Properties.Children) != 0 ||
		community.Properties.LevelZH != "网格" || community.Properties.Population != 1200 {
		t.Errorf("community grid %+v", community.Properties)
	}
	roles := []geo.Role{}
	for _, m := range community.Properties.Members {
		roles = append(roles, m.Role)
	}
	if !slices.Equal(roles, []geo.Role{geo.GridWorker, geo.BuildingHead}) {
		t.Errorf("members' roles %v", roles)
	}
	if community.Geometry == nil || community.Geometry.Type != "Polygon" {
		t.Errorf("geometry %+v", community.Geometry)
	}

	p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/grids/000", ""), http.StatusNotFound)
	if !strings.Contains(p.Detail, `no grid with id "000"`) {
		t.Errorf("detail %q", p.Detail)
	}
}

func TestRegions(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/regions", "")
	var resp meta.Regions
	decodeJSON(t, rec, &resp)
	var got []string
	for _, r := range resp.Regions {
		ids := []string{}
		for _, st := range r.Stations {
			ids = append(ids, st.ID)
		}
		got = append(got, string(r.ID)+":"+r.NameZH+":"+strings.Join(ids, "+"))
	}
	want := []string{"hill:岭中:", "plateau:塬上:", "plain:川下:" + apitest.StationA, "mountain:山间:" + apitest.StationB}
	if !slices.Equal(got, want) {
		t.Errorf("regions %v, want %v", got, want)
	}
}

func TestDataset(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	var resp meta.Dataset
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/dataset", ""), &resp)
	want := meta.Counts{Stations: 2, PoliceGrids: 2, CommunityGrids: 2, Members: 5, Townships: 2, Population: 2500}
	if resp.Counts != want || resp.Datum != "wgs84" || len(resp.Real) != 1 || len(resp.Synthetic) != 1 || len(resp.Caveats) != 1 || len(resp.Sources) != 1 {
		t.Errorf("dataset %+v", resp)
	}
	if !slices.Equal(resp.Bounds, []float64{109.30, 34.14, 109.34, 34.16}) {
		t.Errorf("bounds %v", resp.Bounds)
	}
}

// TestIndexSwap checks the server answers from whichever index is in
// force, with no restart.
func TestIndexSwap(t *testing.T) {
	live := new(geo.Live)
	s := New(Config{Index: live})
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/dataset", ""), http.StatusServiceUnavailable)
	live.Store(mustIndex(t, apitest.Small()))
	var before meta.Dataset
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/dataset", ""), &before)
	live.Store(mustIndex(t, apitest.Checkerboard(2)))
	var after meta.Dataset
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/dataset", ""), &after)
	if before.Name == after.Name || after.Counts.CommunityGrids != 4 {
		t.Errorf("before %q, after %q with %+v", before.Name, after.Name, after.Counts)
	}
}
