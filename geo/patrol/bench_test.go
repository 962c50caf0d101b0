package patrol_test

import (
	"fmt"
	"math/rand/v2"
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
		for b.Loop() {
			patrol.Attribute(ix, pings)
		}
		b.ReportMetric(float64(b.N)*batch/b.Elapsed().Seconds(), "pings/s")
		b.ReportMetric(0, "ns/op")
	})
	b.Run("linear-scan", func(b *testing.B) {
		grids := ix.Dataset().Grids
		prepared := make([]*geo.Prepared, len(grids))
		for i := range grids {
			prepared[i] = geo.Prepare(grids[i].Geometry)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			linearAttribute(grids, prepared, pings)
		}
		b.ReportMetric(float64(b.N)*batch/b.Elapsed().Seconds(), "pings/s")
		b.ReportMetric(0, "ns/op")
	})
}

// BenchmarkStep runs the geofence rules over officers' pings in time
// order, as a store does inside its transaction.
func BenchmarkStep(b *testing.B) {
	const batch = 4096
	ix, pings := lantianPings(b, batch)
	patrol.Attribute(ix, pings)
	rules := patrol.NewRules(ix, patrol.Options{SilentAfter: 10 * time.Minute})
	states := map[string]patrol.State{}
	var events []patrol.Event
	b.ReportAllocs()
	for b.Loop() {
		clear(states)
		for _, p := range pings {
			st := states[p.OfficerID]
			st, events, _ = rules.Step(st, p, events[:0])
			states[p.OfficerID] = st
		}
	}
	b.ReportMetric(float64(b.N)*batch/b.Elapsed().Seconds(), "pings/s")
	b.ReportMetric(0, "ns/op")
}
