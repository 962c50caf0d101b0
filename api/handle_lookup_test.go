package api

import (
	"fmt"
	"jingge/api/httpx"
	"jingge/api/locate"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/geo"
	"jingge/geo/crs"
)

func lookupURL(lon, lat, crsName string) string {
	v := url.Values{}
	v.Set("lon", lon)
	v.Set("lat", lat)
	if crsName != "" {
		v.Set("crs", crsName)
	}
	return "/api/v1/lookup?" + v.Encode()
}

func ftoa(f float64) string { return fmt.Sprint(f) }

func TestLookupFound(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	tests := []struct {
		name              string
		pt                orb.Point
		crs               crs.CRS
		community, police string
		station, regionZH string
		members           []string // police grid members then community grid members
		nullCommunity     bool
	}{
		{name: "community grid", pt: apitest.InCommunity, crs: crs.WGS84, community: apitest.CommunityA, police: apitest.PoliceA, station: apitest.StationA, regionZH: "川下", members: []string{"王警官", "李辅警", "张网格", "赵楼长"}},
		{name: "east community grid", pt: apitest.InCommunityB, crs: crs.WGS84, community: apitest.CommunityB, police: apitest.PoliceA, station: apitest.StationA, regionZH: "川下", members: []string{"王警官", "李辅警", "赵楼长"}},
		{name: "police grid without community grids", pt: apitest.InPoliceOnly, crs: crs.WGS84, police: apitest.PoliceB, station: apitest.StationB, regionZH: "山间", members: []string{"刘警官"}, nullCommunity: true},
		{name: "gcj02 input", pt: apitest.InCommunity, crs: crs.GCJ02, community: apitest.CommunityA, police: apitest.PoliceA, station: apitest.StationA, regionZH: "川下", members: []string{"王警官", "李辅警", "张网格", "赵楼长"}},
		{name: "bd09 input", pt: apitest.InCommunityB, crs: crs.BD09, community: apitest.CommunityB, police: apitest.PoliceA, station: apitest.StationA, regionZH: "川下", members: []string{"王警官", "李辅警", "赵楼长"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Send the point as a phone in tc.crs would report it.
			sent := crs.Convert(tc.pt, crs.WGS84, tc.crs)
			rec := serve(t, s.Handler(), http.MethodGet, lookupURL(ftoa(sent[0]), ftoa(sent[1]), string(tc.crs)), "")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); ct != httpx.ContentTypeJSON {
				t.Errorf("Content-Type %q", ct)
			}
			var resp locate.Response
			decodeJSON(t, rec, &resp)
			if resp.Query.Lon != sent[0] || resp.Query.Lat != sent[1] || resp.Query.CRS != string(tc.crs) {
				t.Errorf("query echo %+v, sent %v in %s", resp.Query, sent, tc.crs)
			}
			if resp.Point.Datum != "wgs84" || !near(orb.Point{resp.Point.Lon, resp.Point.Lat}, tc.pt, 1e-7) {
				t.Errorf("point %+v, want %v in wgs84", resp.Point, tc.pt)
			}
			if tc.nullCommunity != (resp.CommunityGrid == nil) {
				t.Fatalf("community grid %+v", resp.CommunityGrid)
			}
			if resp.CommunityGrid != nil && resp.CommunityGrid.ID != tc.community {
				t.Errorf("community grid %s, want %s", resp.CommunityGrid.ID, tc.community)
			}
			if resp.PoliceGrid == nil || resp.PoliceGrid.ID != tc.police {
				t.Fatalf("police grid %+v, want %s", resp.PoliceGrid, tc.police)
			}
			if resp.Station == nil || resp.Station.ID != tc.station || resp.Station.RegionZH != tc.regionZH {
				t.Errorf("station %+v, want %s in %s", resp.Station, tc.station, tc.regionZH)
			}
			if resp.Region == nil || resp.Region.NameZH != tc.regionZH {
				t.Errorf("region %+v, want %s", resp.Region, tc.regionZH)
			}
			var names []string
			for _, g := range []*locate.Grid{resp.PoliceGrid, resp.CommunityGrid} {
				if g == nil {
					continue
				}
				for _, m := range g.Members {
					if m.RoleZH == "" || m.RoleEN == "" || m.Phone == "" {
						t.Errorf("member %+v lacks labels or phone", m)
					}
					names = append(names, m.Name)
				}
			}
			if strings.Join(names, ",") != strings.Join(tc.members, ",") {
				t.Errorf("members %v, want %v", names, tc.members)
			}
		})
	}
}

