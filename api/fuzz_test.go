package api

import (
	"math"
	"testing"
)

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
