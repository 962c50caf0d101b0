package tiles

import (
	"bytes"
	"context"
	"fmt"
	"jingge/internal/golden"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
)

// goldenTiles hold the county seat (文姬路派出所) at three zooms, and a
// mountain tile in the south-east.
var goldenTiles = []struct {
	ll orb.Point
	z  int
}{
	{orb.Point{109.3069, 34.1494}, 8},
	{orb.Point{109.3069, 34.1494}, 12},
	{orb.Point{109.3069, 34.1494}, 15},
	{orb.Point{109.6, 33.95}, 13},
}

// TestGoldenTiles compares encoded tiles of the bundled dataset with
// testdata/z-x-y.mvt byte for byte; -update rewrites them. A change here
// is a change in what every client draws: look at the decoded summary the
// failure prints before updating.
func TestGoldenTiles(t *testing.T) {
	src := NewSource(lantianIndex(t), Options{})
	for _, g := range goldenTiles {
		tile := tileAt(g.ll, g.z)
		name := fmt.Sprintf("%d-%d-%d.mvt", tile.Z, tile.X, tile.Y)
		t.Run(name, func(t *testing.T) {
			got, err := src.Tile(context.Background(), tile)
			if err != nil || got == nil {
				t.Fatalf("Tile = %d bytes, %v", len(got), err)
			}
			want := golden.Recorded(t, filepath.Join("testdata", name), got)
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden tile (%d bytes, want %d): now %s, was %s",
					name, len(got), len(want), summarize(got), summarize(want))
			}
		})
	}
}

// summarize names the layers of an encoded tile and counts their features.
func summarize(raw []byte) string {
	ls, err := mvt.Unmarshal(raw)
	if err != nil {
		return err.Error()
	}
	out := ""
	for _, l := range ls {
		out += fmt.Sprintf("%s:%d ", l.Name, len(l.Features))
	}
	return out
}
