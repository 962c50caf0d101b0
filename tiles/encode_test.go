package tiles

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

// TestEncoderMatchesOrb checks the direct encoder writes, for every index
// layer, the very bytes mvt.Marshal writes for the same features, on all
// tiles over the county up to zoom 12 and a random sample deeper.
func TestEncoderMatchesOrb(t *testing.T) {
	seed := *seedFlag
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 6))
	src := NewSource(lantianIndex(t), Options{})
	compared := 0
	for z := 0; z <= 16; z++ {
		all := coverTiles(t, src, z)
		if len(all) > 80 {
			rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
			all = all[:80]
		}
		for _, tile := range all {
			for _, l := range src.layers {
				ml, err := l.Render(context.Background(), tile)
				if err != nil {
					t.Fatal(err)
				}
				got := l.appendTile(nil, tile)
				if ml == nil {
					if got != nil {
						t.Errorf("%s %s: direct encoder wrote %d bytes for an empty layer", l.info.ID, Path(tile), len(got))
					}
					continue
				}
				want, err := mvt.Marshal(mvt.Layers{ml})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s %s: direct encoding (%d bytes) differs from mvt.Marshal (%d bytes)", l.info.ID, Path(tile), len(got), len(want))
				}
				compared++
			}
		}
	}
	t.Logf("%d layer tiles identical", compared)
}

// TestEncoderValueTypes checks every value type the encoder knows against
// mvt.Marshal, and the text fallback for other types.
func TestEncoderValueTypes(t *testing.T) {
	ml := &mvt.Layer{Name: "x", Version: 2, Extent: 4096, Features: []*geojson.Feature{
		{Geometry: orbPoint(10, 20), Properties: geojson.Properties{"s": "文字", "u": uint64(300), "i": -7, "d": 2.5, "b": true, "f": false}},
		{Geometry: orbPoint(30, 40), Properties: geojson.Properties{"s": "文字", "u": uint64(1)}},
	}}
	e := &layerEncoder{keyAt: map[string]uint32{}, valAt: map[value]uint32{}}
	for _, f := range ml.Features {
		e.feature(propsOf(f.Properties), f.Geometry)
	}
	got := e.appendLayer(nil, "x", 4096)
	want, err := mvt.Marshal(mvt.Layers{ml})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("direct %x\norb    %x", got, want)
	}
	other := struct{ A int }{1}
	if p := propsOf(geojson.Properties{"other": other}); p[0].val.s != fmt.Sprint(other) {
		t.Errorf("fallback %v", p)
	}
}
