package patrol_test

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data/lantian"
	"jingge/geo"
	"jingge/geo/patrol"
)

// lantianPings returns n pings spread over the Lantian grids' bounds, from
// a fixed seed, and the index.
func lantianPings(b *testing.B, n int) (*geo.Index, []geo.Ping) {
	b.Helper()
	ds, err := lantian.Load()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	bound := ds.Grids[0].Geometry.Bound()
	for _, g := range ds.Grids {
		bound = bound.Union(g.Geometry.Bound())
	}
	rng := rand.New(rand.NewPCG(42, 42))
	pings := make([]geo.Ping, n)
	t0 := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	for i := range pings {
		pings[i] = geo.Ping{
			OfficerID: fmt.Sprintf("M%05d", 1+i%211), At: t0.Add(time.Duration(i) * time.Second),
			Location: orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])},
		}
	}
	return ix, pings
}

// linearAttribute is the baseline: every grid's bounding box, then its
// prepared polygon, in turn, as code without a spatial index would.
func linearAttribute(grids []geo.Grid, prepared []*geo.Prepared, pings []geo.Ping) {
	for i := range pings {
		pings[i].GridID = ""
		for g := range grids {
			if grids[g].Level == geo.CommunityLevel && prepared[g].Bound().Contains(pings[i].Location) && prepared[g].Contains(pings[i].Location) {
				pings[i].GridID = grids[g].ID
				break
			}
		}
	}
}

// BenchmarkAttribute attributes batches of pings to their community grids
// on the Lantian dataset: with the index, and by a linear scan over the
// grids. Run on one core:
//
//	go test ./geo/patrol -run '^$' -bench Attribute -cpu 1
func BenchmarkAttribute(b *testing.B) {
	const batch = 4096
	ix, pings := lantianPings(b, batch)
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			patrol.Attribute(ix, pings)
		}
		reportRates(b, batch, cpu)
	})
	b.Run("linear-scan", func(b *testing.B) {
		grids := ix.Dataset().Grids
		prepared := make([]*geo.Prepared, len(grids))
		for i := range grids {
			prepared[i] = geo.Prepare(grids[i].Geometry)
		}
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			linearAttribute(grids, prepared, pings)
		}
		reportRates(b, batch, cpu)
	})
}

// BenchmarkStep runs the geofence rules over officers' pings in time
// order, as a store does inside its transaction: with the default fenced
// special areas of Lantian (its protection zone and works sites), and with
// none, which is the work of the rules before areas raised events.
func BenchmarkStep(b *testing.B) {
	const batch = 4096
	ix, pings := lantianPings(b, batch)
	patrol.Attribute(ix, pings)
	for _, c := range []struct {
		name  string
		kinds []geo.AreaKind
	}{{"fenced-areas", nil}, {"no-fences", []geo.AreaKind{}}} {
		b.Run(c.name, func(b *testing.B) {
			rules := patrol.NewRules(ix, patrol.Options{SilentAfter: 10 * time.Minute, FenceKinds: c.kinds})
			states := map[string]patrol.State{}
			var events []patrol.Event
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				clear(states)
				for _, p := range pings {
					st := states[p.OfficerID]
					st, events, _ = rules.Step(st, p, events[:0])
					states[p.OfficerID] = st
				}
			}
			reportRates(b, batch, cpu)
		})
	}
}

// cpuTime is the CPU time the process has used. On a machine busy with
// other work a benchmark's wall time stretches while its CPU time does not,
// so pings per CPU-second is the figure to compare across runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRates reports pings per second of wall time and per CPU-second
// since cpu0, for b.N operations of perOp pings.
func reportRates(b *testing.B, perOp int, cpu0 time.Duration) {
	pings := float64(b.N) * float64(perOp)
	b.ReportMetric(pings/b.Elapsed().Seconds(), "pings/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(pings/cpu.Seconds(), "pings/cpu-s")
	}
	b.ReportMetric(0, "ns/op")
}
