package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/data/lantian"
	"jingge/geo"
)

// benchDataset is the bundled Lantian dataset when it has grids, else a
// 20×20 checkerboard, so the figures mean something either way.
func benchDataset(b *testing.B) *geo.Dataset {
	b.Helper()
	if ds, err := lantian.Load(); err == nil && len(ds.Grids) > 0 {
		return ds
	}
	return apitest.Checkerboard(20)
}

// benchPoints spreads n points over the dataset's grids, from -seed; most
// land in a grid.
func benchPoints(b *testing.B, ix *geo.Index, n int) []orb.Point {
	b.Helper()
	v, err := newView(ix)
	if err != nil {
		b.Fatal(err)
	}
	return randomPoints(b, n, v.bounds)
}

// BenchmarkLookup compares one point lookup through the whole HTTP
// handler (parsing, middleware, JSON) with the raw index lookup beneath it.
func BenchmarkLookup(b *testing.B) {
	ds := benchDataset(b)
	s := newTestServer(b, ds, Config{})
	ix := s.live.Load()
	pts := benchPoints(b, ix, 1024)
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		found := 0
		for i := 0; b.Loop(); i++ {
			if ix.Lookup(pts[i%len(pts)]).Found() {
				found++
			}
		}
		_ = found
	})
	targets := make([]string, len(pts))
	for i, p := range pts {
		targets[i] = fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", p[0], p[1])
	}
	h := s.Handler()
	b.Run("handler", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, targets[i%len(targets)], nil))
			if rec.Code != http.StatusOK && rec.Code != http.StatusNotFound {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
		}
	})
}

// BenchmarkLookupBatch compares a 1000-point POST /api/v1/lookup, in the
// compact and the GeoJSON form, with LookupBatch on the same points.
func BenchmarkLookupBatch(b *testing.B) {
	const n = 1000
	ds := benchDataset(b)
	s := newTestServer(b, ds, Config{})
	ix := s.live.Load()
	pts := benchPoints(b, ix, n)
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		out := make([]geo.Hit, n)
		for b.Loop() {
			ix.LookupBatch(pts, out)
		}
	})
	var compact, fc strings.Builder
	compact.WriteString(`{"points":[`)
	fc.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, p := range pts {
		if i > 0 {
			compact.WriteByte(',')
			fc.WriteByte(',')
		}
		compact.WriteString(pos(p))
		fc.WriteString(pointFeature(fmt.Sprintf(`"p%d"`, i), p))
	}
	compact.WriteString(`]}`)
	fc.WriteString(`]}`)
	h := s.Handler()
	for _, body := range []struct{ name, text string }{{"handler-compact", compact.String()}, {"handler-geojson", fc.String()}} {
		b.Run(body.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body.text)))
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/lookup", strings.NewReader(body.text)))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
				}
			}
		})
	}
}

// BenchmarkMetricsInstrument measures what counting and timing a request
// for /metrics costs: a handler that does nothing, bare and instrumented,
// beside a lookup served whole, which pays it once; and what counting a
// tile's bytes and a ping's lag cost, beside a warm tile served whole.
func BenchmarkMetricsInstrument(b *testing.B) {
	s := newTestServer(b, nil, Config{})
	noop := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", noop},
		{"instrumented", s.metrics.Instrument("bench", noop)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
	target := fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", apitest.InCommunity[0], apitest.InCommunity[1])
	h := s.Handler()
	b.Run("lookup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, target, nil))
		}
	})
	b.Run("tile-bytes-counted", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.metrics.Traffic.TileSent("", 1234)
		}
	})
	pings := []geo.Ping{{OfficerID: "m1", At: time.Now().Add(-3 * time.Second)}}
	b.Run("ping-lag-observed", func(b *testing.B) {
		b.ReportAllocs()
		now := time.Now()
		for b.Loop() {
			s.metrics.Traffic.PingsCommitted(pings, now)
		}
	})
	tile := "/tiles/14/13167/6536.mvt"
	warm := httptest.NewRecorder() // fills the cache
	h.ServeHTTP(warm, httptest.NewRequest(http.MethodGet, tile, nil))
	if warm.Code != http.StatusOK {
		b.Fatalf("%s: %d", tile, warm.Code)
	}
	b.Run("tile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tile, nil))
		}
	})
}
