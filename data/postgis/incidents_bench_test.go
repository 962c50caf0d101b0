package postgis_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis"
	"jingge/data/storetest"
	"jingge/geo"
)

// incidentBenchGrids is the partition the incident benchmarks place their
// incidents in: 1,600 community grids over about 37 × 36 km.
var incidentBenchGrids = storetest.Partition{Cols: 40, Rows: 40, Stations: 15, Seed: 3}

// incidentBenchEnd ends the year of benchmark incidents.
var incidentBenchEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// benchIncidents returns n incidents spread uniformly over the partition
// and the year before incidentBenchEnd, attributed with ix, from a fixed
// seed.
func benchIncidents(ix *geo.Index, n int, seed uint64) []geo.Incident {
	r := rand.New(rand.NewPCG(seed, benchSeed))
	b := incidentBenchGrids.Bound()
	out := make([]geo.Incident, n)
	for i := range out {
		at := incidentBenchEnd.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Second)
		p := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		h := ix.Lookup(p)
		out[i] = geo.Incident{
			OccurredAt: at, ReportedAt: at.Add(time.Duration(r.IntN(1800)) * time.Second),
			Category: geo.Categories[r.IntN(len(geo.Categories))], Severity: 1 + r.IntN(5), Status: geo.Closed,
			Location: p, Source: "110", Summary: "基准测试警情",
			CommunityGridID: h.Community.ID, PoliceGridID: h.Police.ID, StationID: h.Station.ID,
		}
	}
	return out
}

// loadIncidents stores incs through st, batch at a time, and returns how
// long it took.
func loadIncidents(b *testing.B, st data.IncidentStore, incs []geo.Incident, batch int) time.Duration {
	b.Helper()
	start := time.Now()
	for i := 0; i < len(incs); i += batch {
		if _, err := st.AddIncidents(context.Background(), data.IncidentBatch{Incidents: incs[i:min(i+batch, len(incs))]}); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// plainQuerySQL is the hand-written query BenchmarkIncidentQuery compares
// the store with: the same filter, order and limit, scanned into plain
// values.
const plainQuerySQL = `
select id, occurred_at, reported_at, category, severity, status, cleared, ST_X(location), ST_Y(location),
       coalesce(community_grid_id, ''), coalesce(police_grid_id, ''), coalesce(station_id, ''), source, summary
from incidents
where occurred_at >= $1 and occurred_at < $2 and location && ST_MakeEnvelope($3, $4, $5, $6, 4326)
order by occurred_at desc, id desc
limit $7`

// BenchmarkIncidentQuery asks for the newest 100 incidents of a week in a
// box of about a ninth of the area (as the map's list does) over a year
// of 1,000,000 incidents: through the PostGIS store, with the same query
// written by hand in SQL (the baseline), and, for scale, from the
// embedded store holding the same incidents.
func BenchmarkIncidentQuery(b *testing.B) {
	const n = 1_000_000
	ds := storetest.Synthetic(incidentBenchGrids)
	ix, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	st := importForBench(b, ds)
	incs := benchIncidents(ix, n, 1)
	// Incidents arrive roughly in the order they happen, so the table's
	// rows lie in time order, as they do in service.
	slices.SortFunc(incs, func(a, b geo.Incident) int { return a.OccurredAt.Compare(b.OccurredAt) })
	took := loadIncidents(b, st, incs, 50_000)
	b.Logf("loaded %d incidents through the store (COPY, 50,000 a batch) in %v", n, took.Round(time.Millisecond))
	if _, err := st.Pool().Exec(context.Background(), "analyze incidents"); err != nil {
		b.Fatal(err)
	}
	mem, err := memory.New(ds)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := mem.AddIncidents(context.Background(), data.IncidentBatch{Incidents: incs}); err != nil {
		b.Fatal(err)
	}
	bb := incidentBenchGrids.Bound()
	w, h := bb.Max[0]-bb.Min[0], bb.Max[1]-bb.Min[1]
	box := orb.Bound{Min: orb.Point{bb.Min[0] + w/3, bb.Min[1] + h/3}, Max: orb.Point{bb.Min[0] + 2*w/3, bb.Min[1] + 2*h/3}}
	// Weeks spread over the year, one per iteration in turn, so no
	// iteration is served from a page the previous one warmed.
	weeks := make([]time.Time, 50)
	for i := range weeks {
		weeks[i] = incidentBenchEnd.AddDate(0, 0, -7*(i+1))
	}
	const limit = 100
	filter := func(i int) data.IncidentFilter {
		return data.IncidentFilter{From: weeks[i%len(weeks)], To: weeks[i%len(weeks)].AddDate(0, 0, 7), Bound: &box}
	}
	check := func(b *testing.B, got int) {
		if got != limit {
			b.Fatalf("%d incidents, want a full page of %d", got, limit)
		}
	}
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			page, err := st.QueryIncidents(context.Background(), filter(i), data.Page{Limit: limit})
			if err != nil {
				b.Fatal(err)
			}
			check(b, len(page.Incidents))
		}
	})
	b.Run("plain-sql", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			f := filter(i)
			rows, err := st.Pool().Query(context.Background(), plainQuerySQL, f.From, f.To, box.Min[0], box.Min[1], box.Max[0], box.Max[1], limit)
			if err != nil {
				b.Fatal(err)
			}
			var (
				id                                             int64
				occurred, reported                             time.Time
				category, status, community, police, st, s, sm string
				severity                                       int16
				cleared                                        bool
				x, y                                           float64
			)
			got := 0
			_, err = pgx.ForEachRow(rows, []any{&id, &occurred, &reported, &category, &severity, &status, &cleared, &x, &y, &community, &police, &st, &s, &sm}, func() error {
				got++
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			check(b, got)
		}
	})
	b.Run("memory-store", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			page, err := mem.QueryIncidents(context.Background(), filter(i), data.Page{Limit: limit})
			if err != nil {
				b.Fatal(err)
			}
			check(b, len(page.Incidents))
		}
	})
}

