package api

import (
	"encoding/json"
	"fmt"
	"io"
	"jingge/api/httpx"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/api/intake"
	"jingge/geo/crs"
)

// pos writes p as a JSON position.
func pos(p orb.Point) string { return fmt.Sprintf("[%v,%v]", p[0], p[1]) }

func pointFeature(id string, p orb.Point) string {
	idPart := ""
	if id != "" {
		idPart = `"id":` + id + `,`
	}
	return `{"type":"Feature",` + idPart + `"geometry":{"type":"Point","coordinates":` + pos(p) + `},"properties":{"note":"ignored"}}`
}

func TestLookupBatchShapes(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	type want struct {
		id        string // raw JSON, "" for none
		found     bool
		community string
		police    string
		station   string
	}
	a := want{found: true, community: apitest.CommunityA, police: apitest.PoliceA, station: apitest.StationA}
	b := want{found: true, community: apitest.CommunityB, police: apitest.PoliceA, station: apitest.StationA}
	p := want{found: true, police: apitest.PoliceB, station: apitest.StationB}
	out := want{}
	withID := func(w want, id string) want { w.id = id; return w }
	gcj := func(pt orb.Point) orb.Point { return crs.Convert(pt, crs.WGS84, crs.GCJ02) }
	tests := []struct {
		name   string
		target string
		body   string
		crs    string
		want   []want
	}{
		{"feature collection with ids", "/api/v1/lookup",
			`{"type":"FeatureCollection","features":[` + pointFeature(`"x1"`, apitest.InCommunity) + `,` + pointFeature(`42`, apitest.Outside) + `,` + pointFeature("", apitest.InPoliceOnly) + `]}`,
			"wgs84", []want{withID(a, `"x1"`), withID(out, `42`), p}},
		{"single feature", "/api/v1/lookup", pointFeature(`"only"`, apitest.InCommunityB), "wgs84", []want{withID(b, `"only"`)}},
		{"point geometry", "/api/v1/lookup", `{"type":"Point","coordinates":` + pos(apitest.InCommunity) + `}`, "wgs84", []want{a}},
		{"point with altitude", "/api/v1/lookup", `{"type":"Point","coordinates":[109.305, 34.15, 420.5]}`, "wgs84", []want{a}},
		{"multipoint", "/api/v1/lookup", `{"type":"MultiPoint","coordinates":[` + pos(apitest.InPoliceOnly) + `,` + pos(apitest.InCommunityB) + `]}`, "wgs84", []want{p, b}},
		{"compact gcj02 in body", "/api/v1/lookup", `{"crs":"gcj02","points":[` + pos(gcj(apitest.InCommunity)) + `,` + pos(gcj(apitest.InCommunityB)) + `]}`, "gcj02", []want{a, b}},
		{"compact gcj02 in query", "/api/v1/lookup?crs=GCJ-02", `{"points":[` + pos(gcj(apitest.InCommunity)) + `]}`, "gcj02", []want{a}},
		{"query and body agree", "/api/v1/lookup?crs=amap", `{"crs":"gcj02","points":[` + pos(gcj(apitest.InCommunity)) + `]}`, "gcj02", []want{a}},
		{"geojson with crs member", "/api/v1/lookup", `{"type":"MultiPoint","crs":"gcj02","coordinates":[` + pos(gcj(apitest.InCommunityB)) + `]}`, "gcj02", []want{b}},
		{"empty points", "/api/v1/lookup", `{"points":[]}`, "wgs84", nil},
		{"empty collection", "/api/v1/lookup", `{"type":"FeatureCollection","features":[]}`, "wgs84", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(t, s.Handler(), http.MethodPost, tc.target, tc.body)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			var resp BatchResponse
			decodeJSON(t, rec, &resp)
			if resp.CRS != tc.crs || resp.Datum != "wgs84" {
				t.Errorf("crs %q datum %q, want %q wgs84", resp.CRS, resp.Datum, tc.crs)
			}
			found := 0
			for _, w := range tc.want {
				if w.found {
					found++
				}
			}
			if resp.Count != len(tc.want) || len(resp.Results) != len(tc.want) || resp.Found != found || resp.NotFound != len(tc.want)-found {
				t.Fatalf("counts %d/%d/%d with %d results, want %d results, %d found", resp.Count, resp.Found, resp.NotFound, len(resp.Results), len(tc.want), found)
			}
			for i, w := range tc.want {
				r := resp.Results[i]
				got := want{id: string(r.ID), found: r.Found}
				if r.CommunityGrid != nil {
					got.community = r.CommunityGrid.ID
				}
				if r.PoliceGrid != nil {
					got.police = r.PoliceGrid.ID
				}
				if r.Station != nil {
					got.station = r.Station.ID
					if r.Station.Name == "" {
						t.Errorf("result %d: station without name", i)
					}
				}
				if r.Index != i || got != w {
					t.Errorf("result %d (index %d) = %+v, want %+v", i, r.Index, got, w)
				}
			}
		})
	}
}

