package tileclip

import (
	"flag"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
)

var seedFlag = flag.Uint64("tileclip.seed", 20260604, "seed of the random rings of the clipping tests")

// TestClipRingMatchesOrb clips random rings, closed and open, with both
// clipRing and orb's clip.Ring and wants identical points.
func TestClipRingMatchesOrb(t *testing.T) {
	seed := *seedFlag
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	box := orb.Bound{Min: orb.Point{-64, -64}, Max: orb.Point{4160, 4160}}
	var a, b []orb.Point
	for i := range 5000 {
		n := 3 + rng.IntN(40)
		r := make(orb.Ring, n)
		for k := range r {
			r[k] = orb.Point{float64(rng.IntN(9000) - 2400), float64(rng.IntN(9000) - 2400)}
		}
		if i%3 != 0 {
			r = append(r, r[0])
		}
		want := clip.Ring(box, slices.Clone(r))
		got := clipRing(box, r, &a, &b)
		if !slices.Equal(got, want) {
			t.Fatalf("ring %d: clipRing %v\nclip.Ring %v", i, got, want)
		}
	}
}
