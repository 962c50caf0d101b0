package crs

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

var seedFlag = flag.Uint64("seed", 0, "random seed for property tests (0 picks one from the clock)")

// newRand returns a generator seeded from -seed or the clock, and logs the
// seed so a failure can be replayed with go test -seed N.
func newRand(tb testing.TB) *rand.Rand {
	tb.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	tb.Logf("seed %d (rerun with -seed %d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed))
}

// region is a lon/lat rectangle to draw points from.
type region struct{ minLon, maxLon, minLat, maxLat float64 }

var (
	// lantian is Lantian County, Shaanxi, the service's home ground.
	lantian = region{109.0, 109.8, 33.8, 34.35}
	// china is OutOfChina's rectangle shrunk by 0.02 degrees, more than the
	// largest shift, so that no conversion carries a point across its edge.
	china = region{chinaMinLon + 0.02, chinaMaxLon - 0.02, chinaMinLat + 0.02, chinaMaxLat - 0.02}
)

func (r region) point(rng *rand.Rand) orb.Point {
	return orb.Point{
		r.minLon + rng.Float64()*(r.maxLon-r.minLon),
		r.minLat + rng.Float64()*(r.maxLat-r.minLat),
	}
}

func TestRoundTrip(t *testing.T) {
	const n = 20000
	const tol = 1e-8 // degrees; the package promises 1e-9 and achieves ~1e-12
	rng := newRand(t)
	for _, area := range []struct {
		name string
		r    region
	}{{"lantian", lantian}, {"china", china}} {
		for _, pair := range [][2]CRS{{WGS84, GCJ02}, {GCJ02, BD09}, {WGS84, BD09}} {
			from, to := pair[0], pair[1]
			t.Run(area.name+"/"+string(from)+"-"+string(to), func(t *testing.T) {
				for range n {
					p := area.r.point(rng)
					there := Convert(p, from, to)
					back := Convert(there, to, from)
					if !near(back, p, tol) {
						t.Fatalf("%v → %v → %v, off by more than %g", p, there, back, tol)
					}
					// And starting from the other side.
					back = Convert(Convert(p, to, from), from, to)
					if !near(back, p, tol) {
						t.Fatalf("%v via %s returned %v, off by more than %g", p, from, back, tol)
					}
				}
			})
		}
	}
}

// TestConvertMatchesComposition checks that the two-hop conversions agree
// with going through GCJ-02 by hand, and that Convert dispatches as named.
func TestConvertMatchesComposition(t *testing.T) {
	rng := newRand(t)
	for range 1000 {
		p := china.point(rng)
		if got, want := Convert(p, WGS84, BD09), GCJ02ToBD09(WGS84ToGCJ02(p)); got != want {
			t.Fatalf("Convert(%v, wgs84, bd09) = %v, want %v", p, got, want)
		}
		if got, want := Convert(p, BD09, WGS84), GCJ02ToWGS84(BD09ToGCJ02(p)); got != want {
			t.Fatalf("Convert(%v, bd09, wgs84) = %v, want %v", p, got, want)
		}
		if got, want := Convert(p, GCJ02, WGS84), GCJ02ToWGS84(p); got != want {
			t.Fatalf("Convert(%v, gcj02, wgs84) = %v, want %v", p, got, want)
		}
		if got, want := Convert(p, BD09, GCJ02), BD09ToGCJ02(p); got != want {
			t.Fatalf("Convert(%v, bd09, gcj02) = %v, want %v", p, got, want)
		}
	}
}

// TestShiftMatchesFormula checks gcjShift's angle-sum rewrite against the
// formula evaluated term by term, over and well beyond China.
func TestShiftMatchesFormula(t *testing.T) {
	rng := newRand(t)
	wide := region{60, 150, -10, 70}
	for range 100000 {
		p := wide.point(rng)
		gotLon, gotLat := gcjShift(p[0], p[1])
		wantLon, wantLat := naiveShift(p[0], p[1])
		if !near(orb.Point{gotLon, gotLat}, orb.Point{wantLon, wantLat}, 1e-14) {
			t.Fatalf("shift at %v = (%g, %g), formula gives (%g, %g)", p, gotLon, gotLat, wantLon, wantLat)
		}
	}
}

// TestOneStepInverseErrorBounds backs the tolerances in reference_test.go and
// the figures in the doc comments: the common one-step inverses are off by
// up to 6.1e-5 degrees (GCJ-02) and 2.1e-6 degrees (BD-09) inside China,
// while the iterated ones are exact to 1e-9.
func TestOneStepInverseErrorBounds(t *testing.T) {
	rng := newRand(t)
	var worstGCJ, worstBD float64
	for range 100000 {
		p := china.point(rng)
		worstGCJ = math.Max(worstGCJ, dist(oneStepGCJ02ToWGS84(WGS84ToGCJ02(p)), p))
		worstBD = math.Max(worstBD, dist(oneStepBD09ToGCJ02(GCJ02ToBD09(p)), p))
	}
	t.Logf("worst one-step error: GCJ-02 %.3g, BD-09 %.3g degrees", worstGCJ, worstBD)
	if worstGCJ > 6.5e-5 {
		t.Errorf("one-step GCJ-02 inverse off by %g, beyond the documented 6.1e-5", worstGCJ)
	}
	if worstBD > 2.2e-6 {
		t.Errorf("one-step BD-09 inverse off by %g, beyond the documented 2.1e-6", worstBD)
	}
}

// TestRoundTripAtEdge pins the documented exception: right at the rectangle's
// edge the shift can carry a point out of China, where GCJ-02 does not apply,
// so the round trip cannot come back.
func TestRoundTripAtEdge(t *testing.T) {
	// At latitude 30 on the eastern edge the shift is over 0.001 degrees
	// eastward, so this point leaves the rectangle.
	p := orb.Point{chinaMaxLon - 0.001, 30}
	g := WGS84ToGCJ02(p)
	if !OutOfChina(g) {
		t.Fatalf("WGS84ToGCJ02(%v) = %v, expected it to leave the rectangle", p, g)
	}
	if got := GCJ02ToWGS84(g); got != g {
		t.Errorf("GCJ02ToWGS84(%v) = %v; a point outside the rectangle must come back unchanged", g, got)
	}
}

// dist is the larger of the coordinate differences, in degrees.
func dist(a, b orb.Point) float64 {
	return math.Max(math.Abs(a[0]-b[0]), math.Abs(a[1]-b[1]))
}

// near reports whether a and b differ by at most tol in each coordinate.
func near(a, b orb.Point, tol float64) bool { return dist(a, b) <= tol }
