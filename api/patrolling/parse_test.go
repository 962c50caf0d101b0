package patrolling

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/data"
)

var testNow = time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)

// pingJSON writes one ping of officer at testNow+sec.
func pingJSON(officer string, sec int, pt orb.Point, extra string) string {
	return fmt.Sprintf(`{"officer":%q,"at":%q,"lon":%v,"lat":%v%s}`, officer, testNow.Add(time.Duration(sec)*time.Second).Format(time.RFC3339), pt[0], pt[1], extra)
}

func pingBody(pings ...string) string { return `{"pings":[` + strings.Join(pings, ",") + `]}` }

// FuzzPingBody checks the ping body parser never panics and that every
// ping it passes as valid holds values the store accepts.
func FuzzPingBody(f *testing.F) {
	for _, s := range []string{
		pingBody(pingJSON("m1", 0, apitest.InCommunity, `,"speed_mps":1.5,"heading_deg":360`)),
		`{"crs":"gcj02","pings":[{"officer":"m1","at":"2025-05-01T08:00:00+08:00","lon":109.3,"lat":34.1}]}`,
		`{"pings":[{}, null, 3, "x", [1,2], {"lon":1e999}]}`,
		`{"pings":[{"officer":"m1","at":"2025-05-01T08:00:00Z","lon":-0,"lat":0,"heading_deg":-0}]}`,
		`{"pings":{}}`, `[]`, `null`, ``, `{"pings":[{"officer":"m1","unknown":1}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, pings, err := parsePingBody([]byte(body), 100, nil)
		if err != nil {
			var p *data.RequestError
			if !errors.As(err, &p) {
				t.Fatalf("error %v is not a refusal", err)
			}
			return
		}
		for i, p := range pings {
			if len(p.errs) > 0 {
				continue
			}
			ok := p.officer != "" && !p.at.IsZero() && math.Abs(p.lon) <= 180 && math.Abs(p.lat) <= 90 &&
				(math.IsNaN(p.speed) || p.speed >= 0 && p.speed <= maxSpeedMPS) &&
				(math.IsNaN(p.heading) || p.heading >= 0 && p.heading < 360) && !(p.lon == 0 && p.lat == 0)
			if !ok {
				t.Fatalf("ping %d passed as valid: %+v", i, p)
			}
		}
	})
}

// FuzzScanPings holds the fast ping scanner to encoding/json: wherever it
// accepts a body, the pings (values and problems) and the crs are exactly
// what encoding/json makes of it.
func FuzzScanPings(f *testing.F) {
	for _, s := range []string{
		pingBody(pingJSON("m1", 0, apitest.InCommunity, `,"speed_mps":1.5,"heading_deg":360`)),
		` { "pings" : [ { "lat" : 34.15 , "lon" : 109.3e0 , "at" : "2025-05-01T08:00:00.123+08:00" , "officer" : "M00001" } ] , "crs" : "gcj02" } `,
		`{"pings":[]}`, `{"pings":[{}]}`, `{"crs":"bd09","pings":[{"officer":"","at":"x","lon":-0,"lat":-0.0,"speed_mps":-1,"heading_deg":361}]}`,
		`{"pings":[{"officer":"m1","at":"2025-05-01T08:00:00Z","lon":200,"lat":95}]}`,
		`{"pings":[{"officer":"警员","at":"2025-05-01T08:00:00Z","lon":1E2,"lat":-1e-2}]}`,
		`{"pings":[{"officer":"m\u0031"}]}`, `{"pings":[{"lon":01}]}`, `{"pings":[{"lon":1.}]}`, `{"pings":[{"lon":1e999}]}`,
		`{"pings":[{"lon":1,"lon":2}]}`, `{"Pings":[]}`, `{"pings":[]} x`, `{"pings":[{"officer":null}]}`, "{\"pings\":[{\"officer\":\"\xff\"}]}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		crsFast, fast, ok := scanPings([]byte(body))
		if !ok {
			return
		}
		crsSlow, slow, err := decodePingBody([]byte(body), 1<<30)
		if err != nil {
			t.Fatalf("the scanner took a body encoding/json refuses (%v): %q", err, body)
		}
		if string(crsFast) != string(crsSlow) {
			t.Fatalf("crs %q by the scanner, %q by encoding/json", crsFast, crsSlow)
		}
		if len(fast) != len(slow) {
			t.Fatalf("%d pings by the scanner, %d by encoding/json", len(fast), len(slow))
		}
		same := func(a, b float64) bool {
			return a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b)
		}
		for i := range fast {
			a, b := fast[i], slow[i]
			if a.officer != b.officer || !a.at.Equal(b.at) || !same(a.lon, b.lon) || !same(a.lat, b.lat) || !same(a.speed, b.speed) || !same(a.heading, b.heading) ||
				fmt.Sprint(a.errs) != fmt.Sprint(b.errs) {
				t.Fatalf("ping %d: scanner %+v, encoding/json %+v", i, a, b)
			}
		}
	})
}

// BenchmarkPingBody parses a body of 500 pings, with the scanner and with
// encoding/json.
func BenchmarkPingBody(b *testing.B) {
	var pings []string
	for i := range 500 {
		pings = append(pings, pingJSON(fmt.Sprintf("M%05d", 1+i%211), i, apitest.InCommunity, `,"speed_mps":3.5,"heading_deg":271.5`))
	}
	body := []byte(pingBody(pings...))
	b.Run("scanner", func(b *testing.B) {
		b.ReportAllocs()
		cpu := benchCPU()
		for b.Loop() {
			if _, _, ok := scanPings(body); !ok {
				b.Fatal("scanner refused the body")
			}
		}
		reportPingRates(b, 500, cpu)
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		cpu := benchCPU()
		for b.Loop() {
			if _, _, err := decodePingBody(body, 1000); err != nil {
				b.Fatal(err)
			}
		}
		reportPingRates(b, 500, cpu)
	})
}

// benchCPU is the CPU time the process has used: on a busy machine a
// benchmark's wall time stretches, its CPU time does not.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPingRates reports pings per wall second and per CPU-second.
func reportPingRates(b *testing.B, perOp int, cpu0 time.Duration) {
	pings := float64(b.N) * float64(perOp)
	b.ReportMetric(pings/b.Elapsed().Seconds(), "pings/s")
	if cpu := benchCPU() - cpu0; cpu > 0 {
		b.ReportMetric(pings/cpu.Seconds(), "pings/cpu-s")
	}
}
