package topo_test

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo/topo"
)

func TestValidatePolygon(t *testing.T) {
	sq := orb.Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}
	cases := []struct {
		name string
		p    orb.Polygon
		want string // "" for valid
	}{
		{"square", orb.Polygon{sq}, ""},
		{"square with hole", orb.Polygon{sq, {{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}}}, ""},
		{"bow tie", orb.Polygon{{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}}, "intersects itself"},
		{"spike back along itself", orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {4, 6}, {4, 4}, {0, 4}, {0, 0}}}, "intersects itself"},
		{"unclosed", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}, "not closed"},
		{"too short", orb.Polygon{{{0, 0}, {1, 0}, {0, 0}}}, "at least 4"},
		{"flat, folding back on itself", orb.Polygon{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}, "intersects itself"},
		{"hole outside", orb.Polygon{sq, {{5, 5}, {5, 6}, {6, 6}, {6, 5}, {5, 5}}}, "outside the exterior"},
		{"hole crossing exterior", orb.Polygon{sq, {{3, 1}, {3, 2}, {5, 2}, {5, 1}, {3, 1}}}, "intersect"},
		{"hole touching exterior", orb.Polygon{sq, {{0, 1}, {1, 2}, {1, 1}, {0, 1}}}, "intersect"},
		{"no rings", orb.Polygon{}, "no rings"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := topo.ValidatePolygon(c.p)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("valid polygon rejected: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestCrossingsAllowsJunctions(t *testing.T) {
	// Three arcs meeting at (1,1): allowed with endpoints, a crossing without.
	arcs := [][]orb.Point{{{0, 0}, {1, 1}}, {{1, 1}, {2, 0}}, {{1, 1}, {1, 3}}}
	if c := topo.Crossings(topo.LinesOf(arcs, false), true, 10); len(c) != 0 {
		t.Errorf("arcs meeting at a junction reported: %v", c)
	}
	if c := topo.Crossings(topo.LinesOf(arcs, false), false, 10); len(c) == 0 {
		t.Error("touching lines not reported when endpoints are not allowed")
	}
	crossing := [][]orb.Point{{{0, 0}, {2, 2}}, {{0, 2}, {2, 0}}}
	if c := topo.Crossings(topo.LinesOf(crossing, false), true, 10); len(c) != 1 {
		t.Errorf("crossing lines: %d reports, want 1", len(c))
	}
	overlap := [][]orb.Point{{{0, 0}, {2, 0}}, {{2, 0}, {1, 0}}}
	if c := topo.Crossings(topo.LinesOf(overlap, false), true, 10); len(c) != 1 {
		t.Errorf("collinear overlap at a shared endpoint: %d reports, want 1", len(c))
	}
}

func TestSignedArea(t *testing.T) {
	ccw := orb.Ring{{0, 0}, {2, 0}, {2, 1}, {0, 1}, {0, 0}}
	if a := topo.SignedArea(ccw); a != 2 {
		t.Errorf("ccw area = %v, want 2", a)
	}
	cw := orb.Ring{{0, 0}, {0, 1}, {2, 1}, {2, 0}, {0, 0}}
	if a := topo.SignedArea(cw); a != -2 {
		t.Errorf("cw area = %v, want -2", a)
	}
}
