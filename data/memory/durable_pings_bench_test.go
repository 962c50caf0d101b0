package memory_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/patrol"
)

// BenchmarkDurablePings records batches of 100 pings from 16 writers at
// once, each batch moving its officers to another grid so that it makes
// events: into a data directory (each batch acknowledged once its record
// is synced, the writers sharing syncs) and, as the baseline, into
// Patrols in memory only. The keyed cases send each batch under an
// idempotency key of its own, as gateways do: the store keeps the key
// (and, in a data directory, its record's sequence, which a retry waits
// for).
func BenchmarkDurablePings(b *testing.B) {
	ds := storetest.Small()
	ix, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	rules := patrol.NewRules(ix, patrol.Options{})
	for _, c := range []struct {
		name string
		open func(b *testing.B) data.PatrolStore
	}{
		{"memory", func(*testing.B) data.PatrolStore { return memory.NewPatrols(memory.PatrolOptions{}) }},
		{"datadir", func(b *testing.B) data.PatrolStore {
			d, err := memory.OpenDir(b.TempDir(), memory.DirOptions{Seed: seedWith(ds)})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { d.Close() })
			return d.Patrols
		}},
	} {
		for _, keyed := range []bool{false, true} {
			name := c.name
			if keyed {
				name += "-keyed"
			}
			b.Run(name, func(b *testing.B) { benchmarkPings(b, c.open(b), ds, ix, rules, keyed) })
		}
	}
}

// benchmarkPings records the batches of BenchmarkDurablePings into st,
// each under a key of its own when keyed.
func benchmarkPings(b *testing.B, st data.PatrolStore, ds *geo.Dataset, ix *geo.Index, rules *patrol.Rules, keyed bool) {
	var writers atomic.Int64
	t0 := time.Now().Add(-time.Hour)
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := writers.Add(1)
		var at [2]geo.Ping // a ping in each of two grids
		for k := range at {
			at[k] = geo.Ping{Location: ds.Grids[k].Geometry.Bound().Center(), SpeedMPS: 1}
			at[k].GridID = patrol.GridAt(ix, at[k].Location)
		}
		officers := make([]string, 100)
		for i := range officers {
			officers[i] = fmt.Sprintf("w%d-%d", w, i)
		}
		for n := 0; pb.Next(); n++ {
			batch := make([]geo.Ping, len(officers)) // the store keeps it
			for i := range batch {
				batch[i] = at[n%2]
				batch[i].OfficerID, batch[i].At = officers[i], t0.Add(time.Duration(n)*time.Second)
			}
			req := data.PingBatch{Pings: batch, Rules: rules}
			if keyed {
				req.Scope, req.Key = "gateway", fmt.Sprintf("w%d-%d", w, n)
			}
			if _, err := st.RecordPings(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
