package presence_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data/lantian"
	"jingge/geo"
	"jingge/geo/patrol"
	"jingge/geo/presence"
)

// dayOfPings returns a day of pings, every interval, from every police
// member of Lantian (211 officers), each walking from the centre of their
// first grid at a walking pace with a fixed seed, attributed as the
// stores keep them, officer after officer as a store reads them.
func dayOfPings(b *testing.B, interval time.Duration) (*geo.Index, []geo.Ping, time.Time) {
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
	perOfficer := int(24 * time.Hour / interval)
	var officers []*geo.Member
	for i := range ds.Members {
		if ds.Members[i].Role.IsPolice() {
			officers = append(officers, &ds.Members[i])
		}
	}
	rng := rand.New(rand.NewPCG(16, 16))
	pings := make([]geo.Ping, 0, len(officers)*perOfficer)
	for _, m := range officers {
		var pt orb.Point
		if len(m.GridIDs) > 0 {
			g, _ := ix.Grid(m.GridIDs[0])
			pt = g.Geometry.Bound().Center()
		} else {
			s, _ := ix.Station(m.StationID)
			pt = s.Location
		}
		heading := rng.Float64() * 2 * math.Pi
		for k := range perOfficer {
			heading += rng.NormFloat64() * 0.3
			step := 1.4 * interval.Seconds() / 111000 // degrees, about walking pace
			pt = orb.Point{pt[0] + step*math.Cos(heading), pt[1] + step*math.Sin(heading)}
			pings = append(pings, geo.Ping{OfficerID: m.ID, At: day.Add(time.Duration(k) * interval), Location: pt, SpeedMPS: 1.4, HeadingDeg: math.NaN()})
		}
	}
	patrol.Attribute(ix, pings)
	return ix, pings, day
}

// BenchmarkSummarizeDay summarises a day of pings from every Lantian
// officer every 5 s (about 3.6 M pings), beside the baseline of only
// reading every ping's officer, time and grid once.
func BenchmarkSummarizeDay(b *testing.B) {
	ix, pings, day := dayOfPings(b, 5*time.Second)
	b.Logf("%d pings", len(pings))
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var n, t int64
			for i := range pings {
				n += int64(len(pings[i].OfficerID) + len(pings[i].GridID))
				t += pings[i].At.UnixNano()
			}
			if n == 0 || t == 0 {
				b.Fatal("nothing read")
			}
		}
		b.ReportMetric(float64(len(pings)), "pings/op")
	})
	b.Run("summarize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := presence.New(ix, day, day.Add(24*time.Hour), presence.Options{Location: day.Location()})
			s.Add(pings)
			if sum := s.Summary(); len(sum.Officers) == 0 {
				b.Fatal("no officer in the summary")
			}
		}
		b.ReportMetric(float64(len(pings)), "pings/op")
	})
}
