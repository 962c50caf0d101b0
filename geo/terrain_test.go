package geo_test

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/geotest"
)

// TestGridTerrain checks the order in which a grid's terrain is found: its
// own, else (for a community grid) its police grid's own, else its
// station's region; and that a lookup's Hit answers the same.
func TestGridTerrain(t *testing.T) {
	const police, community, sibling = "P0000000001", "C0000100002", "C0000100003"
	cases := []struct {
		name                  string
		police, community     geo.Terrain
		wantPolice, wantChild geo.Terrain
	}{
		{"none recorded", "", "", geo.Plain, geo.Plain},
		{"police grid's own", geo.Mountain, "", geo.Mountain, geo.Mountain},
		{"community grid's own", "", geo.Hill, geo.Plain, geo.Hill},
		{"both", geo.Mountain, geo.Plateau, geo.Mountain, geo.Plateau},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := geotest.Lattice(4, 2, 0.01, 4) // one station, on the plain
			for i := range ds.Grids {
				switch ds.Grids[i].ID {
				case police:
					ds.Grids[i].Terrain = c.police
				case community:
					ds.Grids[i].Terrain = c.community
				}
			}
			ix, err := geo.NewIndex(ds)
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range map[string]geo.Terrain{police: c.wantPolice, community: c.wantChild, sibling: c.wantPolice} {
				g, ok := ix.Grid(id)
				if !ok {
					t.Fatalf("no grid %s in the lattice", id)
				}
				if got := ix.GridTerrain(g); got != want {
					t.Errorf("GridTerrain(%s) = %q, want %q", id, got, want)
				}
			}
			h := ix.Lookup(orb.Point{100.015, 20.025})
			if h.Community == nil || h.Community.ID != community {
				t.Fatalf("the lookup hit %+v, want community grid %s", h.Community, community)
			}
			if got := h.Terrain(); got != c.wantChild {
				t.Errorf("Hit.Terrain() = %q, want %q", got, c.wantChild)
			}
		})
	}
	if got := (geo.Hit{}).Terrain(); got != "" {
		t.Errorf("the terrain of no grid is %q, want empty", got)
	}
}

func TestNewIndexNamesGridWithUnknownTerrain(t *testing.T) {
	ds := geotest.Lattice(2, 0, 0.01, 6)
	ds.Grids[1].Terrain = "desert"
	_, err := geo.NewIndex(ds)
	if err == nil || !strings.Contains(err.Error(), ds.Grids[1].ID) || !strings.Contains(err.Error(), `"desert"`) {
		t.Errorf("err = %v, want one naming grid %s and its terrain", err, ds.Grids[1].ID)
	}
}
