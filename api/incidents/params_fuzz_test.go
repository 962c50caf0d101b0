package incidents

import (
	"math"
	"testing"
	"time"

	"jingge/api/intake"
)

// FuzzIncidentFilterParams checks the time, polygon and radius filters of
// GET /api/v1/incidents: an accepted polygon is closed and finite, an
// accepted circle has a finite centre and a positive radius.
func FuzzIncidentFilterParams(f *testing.F) {
	for _, s := range [][3]string{
		{"2026-01-01", "109.3,34.14,109.34,34.14,109.32,34.16", "109.31,34.15"},
		{"2026-01-01T08:00:00+08:00", "1,2,3", "NaN,1"}, {"x", "", ""}, {"2026-02-30", "1,1,1,1,1,1,1,1", "0,0"},
	} {
		f.Add(s[0], s[1], s[2], "3000")
	}
	f.Fuzz(func(t *testing.T, timeText, polygonText, nearText, radiusText string) {
		if _, bad := intake.ParseWindowTime("from", timeText, intake.WindowStart, time.UTC); bad != nil && bad.Name != "from" {
			t.Fatalf("time %q: bad param %q", timeText, bad.Name)
		}
		if p, bad := parsePolygon(polygonText); bad == nil {
			if len(p) == 0 || len(p[0]) < 4 || p[0][0] != p[0][len(p[0])-1] {
				t.Fatalf("polygon %q gave %v", polygonText, p)
			}
			for _, pt := range p[0] {
				if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || math.IsInf(pt[0], 0) || math.IsInf(pt[1], 0) {
					t.Fatalf("polygon %q gave %v", polygonText, p)
				}
			}
		}
		if c, bad := parseNear(nearText, radiusText); bad == nil {
			if math.IsNaN(c.RadiusMeters) || c.RadiusMeters <= 0 || math.IsInf(c.RadiusMeters, 0) || math.IsNaN(c.Center[0]) || math.IsNaN(c.Center[1]) {
				t.Fatalf("near %q radius %q gave %+v", nearText, radiusText, c)
			}
		}
	})
}