func near(a, b orb.Point, tol float64) bool {
	return abs(a[0]-b[0]) <= tol && abs(a[1]-b[1]) <= tol
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestLookupInvalid covers every way a query can be wrong: each must be a
// 400 naming the parameter with a reason a person can act on.
func TestLookupInvalid(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	tests := []struct {
		name    string
		target  string
		params  []string // names in invalid_params
		contain string   // in the detail
	}{
		{"missing lon", "/api/v1/lookup?lat=34.15", []string{"lon"}, "lon is required"},
		{"missing lat", "/api/v1/lookup?lon=109.3", []string{"lat"}, "lat is required"},
		{"missing both", "/api/v1/lookup", []string{"lon", "lat"}, "lat is required"},
		{"empty lon", "/api/v1/lookup?lon=&lat=34.15", []string{"lon"}, "lon is required"},
		{"non-numeric lat", "/api/v1/lookup?lon=109.3&lat=abc", []string{"lat"}, `lat must be a number between -90 and 90, got "abc"`},
		{"non-numeric lon", "/api/v1/lookup?lon=109%C2%B0E&lat=34", []string{"lon"}, `lon must be a number between -180 and 180, got "109°E"`},
		{"comma decimal", "/api/v1/lookup?lon=109,3&lat=34", []string{"lon"}, `got "109,3"`},
		{"NaN", "/api/v1/lookup?lon=NaN&lat=34", []string{"lon"}, `lon must be a finite number between -180 and 180, got "NaN"`},
		{"Inf", "/api/v1/lookup?lon=109&lat=-Inf", []string{"lat"}, `lat must be a finite number`},
		{"overflow", "/api/v1/lookup?lon=1e999&lat=34", []string{"lon"}, `lon must be a finite number`},
		{"lat out of range", "/api/v1/lookup?lon=109&lat=91", []string{"lat"}, "lat must be a number between -90 and 90, got 91"},
		{"lon out of range", "/api/v1/lookup?lon=-180.5&lat=34", []string{"lon"}, "lon must be a number between -180 and 180, got -180.5"},
		{"swapped", "/api/v1/lookup?lon=34.15&lat=109.3", []string{"lat"}, "swapped"},
		{"unknown crs", "/api/v1/lookup?lon=109.3&lat=34.15&crs=mercator", []string{"crs"}, "gcj02"},
		{"bad crs and lat", "/api/v1/lookup?lon=109.3&lat=x&crs=utm", []string{"lat", "crs"}, "lat must be"},
		{"misspelt lon", "/api/v1/lookup?lng=109.3&lat=34.15", []string{"lng"}, `did you mean "lon"`},
		{"repeated lat", "/api/v1/lookup?lon=109.3&lat=34.15&lat=34.16", []string{"lat"}, "given 2 times"},
		{"bad escape", "/api/v1/lookup?lon=%zz&lat=1", []string{"query"}, "URL encoding"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, tc.target, ""), http.StatusBadRequest)
			var names []string
			for _, ip := range p.InvalidParams {
				names = append(names, ip.Name)
				if ip.Reason == "" {
					t.Errorf("param %s has no reason", ip.Name)
				}
			}
			if strings.Join(names, ",") != strings.Join(tc.params, ",") {
				t.Errorf("invalid_params %v, want %v", names, tc.params)
			}
			if !strings.Contains(p.Detail, tc.contain) {
				t.Errorf("detail %q does not contain %q", p.Detail, tc.contain)
			}
		})
	}
}

