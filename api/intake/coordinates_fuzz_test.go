package intake

import (
	"errors"
	"math"
	"testing"

	"jingge/data"
)

// FuzzParseCoordinates checks accepted coordinates are finite and in range
// and that every refusal names lon or lat.
func FuzzParseCoordinates(f *testing.F) {
	for _, seed := range [][2]string{{"109.3", "34.1"}, {"-180", "90"}, {"NaN", "1"}, {"1e999", "0"}, {"", ""}, {"34", "109"}, {"0x1p3", "1_0"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, lonText, latText string) {
		pt, err := ParseCoordinates(lonText, latText)
		if err != nil {
			var p *data.RequestError
			if !errors.As(err, &p) || !errors.Is(err, data.ErrInvalid) || len(p.Params) == 0 {
				t.Fatalf("%v", err)
			}
			for _, ip := range p.Params {
				if ip.Name != "lon" && ip.Name != "lat" {
					t.Fatalf("param %q", ip.Name)
				}
			}
			return
		}
		if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.Abs(pt[0]) > 180 || math.Abs(pt[1]) > 90 {
			t.Fatalf("(%q, %q) gave %v", lonText, latText, pt)
		}
	})
}