func TestLookupBatchInvalid(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	tests := []struct {
		name    string
		target  string
		body    string
		param   string // first invalid_params name, "" for none
		contain string
	}{
		{"empty body", "/api/v1/lookup", "", "", "the request body is empty"},
		{"malformed json", "/api/v1/lookup", `{"points":[[109.3,34.1]`, "", "not valid JSON"},
		{"trailing garbage", "/api/v1/lookup", `{"points":[]} x`, "", "not valid JSON"},
		{"json array", "/api/v1/lookup", `[[109.3,34.1]]`, "", "must be a JSON object"},
		{"polygon", "/api/v1/lookup", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, "", `GeoJSON type "Polygon" cannot be looked up`},
		{"geometry collection", "/api/v1/lookup", `{"type":"GeometryCollection","geometries":[]}`, "", "GeometryCollection"},
		{"neither type nor points", "/api/v1/lookup", `{"pts":[[1,2]]}`, "", `neither a GeoJSON "type" nor "points"`},
		{"feature with polygon", "/api/v1/lookup", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]}}`, "geometry.type", "must be a Point"},
		{"feature without geometry", "/api/v1/lookup", `{"type":"Feature","geometry":null}`, "geometry", "needs a Point geometry"},
		{"collection member not a feature", "/api/v1/lookup", `{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[1,2]}]}`, "features[0].type", "must be a GeoJSON Feature"},
		{"collection with a line", "/api/v1/lookup", `{"type":"FeatureCollection","features":[` + pointFeature("1", apitest.InCommunity) + `,{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}]}`, "features[1].geometry.type", "must be a Point"},
		{"collection without features", "/api/v1/lookup", `{"type":"FeatureCollection"}`, "features", "needs a features array"},
		{"points not an array", "/api/v1/lookup", `{"points":"109.3,34.1"}`, "points", "wrong kind of value"},
		{"position with a string", "/api/v1/lookup", `{"points":[[109.3,34.1],["109.3",34.1]]}`, "points[1]", "must hold numbers"},
		{"position with null", "/api/v1/lookup", `{"points":[[null,34.1]]}`, "points[0]", "must hold numbers"},
		{"position too short", "/api/v1/lookup", `{"points":[[109.3]]}`, "points[0]", "must have 2 numbers"},
		{"position too long", "/api/v1/lookup", `{"points":[[1,2,3,4]]}`, "points[0]", "must have 2 numbers"},
		{"position not an array", "/api/v1/lookup", `{"points":[{"lon":1,"lat":2}]}`, "points[0]", "must be a position"},
		{"lat out of range", "/api/v1/lookup", `{"type":"MultiPoint","coordinates":[[109.3,34.1],[109.3,95]]}`, "coordinates[1]", "latitude must be between -90 and 90, got 95"},
		{"swapped", "/api/v1/lookup", `{"type":"Point","coordinates":[34.1,109.3]}`, "coordinates", "swapped"},
		{"lon overflow", "/api/v1/lookup", `{"points":[[1e999,34]]}`, "points[0]", "longitude must be between"},
		{"unknown body crs", "/api/v1/lookup", `{"crs":"web-mercator","points":[]}`, "crs", "gcj02"},
		{"crs object", "/api/v1/lookup", `{"type":"Point","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"coordinates":[1,2]}`, "crs", "must be a string"},
		{"unknown query crs", "/api/v1/lookup?crs=xyz", `{"points":[]}`, "crs", "xyz"},
		{"crs disagree", "/api/v1/lookup?crs=wgs84", `{"crs":"bd09","points":[]}`, "crs", "wgs84 in the query but bd09 in the body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := expectProblem(t, serve(t, s.Handler(), http.MethodPost, tc.target, tc.body), http.StatusBadRequest)
			if !strings.Contains(p.Detail, tc.contain) {
				t.Errorf("detail %q lacks %q", p.Detail, tc.contain)
			}
			got := ""
			if len(p.InvalidParams) > 0 {
				got = p.InvalidParams[0].Name
			}
			if got != tc.param {
				t.Errorf("first invalid param %q, want %q (%+v)", got, tc.param, p.InvalidParams)
			}
		})
	}
	t.Run("many bad points are capped", func(t *testing.T) {
		body := `{"points":[` + strings.TrimSuffix(strings.Repeat(`[999,0],`, 50), ",") + `]}`
		p := expectProblem(t, serve(t, s.Handler(), http.MethodPost, "/api/v1/lookup", body), http.StatusBadRequest)
		if len(p.InvalidParams) != intake.MaxReported || !strings.HasPrefix(p.Detail, "50 of 50 points are invalid") {
			t.Errorf("%d params, detail %q", len(p.InvalidParams), p.Detail)
		}
	})
}

