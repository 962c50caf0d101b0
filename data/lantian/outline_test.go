package lantian

import (
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/geotest"
)

// hasVertex reports whether p is a vertex of g.
func hasVertex(g *geo.Grid, p orb.Point) bool {
	for _, poly := range g.Geometry {
		for _, ring := range poly {
			for _, q := range ring {
				if q == p {
					return true
				}
			}
		}
	}
	return false
}

// TestOutlinePointsHaveAGrid: every vertex and edge midpoint of the outline
// of the union of the grids, at both levels, gets a grid from the index,
// and it is a grid whose edge the point lies on: for a midpoint the grid
// that owns the edge, for a vertex one of the grids it is a vertex of.
func TestOutlinePointsHaveAGrid(t *testing.T) {
	ds, ix := mustLoad(t)
	for _, level := range []geo.Level{geo.CommunityLevel, geo.PoliceLevel} {
		t.Run(string(level), func(t *testing.T) {
			answer := func(h geo.Hit) *geo.Grid {
				if level == geo.CommunityLevel {
					return h.Community
				}
				return h.Police
			}
			outline := geotest.Outline(gridsOf(ds, level))
			var points, missed [2]int // vertices, midpoints
			wrong := 0
			for _, e := range outline {
				for k, p := range []orb.Point{e.A, e.Mid()} {
					points[k]++
					got := answer(ix.Lookup(p))
					switch {
					case got == nil:
						missed[k]++
						if missed[0]+missed[1] <= 5 {
							t.Errorf("outline point %.12f %.12f of grid %s: no grid", p[0], p[1], e.Grid.ID)
						}
					case (k == 0 && !hasVertex(got, p)) || (k == 1 && got != e.Grid):
						wrong++
						if wrong <= 5 {
							t.Errorf("outline point %.12f %.12f of grid %s: answered %s, whose edge it is not on", p[0], p[1], e.Grid.ID, got.ID)
						}
					}
				}
			}
			if points[0] == 0 {
				t.Fatal("the grids have no outline")
			}
			if missed[0]+missed[1] > 0 || wrong > 0 {
				t.Errorf("%d of %d outline vertices and %d of %d edge midpoints have no grid, %d a grid whose edge they are not on",
					missed[0], points[0], missed[1], points[1], wrong)
			}
			t.Logf("%d outline vertices and %d edge midpoints checked", points[0], points[1])
		})
	}
}
