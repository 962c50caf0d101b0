package api

import (
	"jingge/api/httpx"
	"jingge/api/locate"
	"net/http"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"jingge/api/meta"
	"jingge/data/lantian"
	"jingge/geo"
)

// lantianServer serves the bundled Lantian dataset, or skips the test
// while the bundled file has no grids.
func lantianServer(t *testing.T) (*Server, *geo.Dataset) {
	t.Helper()
	ds, err := lantian.Load()
	if err != nil {
		t.Fatalf("lantian.Load: %v", err)
	}
	if len(ds.Grids) == 0 {
		t.Skip("the bundled Lantian dataset has no grids")
	}
	return newTestServer(t, ds, Config{}), ds
}

// The county seat, on 蓝关街道, is served by 文姬路 or 城关 station.
var countySeat = orb.Point{109.317, 34.152}

func TestLantianCountySeat(t *testing.T) {
	s, _ := lantianServer(t)
	for _, crsName := range []string{"", "gcj02", "bd09"} {
		t.Run("crs="+crsName, func(t *testing.T) {
			rec := serve(t, s.Handler(), http.MethodGet, lookupURL(ftoa(countySeat[0]), ftoa(countySeat[1]), crsName), "")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			var resp locate.Response
			decodeJSON(t, rec, &resp)
			if resp.CommunityGrid == nil || resp.CommunityGrid.TownshipName != "蓝关街道" {
				t.Errorf("community grid %+v, want one in 蓝关街道", resp.CommunityGrid)
			}
			if resp.Station == nil || (resp.Station.ID != "wenjilu" && resp.Station.ID != "chengguan") {
				t.Errorf("station %+v, want wenjilu or chengguan", resp.Station)
			}
			if resp.Region == nil || resp.Region.ID != geo.Plain {
				t.Errorf("region %+v, want plain", resp.Region)
			}
			if resp.PoliceGrid == nil || !slices.ContainsFunc(resp.PoliceGrid.Members, func(m MemberInfo) bool { return m.Role == geo.CommunityOfficer }) {
				t.Errorf("police grid %+v has no community officer", resp.PoliceGrid)
			}
			if resp.Point.Datum != "wgs84" {
				t.Errorf("datum %q", resp.Point.Datum)
			}
		})
	}
}

func TestLantianStationsAndRegions(t *testing.T) {
	s, ds := lantianServer(t)
	var fc httpx.FeatureCollection[StationProperties]
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/stations", ""), &fc)
	if len(fc.Features) != len(ds.Stations) || len(fc.Features) != 15 {
		t.Errorf("%d stations, want 15", len(fc.Features))
	}
	for _, f := range fc.Features {
		p := f.Properties
		if p.PoliceGrids == 0 || p.Members == 0 || p.RegionZH == "" || p.Brand == "" {
			t.Errorf("station %s: %+v", f.ID, p)
		}
	}
	var regions meta.Regions
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/regions", ""), &regions)
	total := 0
	for _, r := range regions.Regions {
		if len(r.Stations) == 0 {
			t.Errorf("region %s has no stations", r.ID)
		}
		total += len(r.Stations)
	}
	if len(regions.Regions) != 4 || total != 15 {
		t.Errorf("%d regions with %d stations", len(regions.Regions), total)
	}
}

// TestLantianResponsesMatchOpenAPI checks the document against real data,
// which has shapes the synthetic set lacks (multipart grids, masked phones).
func TestLantianResponsesMatchOpenAPI(t *testing.T) {
	s, ds := lantianServer(t)
	doc := loadOpenAPI(t)
	targets := []string{
		"/api/v1/grids", "/api/v1/stations", "/api/v1/stations/" + ds.Stations[0].ID,
		"/api/v1/grids/" + ds.Grids[0].ID, "/api/v1/grids/" + ds.Grids[len(ds.Grids)-1].ID,
		"/api/v1/regions", "/api/v1/dataset", lookupURL("109.317", "34.152", "gcj02"),
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			if code := checkAgainstOpenAPI(t, doc, s, http.MethodGet, target, ""); code != http.StatusOK {
				t.Errorf("status %d", code)
			}
		})
	}
}

// TestLantianBatchMatchesIndex sends random points over the county through
// the batch endpoint and compares every answer with the index's.
func TestLantianBatchMatchesIndex(t *testing.T) {
	s, _ := lantianServer(t)
	ix := s.live.Load()
	v, err := newView(ix)
	if err != nil {
		t.Fatal(err)
	}
	pts := randomPoints(t, 2000, v.bounds)
	body := `{"points":[`
	for i, p := range pts {
		if i > 0 {
			body += ","
		}
		body += pos(p)
	}
	body += "]}"
	var resp BatchResponse
	decodeJSON(t, serve(t, s.Handler(), http.MethodPost, "/api/v1/lookup", body), &resp)
	if resp.Found == 0 || resp.NotFound == 0 {
		t.Errorf("found %d, not found %d: random points over the bounds should hit both", resp.Found, resp.NotFound)
	}
	for i, p := range pts {
		hit := ix.Lookup(p)
		r := resp.Results[i]
		if r.Found != hit.Found() || (hit.Police != nil && (r.PoliceGrid == nil || r.PoliceGrid.ID != hit.Police.ID)) ||
			(hit.Station != nil && r.Station.ID != hit.Station.ID) {
			t.Fatalf("point %d %v: batch %+v, index %+v", i, p, r, hit)
		}
	}
}