func TestLookupBatchLimits(t *testing.T) {
	s := newTestServer(t, nil, Config{MaxBatchPoints: 3, MaxBodyBytes: 1024})
	points := func(n int) string {
		return strings.TrimSuffix(strings.Repeat(pos(apitest.InCommunity)+",", n), ",")
	}
	ok := serve(t, s.Handler(), http.MethodPost, "/api/v1/lookup", `{"points":[`+points(3)+`]}`)
	if ok.Code != http.StatusOK {
		t.Fatalf("3 points with a limit of 3: %d %s", ok.Code, ok.Body.String())
	}
	tooMany := []struct{ name, body string }{
		{"compact", `{"points":[` + points(4) + `]}`},
		{"multipoint", `{"type":"MultiPoint","coordinates":[` + points(4) + `]}`},
		{"feature collection", `{"type":"FeatureCollection","features":[` + strings.TrimSuffix(strings.Repeat(pointFeature("", apitest.InCommunity)+",", 4), ",") + `]}`},
	}
	for _, tc := range tooMany {
		t.Run("batch "+tc.name, func(t *testing.T) {
			p := expectProblem(t, serve(t, s.Handler(), http.MethodPost, "/api/v1/lookup", tc.body), http.StatusRequestEntityTooLarge)
			if p.Type != httpx.ProblemType("batch-too-large") || !strings.Contains(p.Detail, "holds 4 points, more than the limit of 3") {
				t.Errorf("problem %+v", p)
			}
		})
	}
	big := `{"points":[` + points(100) + `]}`
	t.Run("body with length", func(t *testing.T) {
		p := expectProblem(t, serve(t, s.Handler(), http.MethodPost, "/api/v1/lookup", big), http.StatusRequestEntityTooLarge)
		if p.Type != httpx.ProblemType("body-too-large") || !strings.Contains(p.Detail, "1 KiB") {
			t.Errorf("problem %+v", p)
		}
	})
	t.Run("chunked body", func(t *testing.T) {
		// No Content-Length: the limit must bite while reading.
		req := httptest.NewRequest(http.MethodPost, "/api/v1/lookup", io.MultiReader(strings.NewReader(big)))
		req.ContentLength = -1
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		p := expectProblem(t, rec, http.StatusRequestEntityTooLarge)
		if p.Type != httpx.ProblemType("body-too-large") {
			t.Errorf("problem %+v", p)
		}
	})
}