func TestLookupOutside(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := serve(t, s.Handler(), http.MethodGet, lookupURL("109", "34", ""), "")
	p := expectProblem(t, rec, http.StatusNotFound)
	for _, want := range []string{"outside every grid of the dataset", "synthetic test county", "lon 109.3 to 109.34", "lat 34.14 to 34.16"} {
		if !strings.Contains(p.Detail, want) {
			t.Errorf("detail %q lacks %q", p.Detail, want)
		}
	}
	if p.Type != httpx.ProblemType("outside-grids") {
		t.Errorf("type %q", p.Type)
	}
	var extra struct {
		DatasetBounds  []float64              `json:"dataset_bounds"`
		Point          DatumPoint             `json:"point"`
		NearestStation *locate.ClosestStation `json:"nearest_station"`
	}
	decodeJSON(t, rec, &extra)
	if len(extra.DatasetBounds) != 4 || extra.DatasetBounds[0] != 109.30 || extra.Point.Datum != "wgs84" {
		t.Errorf("extension members %+v", extra)
	}
	// Whom to call from outside: the closest station, with its phone.
	ds := apitest.Small()
	var want *geo.Station
	best := math.Inf(1)
	for i, st := range ds.Stations {
		if d := geo.DistanceMeters(orb.Point{109, 34}, st.Location); st.Location != (orb.Point{}) && d < best {
			best, want = d, &ds.Stations[i]
		}
	}
	if near := extra.NearestStation; near == nil || want == nil || near.ID != want.ID || near.Phone != want.Phone || near.DistanceMeters != math.Round(best) {
		t.Errorf("nearest_station %+v, want %s at %.0f m", near, want.ID, best)
	}

	t.Run("no false swap hint", func(t *testing.T) {
		p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, lookupURL("34.15", "89", ""), ""), http.StatusNotFound)
		if strings.Contains(p.Detail, "swapped") {
			t.Errorf("detail %q suggests a swap that would not help", p.Detail)
		}
	})
	t.Run("gap", func(t *testing.T) {
		// Without community grid B, the east half of police grid A is
		// covered by no community grid: a gap inside the dataset's bounds.
		ds := apitest.Small()
		ds.Grids = slices.DeleteFunc(ds.Grids, func(g geo.Grid) bool { return g.ID == apitest.CommunityB })
		ds.Members[3].GridIDs = []string{apitest.CommunityA}
		gs := newTestServer(t, ds, Config{})
		p := expectProblem(t, serve(t, gs.Handler(), http.MethodGet, lookupURL(ftoa(apitest.InCommunityB[0]), ftoa(apitest.InCommunityB[1]), ""), ""), http.StatusNotFound)
		if !strings.Contains(p.Detail, "gap between grids") {
			t.Errorf("detail %q", p.Detail)
		}
	})
	t.Run("empty dataset", func(t *testing.T) {
		es := newTestServer(t, &geo.Dataset{Meta: geo.Meta{Name: "empty", Datum: "wgs84"}}, Config{})
		p := expectProblem(t, serve(t, es.Handler(), http.MethodGet, lookupURL("109.3", "34.15", ""), ""), http.StatusNotFound)
		if !strings.Contains(p.Detail, "has no grids") {
			t.Errorf("detail %q", p.Detail)
		}
	})
}

func TestLookupBeforeIndex(t *testing.T) {
	s := New(Config{RetryAfter: 3 * time.Second})
	rec := serve(t, s.Handler(), http.MethodGet, lookupURL("109.3", "34.15", ""), "")
	expectProblem(t, rec, http.StatusServiceUnavailable)
	if ra := rec.Header().Get("Retry-After"); ra != "3" {
		t.Errorf("Retry-After %q, want 3", ra)
	}
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/readyz", ""), http.StatusServiceUnavailable)
	if rec := serve(t, s.Handler(), http.MethodGet, "/healthz", ""); rec.Code != http.StatusOK {
		t.Errorf("/healthz before any index: %d, want 200", rec.Code)
	}
}
