package intake

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestParseBBox(t *testing.T) {
	b, bad := ParseBBox("109.2, 34.1,109.4,34.3")
	if bad != nil || b != (orb.Bound{Min: orb.Point{109.2, 34.1}, Max: orb.Point{109.4, 34.3}}) {
		t.Fatalf("ParseBBox = %v, %v", b, bad)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"three values", "1,2,3", "four comma-separated numbers"},
		{"not a number", "1,x,3,4", "minLat must be a number"},
		{"overflow", "1e999,2,3,4", "minLon must be a finite number"},
		{"out of range", "1,2,3,95", "maxLat must be between -90 and 90"},
		{"across the antimeridian", "170,2,-170,4", "must not exceed its maxLon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, bad := ParseBBox(tc.text)
			if bad == nil || bad.Name != "bbox" || !strings.Contains(bad.Reason, tc.want) {
				t.Errorf("ParseBBox(%q) refusal %+v, want bbox saying %q", tc.text, bad, tc.want)
			}
		})
	}
}
