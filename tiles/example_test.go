package tiles_test

import (
	"context"
	"fmt"

	"github.com/paulmach/orb/encoding/mvt"

	"jingge/geo"
	"jingge/geo/geotest"
	"jingge/tiles"
)

// A Source renders tiles of an index; neighbours in a tile share every
// border vertex.
func ExampleSource_Tile() {
	ix, err := geo.NewIndex(geotest.Lattice(4, 2, 0.01, 1))
	if err != nil {
		panic(err)
	}
	src := tiles.NewSource(ix, tiles.Options{})
	t, err := tiles.ParsePath("10/796/453.mvt")
	if err != nil {
		panic(err)
	}
	raw, err := src.Tile(context.Background(), t, tiles.LayerPoliceGrids, tiles.LayerCommunityGrids)
	if err != nil {
		panic(err)
	}
	layers, _ := mvt.Unmarshal(raw)
	for _, l := range layers {
		fmt.Println(l.Name, len(l.Features))
	}
	// Output:
	// police_grids 4
	// community_grids 16
}

// ParseTile names the part of a bad address in its error.
func ExampleParseTile() {
	_, err := tiles.ParseTile("3", "8", "0", "mvt")
	fmt.Println(err)
	// Output: tiles: invalid tile: column x must be a whole number from 0 to 7 at zoom 3, got "8"
}
