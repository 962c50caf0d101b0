package api

import (
	"encoding/json"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/ogc"
	"jingge/data"
)

// ogcPage is an items page as a client reads it.
type ogcPage struct {
	Type     string `json:"type"`
	Features []struct {
		ID         string          `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	} `json:"features"`
	Links          []httpx.Link `json:"links"`
	NumberMatched  int          `json:"numberMatched"`
	NumberReturned int          `json:"numberReturned"`
}

func (p ogcPage) link(rel string) string {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func getOGC(t *testing.T, s *Server, target string, v any) *http.Response {
	t.Helper()
	rec := serve(t, s.Handler(), http.MethodGet, target, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body.String())
	}
	decodeJSON(t, rec, v)
	return rec.Result()
}

// ogcIDs follows the next links from target and returns every feature id
// in order, checking numberMatched and numberReturned on each page.
func ogcIDs(t *testing.T, s *Server, target string) []string {
	t.Helper()
	var ids []string
	matched := -1
	for pages := 0; target != ""; pages++ {
		if pages > 100 {
			t.Fatalf("more than 100 pages from %s", target)
		}
		var p ogcPage
		getOGC(t, s, target, &p)
		if p.NumberReturned != len(p.Features) {
			t.Errorf("%s: numberReturned %d, %d features", target, p.NumberReturned, len(p.Features))
		}
		if matched >= 0 && p.NumberMatched != matched {
			t.Errorf("%s: numberMatched %d, the first page said %d", target, p.NumberMatched, matched)
		}
		matched = p.NumberMatched
		for _, f := range p.Features {
			ids = append(ids, f.ID)
		}
		target = p.link("next")
	}
	if len(ids) != matched {
		t.Errorf("numberMatched %d, the pages held %d features", matched, len(ids))
	}
	return ids
}

func restIDs(t *testing.T, s *Server, target string) []string {
	t.Helper()
	var fc struct {
		Features []struct {
			ID string `json:"id"`
		} `json:"features"`
	}
	getOGC(t, s, target, &fc)
	var ids []string
	for _, f := range fc.Features {
		ids = append(ids, f.ID)
	}
	return ids
}

func TestOGCLandingConformanceCollections(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	var landing ogc.Landing
	res := getOGC(t, s, "/ogc", &landing)
	if ct := res.Header.Get("Content-Type"); ct != httpx.ContentTypeJSON {
		t.Errorf("landing Content-Type %q", ct)
	}
	rels := map[string]string{}
	for _, l := range landing.Links {
		rels[l.Rel] = l.Href
	}
	for _, rel := range []string{"self", "service-desc", "conformance", "data"} {
		if !strings.HasPrefix(rels[rel], "http://example.com/") {
			t.Errorf("landing link %s = %q, want an absolute URL", rel, rels[rel])
		}
	}
	var conf ogc.Conformance
	getOGC(t, s, "/ogc/conformance", &conf)
	for _, c := range []string{ogc.ConfCore, ogc.ConfGeoJSON} {
		if !slices.Contains(conf.ConformsTo, c) {
			t.Errorf("conformance lacks %s", c)
		}
	}
	var colls ogc.Collections
	getOGC(t, s, "/ogc/collections", &colls)
	var ids []string
	for _, c := range colls.Collections {
		ids = append(ids, c.ID)
		if len(c.Extent.Spatial.BBox) != 1 || c.Extent.Spatial.BBox[0][0] != 109.30 || c.Extent.Spatial.CRS != ogc.CRS84 {
			t.Errorf("%s: extent %+v, want the grids' bounds in CRS84", c.ID, c.Extent.Spatial)
		}
	}
	want := []string{ogc.CommunityGrids, ogc.PoliceGrids, ogc.Stations, ogc.Regions, ogc.Townships, ogc.Incidents}
	if !slices.Equal(ids, want) {
		t.Errorf("collections %v, want %v", ids, want)
	}
	var one ogc.Collection
	getOGC(t, s, "/ogc/collections/incidents", &one)
	if one.ID != ogc.Incidents || one.Extent.Temporal == nil {
		t.Errorf("incidents collection %+v", one)
	}
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/ogc/collections/nope", ""), http.StatusNotFound)
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/ogc/collections/nope/items", ""), http.StatusNotFound)
}

// TestOGCItemsEqualREST reads every index collection through OGC, a page
// at a time, and compares the features with the REST answer for the same
// box.
func TestOGCItemsEqualREST(t *testing.T) {
	s := newTestServer(t, apitest.Checkerboard(6), Config{})
	for _, bbox := range []string{"", "109.015,34.015,109.035,34.025", "108,33,108.5,33.5"} {
		q := ""
		if bbox != "" {
			q = "&bbox=" + bbox
		}
		for _, c := range []struct{ ogc, rest string }{
			{ogc.CommunityGrids, "/api/v1/grids?level=community" + q},
			{ogc.PoliceGrids, "/api/v1/grids?level=police" + q},
		} {
			got := ogcIDs(t, s, "/ogc/collections/"+c.ogc+"/items?limit=4"+q)
			want := restIDs(t, s, c.rest)
			if !slices.Equal(got, want) {
				t.Errorf("%s bbox %q: OGC %v, REST %v", c.ogc, bbox, got, want)
			}
		}
	}
	all := ogcIDs(t, s, "/ogc/collections/stations/items?limit=2")
	if want := restIDs(t, s, "/api/v1/stations"); !slices.Equal(all, want) {
		t.Errorf("stations: OGC %v, REST %v", all, want)
	}
	// One item equals its feature in the list.
	var item ogc.Feature
	grids := ogcIDs(t, s, "/ogc/collections/community_grids/items")
	res := getOGC(t, s, "/ogc/collections/community_grids/items/"+grids[0], &item)
	if item.ID != grids[0] || item.Geometry == nil {
		t.Errorf("item %+v", item.Feature)
	}
	if res.Header.Get("Content-Type") != httpx.ContentTypeGeoJSON {
		t.Errorf("item Content-Type %q", res.Header.Get("Content-Type"))
	}
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/ogc/collections/community_grids/items/nope", ""), http.StatusNotFound)
	// f=json answers the same page as application/json.
	rec := serve(t, s.Handler(), http.MethodGet, "/ogc/collections/police_grids/items?f=json", "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != httpx.ContentTypeJSON {
		t.Errorf("f=json: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestOGCAreas(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	for _, c := range []struct {
		target string
		want   []string
	}{
		{"/ogc/collections/townships/items", []string{"610122001", "610122101"}},
		{"/ogc/collections/townships/items?bbox=109.33,34.15,109.335,34.155", []string{"610122101"}},
		{"/ogc/collections/regions/items?bbox=109.301,34.141,109.309,34.159", []string{"plain"}},
	} {
		var p ogcPage
		getOGC(t, s, c.target, &p)
		var ids []string
		for _, f := range p.Features {
			ids = append(ids, f.ID)
			if string(f.Geometry) == "null" {
				t.Errorf("%s: %s has no geometry", c.target, f.ID)
			}
		}
		if !slices.Equal(ids, c.want) {
			t.Errorf("%s: %v, want %v", c.target, ids, c.want)
		}
	}
	var tw ogc.Feature
	getOGC(t, s, "/ogc/collections/townships/items/610122001", &tw)
	g, _ := json.Marshal(tw.Geometry)
	if !strings.Contains(string(g), `"Polygon"`) || !strings.Contains(string(g), "109.3") {
		t.Errorf("township geometry %s", g)
	}
}

func TestOGCGridsAsTheyWere(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	var before, now ogcPage
	getOGC(t, s, "/ogc/collections/police_grids/items?datetime=2000-01-01T00:00:00Z", &before)
	getOGC(t, s, "/ogc/collections/police_grids/items?datetime="+url.QueryEscape(time.Now().Add(time.Minute).Format(time.RFC3339)), &now)
	if before.NumberMatched != 0 || now.NumberMatched != 2 {
		t.Errorf("police grids in 2000: %d, now: %d; want 0 and 2", before.NumberMatched, now.NumberMatched)
	}
}

func TestOGCIncidentsEqualREST(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	seedIncidents(t, s, 30)
	from := time.Now().Add(-10*time.Hour - 30*time.Minute).Format(time.RFC3339)
	for _, c := range []struct{ ogc, rest string }{
		{"", ""},
		{"category=traffic,fire", "category=traffic,fire"},
		{"station=" + apitest.StationB, "station=" + apitest.StationB},
		{"bbox=109.30,34.14,109.31,34.16", "bbox=109.30,34.14,109.31,34.16"},
		{"datetime=" + url.QueryEscape(from) + "/..", "from=" + url.QueryEscape(from)},
		{"status=closed", "status=closed"},
	} {
		got := ogcIDs(t, s, "/ogc/collections/incidents/items?limit=7&"+c.ogc)
		want := restIDs(t, s, "/api/v1/incidents?limit=1000&"+c.rest)
		if !slices.Equal(got, want) {
			t.Errorf("%q: OGC %v, REST %v", c.ogc, got, want)
		}
	}
}

// TestOGCIncidentSeverity selects incidents by severity, which the REST
// list has no parameter for.
func TestOGCIncidentSeverity(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	seedIncidents(t, s, 5) // severity 3, the default
	at := time.Now().Add(-time.Hour).Format(time.RFC3339)
	body := fmt.Sprintf(`{"incidents":[{"occurred_at":%q,"category":"fire","severity":5,"location":%s},{"occurred_at":%q,"category":"fire","severity":1,"location":%s}]}`,
		at, pos(apitest.InCommunity), at, pos(apitest.InPoliceOnly))
	rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/incidents", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("seeding: %d %s", rec.Code, rec.Body.String())
	}
	for target, want := range map[string]int{"severity=5": 1, "severity=1,5": 2, "severity=3": 5, "severity=2": 0, "": 7} {
		if got := len(ogcIDs(t, s, "/ogc/collections/incidents/items?"+target)); got != want {
			t.Errorf("%s: %d incidents, want %d", target, got, want)
		}
	}
	p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/ogc/collections/incidents/items?severity=6", ""), http.StatusBadRequest)
	if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "severity" {
		t.Errorf("severity=6: %+v", p.InvalidParams)
	}
}

func TestOGCRefusals(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	for _, c := range []struct{ target, param, says string }{
		{"/ogc/collections/incidents/items?filter=severity%3E3", "filter", "CQL2"},
		{"/ogc/collections/police_grids/items?filter-lang=cql2-text", "filter-lang", "CQL2"},
		{"/ogc/collections/stations/items?crs=x", "crs", "CRS84"},
		{"/ogc/collections/stations/items?limit=0", "limit", "at least 1"},
		{"/ogc/collections/stations/items?offset=-1", "offset", "at least 0"},
		{"/ogc/collections/stations/items?datetime=2026-01-01", "datetime", "has no time"},
		{"/ogc/collections/police_grids/items?datetime=2026-01-01/..", "datetime", "not an interval"},
		{"/ogc/collections/incidents/items?datetime=yesterday", "datetime", "interval"},
		{"/ogc/collections/incidents/items?datetime=2026-02-01/2026-01-01", "datetime", "ends before"},
		{"/ogc/collections/regions/items?station=wenjilu", "station", "no station property"},
		{"/ogc/collections/stations/items?station=nowhere", "station", "id of a station"},
		{"/ogc/collections?f=html", "f", "no HTML"},
	} {
		p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, c.target, ""), http.StatusBadRequest)
		if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param || !strings.Contains(p.InvalidParams[0].Reason, c.says) {
			t.Errorf("%s: invalid_params %+v, want %s saying %q", c.target, p.InvalidParams, c.param, c.says)
		}
	}
	// An offset past the end is an empty page, however large.
	var past ogcPage
	getOGC(t, s, "/ogc/collections/community_grids/items?offset=9223372036854775807&limit=10000", &past)
	if past.NumberReturned != 0 || past.NumberMatched != 2 || past.link("next") != "" {
		t.Errorf("offset past the end: %+v", past)
	}
	// A limit above the maximum is served as the maximum.
	var p ogcPage
	getOGC(t, s, "/ogc/collections/community_grids/items?limit=1000000", &p)
	if p.NumberReturned != 2 {
		t.Errorf("limit above the maximum: %d features", p.NumberReturned)
	}
}

// TestOGCRolesAndMasking checks the OGC face admits whom the REST API
// admits: an officer sees no incidents collection and is refused its
// items; a viewer reads incidents with phone numbers masked, an admin in
// full.
func TestOGCRolesAndMasking(t *testing.T) {
	f := newRoleFixture(t)
	body := fmt.Sprintf(`{"occurred_at":%q,"category":"traffic","location":%s,"summary":"报警人13812341234"}`, time.Now().Add(-time.Hour).Format(time.RFC3339), pos(apitest.InCommunity))
	if rec := f.sendBody(t, http.MethodPost, "/api/v1/incidents", data.RoleAdmin, body); rec.Code != http.StatusCreated {
		t.Fatalf("seeding: %d %s", rec.Code, rec.Body.String())
	}
	collections := func(role data.Role) []string {
		rec := f.send(t, http.MethodGet, "/ogc/collections", role)
		var c ogc.Collections
		decodeJSON(t, rec, &c)
		var ids []string
		for _, x := range c.Collections {
			ids = append(ids, x.ID)
		}
		return ids
	}
	if ids := collections(data.RoleOfficer); slices.Contains(ids, ogc.Incidents) {
		t.Errorf("an officer is shown %v", ids)
	}
	if ids := collections(data.RoleViewer); !slices.Contains(ids, ogc.Incidents) {
		t.Errorf("a viewer is shown %v", ids)
	}
	if rec := f.send(t, http.MethodGet, "/ogc/collections/incidents/items", data.RoleOfficer); rec.Code != http.StatusForbidden {
		t.Errorf("officer reading incidents: %d", rec.Code)
	}
	summary := func(role data.Role) string {
		rec := f.send(t, http.MethodGet, "/ogc/collections/incidents/items", role)
		var p ogcPage
		decodeJSON(t, rec, &p)
		if len(p.Features) != 1 {
			t.Fatalf("%s: %d %s", role, rec.Code, rec.Body.String())
		}
		return p.Features[0].Properties["summary"].(string)
	}
	if got := summary(data.RoleViewer); got != "报警人138****1234" {
		t.Errorf("viewer reads %q", got)
	}
	if got := summary(data.RoleAdmin); got != "报警人13812341234" {
		t.Errorf("admin reads %q", got)
	}
	if rec := f.send(t, http.MethodGet, "/ogc", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous landing page: %d", rec.Code)
	}
}
