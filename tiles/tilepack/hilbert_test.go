package tilepack

import "testing"

// TestTileIDKnown checks ids the PMTiles specification's implementations
// agree on: zoom 0 and 1 in curve order, the first tile of zoom 2, and a
// deep tile.
func TestTileIDKnown(t *testing.T) {
	for _, c := range []struct {
		z    uint8
		x, y uint32
		want uint64
	}{
		{0, 0, 0, 0}, {1, 0, 0, 1}, {1, 0, 1, 2}, {1, 1, 1, 3}, {1, 1, 0, 4}, {2, 0, 0, 5},
		{12, 3423, 1763, 19078479},
	} {
		if got := TileID(c.z, c.x, c.y); got != c.want {
			t.Errorf("TileID(%d, %d, %d) = %d, want %d", c.z, c.x, c.y, got, c.want)
		}
	}
}

// TestTileIDHilbert checks the curve's defining properties to zoom 7:
// each zoom's ids are exactly the range after the lower zooms', and tiles
// with consecutive ids are edge neighbours.
func TestTileIDHilbert(t *testing.T) {
	var first uint64
	for z := uint8(0); z <= 7; z++ {
		n := uint32(1) << z
		at := make(map[uint64][2]uint32, n*n)
		for x := range n {
			for y := range n {
				id := TileID(z, x, y)
				if id < first || id >= first+uint64(n)*uint64(n) {
					t.Fatalf("TileID(%d, %d, %d) = %d, outside zoom %d's range from %d", z, x, y, id, z, first)
				}
				if prev, dup := at[id]; dup {
					t.Fatalf("zoom %d: tiles %v and %d/%d share id %d", z, prev, x, y, id)
				}
				at[id] = [2]uint32{x, y}
			}
		}
		for id := first + 1; id < first+uint64(n)*uint64(n); id++ {
			a, b := at[id-1], at[id]
			dx, dy := int(a[0])-int(b[0]), int(a[1])-int(b[1])
			if dx*dx+dy*dy != 1 {
				t.Fatalf("zoom %d: ids %d and %d are tiles %v and %v, not neighbours", z, id-1, id, a, b)
			}
		}
		first += uint64(n) * uint64(n)
	}
}
