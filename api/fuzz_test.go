package api

import (
	"errors"
	"jingge/api/httpx"
	"math"
	"net/http"
	"testing"
)

// FuzzParseBatch checks the batch parser never panics, accepts only
// finite in-range points within the count limit, and refuses everything
// else with a 400 or 413 problem.
func FuzzParseBatch(f *testing.F) {
	for _, seed := range []string{
		`{"points":[[109.3,34.1],[1,2,3]]}`,
		`{"crs":"gcj02","points":[]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[1,2]}}]}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}`,
		`{"type":"Point","coordinates":[-180,90]}`,
		`{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}`,
		`{"points":[[1e999,0],[null,1],["1",2],[[1,2]]]}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add(seed, "")
		f.Add(seed, "bd09")
	}
	s := New(Config{MaxBatchPoints: 5})
	f.Fuzz(func(t *testing.T, body, queryCRS string) {
		from, points, err := s.parseBatch([]byte(body), queryCRS, queryCRS != "")
		if err != nil {
			var p *httpx.Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %v is not a problem", err)
			}
			pr, _ := httpx.ProblemOf(err)
			if pr.Status != http.StatusBadRequest && pr.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d for %q", pr.Status, body)
			}
			return
		}
		if !from.Valid() || len(points) > 5 {
			t.Fatalf("crs %q, %d points", from, len(points))
		}
		for _, p := range points {
			lon, lat := p.pos.Point[0], p.pos.Point[1]
			if p.pos.Err != "" || math.IsNaN(lon) || math.IsNaN(lat) || math.Abs(lon) > 180 || math.Abs(lat) > 90 {
				t.Fatalf("accepted %+v from %q", p, body)
			}
		}
	})
}

// FuzzParseBBox checks an accepted bbox is finite, in range and ordered.
func FuzzParseBBox(f *testing.F) {
	for _, seed := range []string{"1,2,3,4", "109.3,34.1,109.4,34.2", "-180,-90,180,90", "3,2,1,4", "a,b,c,d", "NaN,1,2,3", "1,2,3", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		b, bad := parseBBox(text)
		if bad != nil {
			if bad.Name != "bbox" || bad.Reason == "" {
				t.Fatalf("%+v", bad)
			}
			return
		}
		for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q gave %v", text, b)
			}
		}
		if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] || math.Abs(b.Min[0]) > 180 || math.Abs(b.Max[1]) > 90 {
			t.Fatalf("%q gave %v", text, b)
		}
	})
}
