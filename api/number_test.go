package api

import (
	"fmt"
	"math"
	"net/http"
	"testing"

	"jingge/api/apitest"
	"jingge/data"
)

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		text string
		want float64
		ok   bool
	}{
		{"109.3", 109.3, true}, {"-0.5", -0.5, true}, {"+2", 2, true}, {".5", 0.5, true}, {"5.", 5, true},
		{"1e3", 1000, true}, {"2.5E-4", 2.5e-4, true}, {"0", 0, true},
		{"1_09.3", 0, false}, {"0x1p3", 0, false}, {"0X10", 0, false}, {"1e", 0, false}, {".", 0, false},
		{"", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1,5", 0, false}, {"--1", 0, false}, {"1e+", 0, false},
	} {
		got, err := data.ParseDecimal(tc.text)
		if (err == nil) != tc.ok || tc.ok && got != tc.want {
			t.Errorf("data.ParseDecimal(%q) = %v, %v; want %v, ok %v", tc.text, got, err, tc.want, tc.ok)
		}
	}
	// Inf and NaN are passed on for the caller to call them not finite.
	if v, err := data.ParseDecimal("NaN"); err != nil || !math.IsNaN(v) {
		t.Errorf("NaN: %v, %v", v, err)
	}
}

// TestStrictNumberParams checks the number query parameters refuse what
// strconv.ParseFloat would read silently: 1_09.3 as 109.3, 0x1p3 as 8.
func TestStrictNumberParams(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	lat := "34.15"
	for _, tc := range []struct{ target, param string }{
		{"/api/v1/lookup?lon=1_09.3&lat=" + lat, "lon"},
		{"/api/v1/lookup?lon=0x1p3&lat=" + lat, "lon"},
		{"/api/v1/lookup?lon=109.3&lat=3_4.15", "lat"},
		{"/api/v1/grids?bbox=1_09.3,34.1,109.4,34.2", "bbox"},
		{"/api/v1/grids?bbox=109.3,0x1p5,109.4,34.2", "bbox"},
		{"/api/v1/incidents?near=109.3,34.15&radius_m=5_00", "radius_m"},
		{"/api/v1/incidents?near=0x1p3,34.15&radius_m=500", "near"},
		{"/api/v1/dispatch/nearest-station?lon=0x6dp0&lat=" + lat, "lon"},
	} {
		pr := expectProblem(t, serve(t, s.Handler(), http.MethodGet, tc.target, ""), http.StatusBadRequest)
		if len(pr.InvalidParams) == 0 || pr.InvalidParams[0].Name != tc.param {
			t.Errorf("%s: invalid params %+v, want %q", tc.target, pr.InvalidParams, tc.param)
		}
	}
	// The ordinary forms still work.
	for _, target := range []string{
		fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", apitest.InCommunity[0], apitest.InCommunity[1]),
		"/api/v1/grids?bbox=109.2,34.1,1.094e2,34.2",
	} {
		if rec := serve(t, s.Handler(), http.MethodGet, target, ""); rec.Code != http.StatusOK {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
}
