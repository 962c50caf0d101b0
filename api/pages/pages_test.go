package pages

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestParseBasemap(t *testing.T) {
	tests := []struct {
		name, templates string
		want            int // templates parsed; -1 for an error
	}{
		{"none", "", 0},
		{"blank", "   ", 0},
		{"one", "http://10.0.0.5/tiles/{z}/{x}/{y}.png", 1},
		{"two hosts", "https://a.example/{z}/{x}/{y} https://b.example/{z}/{x}/{y}", 2},
		{"no y", "https://a.example/{z}/{x}.png", -1},
		{"relative", "/tiles/{z}/{x}/{y}.png", -1},
		{"other scheme", "ftp://a.example/{z}/{x}/{y}", -1},
		{"one bad of two", "https://a.example/{z}/{x}/{y} a.example/{z}/{x}/{y}", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ParseBasemap(tc.templates, "")
			switch {
			case tc.want < 0 && err == nil:
				t.Errorf("no error, basemap %+v", b)
			case tc.want >= 0 && err != nil:
				t.Errorf("error %v", err)
			case tc.want == 0 && b != nil:
				t.Errorf("basemap %+v, want none", b)
			case tc.want > 0 && (b == nil || len(b.Tiles) != tc.want):
				t.Errorf("basemap %+v, want %d templates", b, tc.want)
			}
		})
	}
}

func TestLabelPoint(t *testing.T) {
	tests := []struct {
		name string
		area orb.MultiPolygon
	}{
		{"square", orb.MultiPolygon{{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}}},
		// A U: its centroid lies in the gap between the arms.
		{"u shape", orb.MultiPolygon{{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}}},
		// A square with a hole where its centroid is.
		{"ring", orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}}}},
		{"largest part wins", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}, {{{5, 5}, {9, 5}, {9, 9}, {5, 9}, {5, 5}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt, ok := labelPoint(tc.area)
			if !ok {
				t.Fatal("no point")
			}
			inside := false
			for _, p := range tc.area {
				if planar.PolygonContains(p, pt) {
					inside = true
				}
			}
			if !inside {
				t.Errorf("label point %v is outside", pt)
			}
			if tc.name == "largest part wins" && pt[0] < 5 {
				t.Errorf("label point %v is in the small part", pt)
			}
		})
	}
	if _, ok := labelPoint(nil); ok {
		t.Error("a point for no area")
	}
}
