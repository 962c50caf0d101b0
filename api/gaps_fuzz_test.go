package api

import (
	"errors"
	"jingge/api/httpx"
	"math"
	"testing"
)

// Fuzz targets for the parsers of the incident, grid-edit and assessment
// routes that had none: each must refuse bad input with a 400-class
// problem (or a validation error) and never panic or accept nonsense.

// FuzzGridEdit checks the body of PUT /api/v1/grids/{id}: refused with a
// problem, or decoded to a finite geometry (or none: attributes only).
func FuzzGridEdit(f *testing.F) {
	for _, s := range []string{
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[109.3,34.1],[109.4,34.1],[109.4,34.2],[109.3,34.1]]]},"properties":{"name":"x"},"base_version":1}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}`, `{}`, ``, `[]`, `{"type":"Feature","geometry":null}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, mp, err := decodeGridEdit([]byte(body))
		if err != nil {
			var p *httpx.Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %v is not a problem", err)
			}
			return
		}
		// A missing or null geometry is an edit of attributes only.
		for _, poly := range mp {
			for _, ring := range poly {
				for _, pt := range ring {
					if math.IsNaN(pt[0]) || math.IsInf(pt[0], 0) || math.IsNaN(pt[1]) || math.IsInf(pt[1], 0) {
						t.Fatalf("%q gave a non-finite point", body)
					}
				}
			}
		}
	})
}
