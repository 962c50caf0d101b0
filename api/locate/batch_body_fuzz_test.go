package locate

import (
	"errors"
	"math"
	"testing"

	"jingge/data"
)

// FuzzParseBatch checks the batch parser never panics, accepts only
// finite in-range points within the count limit, and refuses everything
// else with a refusal the API answers 400 or 413.
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
	f.Fuzz(func(t *testing.T, body, queryCRS string) {
		from, points, err := ParseBatch([]byte(body), queryCRS, queryCRS != "", 5)
		if err != nil {
			// The API answers ErrInvalid 400 and ErrTooMany 413.
			var re *data.RequestError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a refusal", err)
			}
			if !errors.Is(err, data.ErrInvalid) && !errors.Is(err, ErrTooMany) {
				t.Fatalf("refusal of kind %v for %q", re.Kind, body)
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
