package postgis_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

// benchSeed fixes the benchmarks' random points.
const benchSeed = 20260101

// synthetic100k has 80,000 community grids in 20,000 police grids.
var synthetic100k = storetest.Partition{Cols: 400, Rows: 200, Stations: 15, Seed: 1}

// importForBench opens a store on a fresh schema and imports ds, logging
// how long the import took.
func importForBench(b *testing.B, ds *geo.Dataset) *postgis.Store {
	b.Helper()
	st := postgistest.MustOpen(b)
	start := time.Now()
	rep, err := st.Import(context.Background(), ds, data.ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("imported %d grids in %v", rep.Grids, time.Since(start).Round(time.Millisecond))
	return st
}

func randomPoints(bound orb.Bound, n int) []orb.Point {
	r := rand.New(rand.NewPCG(benchSeed, 0))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{bound.Min[0] + r.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + r.Float64()*(bound.Max[1]-bound.Min[1])}
	}
	return pts
}

// lookupSQL answers one point the way geo.Index does: the community grid
// holding it, else a police grid holding it.
const lookupSQL = `
select id from current_grids
where ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
order by level = 'community' desc
limit 1`

// batchLookupSQL answers many points in one round trip.
const batchLookupSQL = `
select (select g.id from current_grids g where ST_Covers(g.geom, ST_SetSRID(ST_MakePoint(x, y), 4326))
        order by g.level = 'community' desc limit 1)
from unnest($1::float8[], $2::float8[]) with ordinality as u(x, y, i) order by i`

// BenchmarkLookup compares a point lookup in the in-memory index (the
// baseline a server answers from) with asking PostGIS: one query per point,
// and one query per batch of 1,000 points.
func BenchmarkLookup(b *testing.B) {
	ds, err := lantianDatasetOrSkip(b)
	if err != nil {
		b.Fatal(err)
	}
	st := importForBench(b, ds)
	ix, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	pts := randomPoints(ds.County.Bound(), 1<<16)
	ctx := context.Background()
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ix.Lookup(pts[i&(len(pts)-1)])
			i++
		}
	})
	b.Run("postgis-query-per-point", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		var id *string
		for b.Loop() {
			p := pts[i&(len(pts)-1)]
			i++
			if err := st.Pool().QueryRow(ctx, lookupSQL, p[0], p[1]).Scan(&id); err != nil && err.Error() != "no rows in result set" {
				b.Fatal(err)
			}
		}
	})
	b.Run("postgis-batch-1000", func(b *testing.B) {
		b.ReportAllocs()
		xs, ys := make([]float64, 1000), make([]float64, 1000)
		for k := range xs {
			xs[k], ys[k] = pts[k][0], pts[k][1]
		}
		for b.Loop() {
			rows, err := st.Pool().Query(ctx, batchLookupSQL, xs, ys)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/point")
	})
}

// BenchmarkLoad measures what a server does at start and on every change:
// read the dataset from the store and build the index. The memory store
// is the baseline.
func BenchmarkLoad(b *testing.B) {
	postgistest.URL(b)
	sets := []struct {
		name string
		ds   func(testing.TB) *geo.Dataset
	}{
		{"lantian", func(tb testing.TB) *geo.Dataset { return lantianDataset(tb) }},
		{"synthetic-100000", func(testing.TB) *geo.Dataset { return storetest.Synthetic(synthetic100k) }},
	}
	ctx := context.Background()
	for _, set := range sets {
		ds := set.ds(b)
		mem, err := memory.New(ds)
		if err != nil {
			b.Fatal(err)
		}
		pg := importForBench(b, ds)
		for _, st := range []struct {
			name  string
			store data.Store
		}{{"memory", mem}, {"postgis", pg}} {
			b.Run(set.name+"/"+st.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					snap, err := st.store.Snapshot(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := geo.NewIndex(snap); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func lantianDatasetOrSkip(b *testing.B) (*geo.Dataset, error) {
	postgistest.URL(b)
	return lantianDataset(b), nil
}