// TestLookupBatchMatchesSingle checks a batch answers each point exactly
// as the single lookup does, on a denser dataset and random points.
func TestLookupBatchMatchesSingle(t *testing.T) {
	ds := apitest.Checkerboard(8)
	s := newTestServer(t, ds, Config{})
	ix := mustIndex(t, ds)
	pts := randomPoints(t, 500, orb.Bound{Min: orb.Point{108.99, 33.99}, Max: orb.Point{109.09, 34.09}})
	var b strings.Builder
	b.WriteString(`{"points":[`)
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(pos(p))
	}
	b.WriteString(`]}`)
	rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/lookup", b.String())
	var resp BatchResponse
	decodeJSON(t, rec, &resp)
	if len(resp.Results) != len(pts) {
		t.Fatalf("%d results for %d points", len(resp.Results), len(pts))
	}
	for i, p := range pts {
		hit := ix.Lookup(p)
		r := resp.Results[i]
		if r.Found != hit.Found() || hit.Community != nil && (r.CommunityGrid == nil || r.CommunityGrid.ID != hit.Community.ID) {
			raw, _ := json.Marshal(r)
			t.Fatalf("point %d %v: batch %s, index %+v", i, p, raw, hit)
		}
	}
}

// TestLookupBatchStrict checks what the batch body no longer lets slip:
// a member no shape has, a member given twice, an empty ?crs=, and a
// body sent as text/plain.
func TestLookupBatchStrict(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	p := pos(apitest.InCommunity)
	for _, tc := range []struct {
		name, target, contentType, body string
		status                          int
		param                           string
	}{
		{"unknown member", "/api/v1/lookup", "application/json", `{"points":[` + p + `],"point":[1,2]}`, 400, "point"},
		{"unknown feature member", "/api/v1/lookup", "application/json", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":` + p + `},"geom":1}]}`, 400, "geom"},
		{"member twice", "/api/v1/lookup", "application/json", `{"crs":"wgs84","points":[` + p + `],"crs":"gcj02"}`, 400, "crs"},
		{"nested member twice", "/api/v1/lookup", "application/json", `{"type":"Feature","geometry":{"type":"Point","coordinates":` + p + `,"coordinates":[0,0]}}`, 400, "geometry.coordinates"},
		{"empty query crs", "/api/v1/lookup?crs=", "application/json", `{"points":[` + p + `]}`, 400, "crs"},
		{"text/plain", "/api/v1/lookup", "text/plain", `{"points":[` + p + `]}`, 415, ""},
		{"curl -d's default type", "/api/v1/lookup", "application/x-www-form-urlencoded", `{"points":[` + p + `]}`, 200, ""},
		{"no type", "/api/v1/lookup", "", `{"points":[` + p + `]}`, 200, ""},
		{"geo+json", "/api/v1/lookup", "application/geo+json", `{"type":"Point","coordinates":` + p + `,"bbox":[0,0,1,1]}`, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tc.target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if tc.status == 200 {
				if rec.Code != 200 {
					t.Fatalf("%d %s", rec.Code, rec.Body)
				}
				return
			}
			pr := expectProblem(t, rec, tc.status)
			if tc.param != "" && (len(pr.InvalidParams) == 0 || pr.InvalidParams[0].Name != tc.param) {
				t.Errorf("invalid params %+v, want %q", pr.InvalidParams, tc.param)
			}
			if tc.status == 415 && !strings.Contains(pr.Detail, "application/json") {
				t.Errorf("detail %q names no accepted type", pr.Detail)
			}
		})
	}
}