// insertRowSQL stores one incident, the naive way.
const insertRowSQL = `
insert into incidents (occurred_at, reported_at, category, severity, status, cleared, location,
	community_grid_id, community_grid_version, police_grid_id, police_grid_version, station_id, source, summary)
values ($1, $2, $3, $4, $5, $6, ST_SetSRID(ST_MakePoint($7, $8), 4326), $9, 1, $10, 1, $11, $12, $13)`

// BenchmarkIncidentInsert stores batches of incidents: through the store
// (attribution checked against the grid versions, then one COPY per batch)
// and, as the baseline, with one parameterised INSERT per incident in one
// transaction per batch. Both commit once per batch.
func BenchmarkIncidentInsert(b *testing.B) {
	ds := storetest.Synthetic(incidentBenchGrids)
	ix, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	st := importForBench(b, ds)
	// The months exist before timing starts, for both ways.
	if _, err := st.EnsurePartitions(context.Background(), incidentBenchEnd.AddDate(-1, 0, -1), incidentBenchEnd); err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{100, 1_000, 10_000} {
		incs := benchIncidents(ix, size, uint64(size))
		b.Run(fmt.Sprintf("batch-%d/copy", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := st.AddIncidents(context.Background(), data.IncidentBatch{Incidents: incs}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "incidents/s")
		})
		b.Run(fmt.Sprintf("batch-%d/insert-per-row", size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				insertRows(b, st, incs)
			}
			b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "incidents/s")
		})
	}
}

func insertRows(b *testing.B, st *postgis.Store, incs []geo.Incident) {
	ctx := context.Background()
	tx, err := st.Pool().Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, x := range incs {
		if _, err := tx.Exec(ctx, insertRowSQL, x.OccurredAt, x.ReportedAt, string(x.Category), x.Severity, string(x.Status), x.Cleared,
			x.Location[0], x.Location[1], x.CommunityGridID, x.PoliceGridID, x.StationID, x.Source, x.Summary); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
}
