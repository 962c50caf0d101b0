package prevention

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/patrol"
)

// benchService is a service over a day of pings from every Lantian
// officer every 30 s (about 600,000), each walking from their first
// grid with a fixed seed, and a clock at the end of the day.
func benchService(b *testing.B) (*Service, *time.Time) {
	b.Helper()
	ds, err := lantian.Load()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		b.Fatal(err)
	}
	day := time.Date(2025, 5, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	now := day.Add(24 * time.Hour)
	store := memory.NewPatrols(memory.PatrolOptions{Retention: 30 * 24 * time.Hour, Now: func() time.Time { return now }})
	rules := patrol.NewRules(ix, patrol.Options{})
	rng := rand.New(rand.NewPCG(16, 17))
	const interval = 30 * time.Second
	for i := range ds.Members {
		m := &ds.Members[i]
		if !m.Role.IsPolice() {
			continue
		}
		var pt orb.Point
		if len(m.GridIDs) > 0 {
			g, _ := ix.Grid(m.GridIDs[0])
			pt = g.Geometry.Bound().Center()
		} else {
			s, _ := ix.Station(m.StationID)
			pt = s.Location
		}
		heading := rng.Float64() * 2 * math.Pi
		var pings []geo.Ping
		for k := range int(24 * time.Hour / interval) {
			heading += rng.NormFloat64() * 0.3
			step := 1.4 * interval.Seconds() / 111000
			pt = orb.Point{pt[0] + step*math.Cos(heading), pt[1] + step*math.Sin(heading)}
			pings = append(pings, geo.Ping{OfficerID: m.ID, At: day.Add(time.Duration(k) * interval), Location: pt, SpeedMPS: 1.4, HeadingDeg: math.NaN()})
		}
		patrol.Attribute(ix, pings)
		if _, err := store.RecordPings(context.Background(), data.PingBatch{Pings: pings, Rules: rules}); err != nil {
			b.Fatal(err)
		}
	}
	live := new(geo.Live)
	live.Store(ix)
	s, err := New(Options{Index: live, Pings: store, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	return s, &now
}

// BenchmarkGridLastVisits times what the map's shading costs: the first
// read of every grid's last visit (a week and a day of pings), a read
// within the refresh interval (what is known), and a refresh after it (the
// new pings only), beside the baseline of the county's presence report
// over the week, which answers the same question from scratch.
func BenchmarkGridLastVisits(b *testing.B) {
	s, now := benchService(b)
	ctx := context.Background()
	b.Run("report-week", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Presence(ctx, "", now.Add(-DefaultWindow), *now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.marks = lastVisits{}
			if _, err := s.GridLastVisits(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.GridLastVisits(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("refresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			*now = now.Add(lastVisitRefresh)
			if _, err := s.GridLastVisits(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
