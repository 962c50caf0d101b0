package tiles

import (
	"bytes"
	"testing"

	"github.com/paulmach/orb/maptile"

	"jingge/data/lantian"
	"jingge/geo"
)

// TestOverlaysLeaveGridLayersAlone: areas overlap grids, yet the layers
// drawn from the grids are byte for byte those of the same dataset
// without areas and places, at every zoom a tile is simplified for; the
// areas and places layers carry their features without liaisons.
func TestOverlaysLeaveGridLayersAlone(t *testing.T) {
	with, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	without, _ := lantian.Load()
	without.Areas, without.Places = nil, nil
	ixWith, _ := geo.NewIndex(with)
	ixWithout, _ := geo.NewIndex(without)
	a, b := NewSource(ixWith, Options{}), NewSource(ixWithout, Options{})
	zone, _ := ixWith.Area("water-lijiahe")
	c := zone.Geometry.Bound().Center()
	for _, z := range []maptile.Zoom{8, 11, 14} {
		tile := maptile.At(c, z)
		for _, name := range []string{LayerRegions, LayerCounty, LayerTownships, LayerStations, LayerPoliceGrids, LayerCommunityGrids} {
			la, _ := a.Layer(name)
			lb, _ := b.Layer(name)
			if !bytes.Equal(la.(*indexLayer).appendTile(nil, tile), lb.(*indexLayer).appendTile(nil, tile)) {
				t.Errorf("z%d: the %s layer changes when the dataset has areas", z, name)
			}
		}
		areas := decodeTile(t, a, tile)[LayerAreas]
		if areas == nil || len(areas.Features) == 0 {
			t.Fatalf("z%d: the tile over the water-protection zone has no areas", z)
		}
		found := false
		for _, f := range areas.Features {
			if f.Properties["id"] == "water-lijiahe" {
				found = true
				if f.Properties["kind_zh"] != "饮用水源保护区" || f.Properties["station"] != "lijiahe" {
					t.Errorf("z%d: the zone's properties are %v", z, f.Properties)
				}
			}
			for k := range f.Properties {
				if k == "liaison" || k == "liaison_phone" || k == "phone" {
					t.Errorf("z%d: area %v carries %s", z, f.Properties["id"], k)
				}
			}
		}
		if !found {
			t.Errorf("z%d: the water-protection zone is not in its tile", z)
		}
	}
}
