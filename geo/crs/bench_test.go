package crs

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// benchPoints are fixed-seed points over Lantian County, cycled through so
// the compiler cannot hoist the work and every branch sees varied input.
var benchPoints = func() []orb.Point {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := make([]orb.Point, 1024)
	for i := range pts {
		pts[i] = lantian.point(rng)
	}
	return pts
}()

var benchSink orb.Point

// benchConvert runs fn over benchPoints, first mapped through prepare (to
// get input in fn's source system).
func benchConvert(b *testing.B, prepare, fn func(orb.Point) orb.Point) {
	pts := make([]orb.Point, len(benchPoints))
	for i, p := range benchPoints {
		pts[i] = prepare(p)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		benchSink = fn(pts[i&(len(pts)-1)])
		i++
	}
}

func identity(p orb.Point) orb.Point { return p }

// Each benchmark has the package function and, as "naive", the usual
// implementation: term-by-term sines and one-step inverses. The ratio between
// the two, measured in the same run, is the figure that matters.

func BenchmarkWGS84ToGCJ02(b *testing.B) {
	b.Run("crs", func(b *testing.B) { benchConvert(b, identity, WGS84ToGCJ02) })
	b.Run("naive", func(b *testing.B) { benchConvert(b, identity, naiveWGS84ToGCJ02) })
}

func BenchmarkGCJ02ToWGS84(b *testing.B) {
	b.Run("crs", func(b *testing.B) { benchConvert(b, WGS84ToGCJ02, GCJ02ToWGS84) })
	b.Run("naive-one-step", func(b *testing.B) { benchConvert(b, WGS84ToGCJ02, oneStepGCJ02ToWGS84) })
}

func BenchmarkBD09ToWGS84(b *testing.B) {
	b.Run("crs", func(b *testing.B) { benchConvert(b, WGS84ToBD09, BD09ToWGS84) })
	b.Run("naive-one-step", func(b *testing.B) {
		benchConvert(b, WGS84ToBD09, func(p orb.Point) orb.Point {
			return oneStepGCJ02ToWGS84(oneStepBD09ToGCJ02(p))
		})
	})
}

func BenchmarkConvert(b *testing.B) {
	b.Run("bd09-gcj02", func(b *testing.B) {
		benchConvert(b, WGS84ToBD09, func(p orb.Point) orb.Point { return Convert(p, BD09, GCJ02) })
	})
	b.Run("gcj02-bd09", func(b *testing.B) {
		benchConvert(b, WGS84ToGCJ02, func(p orb.Point) orb.Point { return Convert(p, GCJ02, BD09) })
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = Parse(" GCJ-02 ")
	}
}
