package memory_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/patrol"
)

// benchDay is the state a bureau's data directory holds after months of
// use: the Lantian dataset, a year of incidents (the demo generator's),
// and the last day of pings of its 211 officers (the retention; older
// pings are gone), one every interval.
type benchDay struct {
	ds        *geo.Dataset
	incidents []geo.Incident
	rules     *patrol.Rules
	officers  []string
	where     map[string]geo.Ping
	end       time.Time
}

func newBenchDay(b *testing.B) *benchDay {
	b.Helper()
	ds, err := lantian.Load()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	end := time.Now().Truncate(time.Second)
	incidents, err := lantian.IncidentsUntil(ds, lantian.DefaultSeed, end)
	if err != nil {
		b.Fatal(err)
	}
	day := &benchDay{ds: ds, incidents: incidents, rules: patrol.NewRules(ix, patrol.Options{}), where: map[string]geo.Ping{}, end: end}
	for _, m := range ds.Members {
		if m.Role.IsPolice() && len(m.GridIDs) > 0 {
			g, _ := ix.Grid(m.GridIDs[0])
			p := geo.Ping{OfficerID: m.ID, Location: g.Geometry.Bound().Center(), SpeedMPS: 1.2, HeadingDeg: 90}
			p.GridID = patrol.GridAt(ix, p.Location)
			day.officers = append(day.officers, m.ID)
			day.where[m.ID] = p
		}
	}
	return day
}

// fill writes the state into d: the dataset, the incidents in batches of
// 100, and the pings of the day in batches of perBatch, from writers
// goroutines (with the journal on, concurrent batches share a sync).
func (day *benchDay) fill(b *testing.B, d *memory.Durable, every time.Duration, perBatch, writers int) int {
	ctx := context.Background()
	if _, err := d.Import(ctx, day.ds, data.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(day.incidents); i += 100 {
		if _, err := d.AddIncidents(ctx, data.IncidentBatch{Incidents: day.incidents[i:min(i+100, len(day.incidents))]}); err != nil {
			b.Fatal(err)
		}
	}
	return day.fillPings(b, d, every, perBatch, writers)
}

// fillPings writes the pings of the day ending at day.end.
func (day *benchDay) fillPings(b *testing.B, d *memory.Durable, every time.Duration, perBatch, writers int) int {
	ctx := context.Background()
	steps := int(24 * time.Hour / every)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for w := range writers {
		wg.Go(func() {
			var batch []geo.Ping
			flush := func() {
				if len(batch) == 0 {
					return
				}
				if _, err := d.Patrols.RecordPings(ctx, data.PingBatch{Pings: batch, Rules: day.rules}); err != nil {
					b.Error(err)
				}
				mu.Lock()
				total += len(batch)
				mu.Unlock()
				batch = batch[:0]
			}
			for i, id := range day.officers {
				if i%writers != w {
					continue
				}
				for s := range steps {
					p := day.where[id]
					p.At = day.end.Add(-24*time.Hour + time.Minute + time.Duration(s)*every)
					batch = append(batch, p)
					if len(batch) == perBatch {
						flush()
					}
				}
				flush()
			}
		})
	}
	wg.Wait()
	return total
}

// fillMonth writes a month of pings into d, day by day, each day
// compacted at its end (the clock of o), so what left the day's window is
// in the archive, as a month of service leaves it. The first day comes
// with the dataset and the incidents.
func (day *benchDay) fillMonth(b *testing.B, d *memory.Durable, clock *time.Time, every time.Duration) int {
	end, total := day.end, 0
	defer func() { day.end = end }()
	for k := 29; k >= 0; k-- {
		day.end = end.Add(-time.Duration(k) * 24 * time.Hour)
		*clock = day.end
		if k < 29 {
			total += day.fillPings(b, d, every, 5000, 1)
		} else {
			total += day.fill(b, d, every, 5000, 1)
		}
		if err := d.Compact(); err != nil {
			b.Fatal(err)
		}
	}
	return total
}

// BenchmarkOpenDir measures the start of the embedded store: opening a
// data directory holding a year of incidents and a day of pings of 211
// officers, from a snapshot, beside replaying the same state from the
// journal alone (the baseline, as if it were never compacted), and a
// month of pings, the days before the last in the archive, which the
// start does not read.
func BenchmarkOpenDir(b *testing.B) {
	day := newBenchDay(b)
	for _, c := range []struct {
		name     string
		every    time.Duration
		snapshot bool
		month    bool
	}{
		{"snapshot/ping-every-30s", 30 * time.Second, true, false},
		{"journal/ping-every-30s", 30 * time.Second, false, false},
		{"snapshot/ping-every-4.3s", 4300 * time.Millisecond, true, false},
		{"archive/a-month-ping-every-30s", 30 * time.Second, true, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			clock := time.Now()
			o := memory.DirOptions{CompactAfterBytes: 1 << 40}
			if c.snapshot && !c.month {
				o.Seed = func(d *memory.Durable) error { day.fill(b, d, c.every, 500, 1); return nil }
			}
			if c.month {
				o.Patrols.Now = func() time.Time { return clock }
			}
			d, err := memory.OpenDir(dir, o)
			if err != nil {
				b.Fatal(err)
			}
			pings := 0
			if !c.snapshot {
				pings = day.fill(b, d, c.every, 10, 64)
			}
			if c.month {
				pings = day.fillMonth(b, d, &clock, c.every)
			}
			if err := d.Close(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				d, err := memory.OpenDir(dir, o)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if c.month {
					pings, _, _ := d.HeldInMemory()
					b.ReportMetric(float64(pings), "pings-in-memory")
				}
				if pings == 0 {
					for _, id := range day.officers {
						ps, _, _ := d.Patrols.Track(context.Background(), id, day.end.Add(-25*time.Hour), day.end, -1)
						pings += len(ps)
					}
				}
				d.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(pings), "pings")
			b.ReportMetric(float64(len(day.incidents)), "incidents")
		})
	}
}

// BenchmarkTrackArchivedDay reads the track of a day the archive holds
// (one record of a segment for the officer, read from disk) beside the
// track of the day in memory (the baseline), for each of the 211
// officers in turn.
func BenchmarkTrackArchivedDay(b *testing.B) {
	day := newBenchDay(b)
	dir := b.TempDir()
	clock := time.Now()
	o := memory.DirOptions{CompactAfterBytes: 1 << 40, Patrols: memory.PatrolOptions{Now: func() time.Time { return clock }}}
	d, err := memory.OpenDir(dir, o)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	end := day.end
	for k := 2; k >= 0; k-- {
		day.end = end.Add(-time.Duration(k) * 24 * time.Hour)
		clock = day.end
		if k == 2 {
			day.fill(b, d, 30*time.Second, 5000, 1)
		} else {
			day.fillPings(b, d, 30*time.Second, 5000, 1)
		}
		if err := d.Compact(); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, c := range []struct {
		name string
		from time.Time
	}{
		{"memory/today", end.Add(-24 * time.Hour)},
		{"archive/two-days-ago", end.Add(-72 * time.Hour)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i, pings := 0, 0
			for b.Loop() {
				ps, _, err := d.Patrols.Track(ctx, day.officers[i%len(day.officers)], c.from, c.from.Add(24*time.Hour), -1)
				if err != nil {
					b.Fatal(err)
				}
				pings += len(ps)
				i++
			}
			b.ReportMetric(float64(pings)/float64(i), "pings/track")
		})
	}
}
