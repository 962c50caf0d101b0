package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"jingge/api/httpx"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/data/memory"
	"jingge/geo"
)

// mustIndex builds the index of ds or fails the test.
func mustIndex(tb testing.TB, ds *geo.Dataset) *geo.Index {
	tb.Helper()
	ix, err := geo.NewIndex(ds)
	if err != nil {
		tb.Fatalf("NewIndex: %v", err)
	}
	return ix
}

// newTestServer serves ds (the small synthetic dataset when nil) with cfg's
// other fields; logs go to the test log.
func newTestServer(tb testing.TB, ds *geo.Dataset, cfg Config) *Server {
	tb.Helper()
	if ds == nil {
		ds = apitest.Small()
	}
	live := new(geo.Live)
	live.Store(mustIndex(tb, ds))
	cfg.Index = live
	if cfg.Patrols == nil {
		cfg.Patrols = memory.NewPatrols(memory.PatrolOptions{})
	}
	if cfg.Incidents == nil {
		st := withIncidentStore(tb, ds, &cfg)
		if cfg.Visits == nil {
			cfg.Visits = st
		}
		if cfg.Disputes == nil {
			cfg.Disputes = st
		}
		if cfg.Tasks == nil {
			cfg.Tasks = st
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(tbWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return New(cfg)
}

// tbWriter sends log lines to the test log, shown only for failed tests.
type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Helper()
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// serve runs one request through h.
func serve(tb testing.TB, h http.Handler, method, target string, body string) *httptest.ResponseRecorder {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// problemJSON is a problem response as a client reads it.
type problemJSON struct {
	Type          string               `json:"type"`
	Title         string               `json:"title"`
	Status        int                  `json:"status"`
	Detail        string               `json:"detail"`
	Instance      string               `json:"instance"`
	RequestID     string               `json:"request_id"`
	InvalidParams []httpx.InvalidParam `json:"invalid_params"`
}

// decodeJSON decodes rec's body into v, failing on trailing data.
func decodeJSON(tb testing.TB, rec *httptest.ResponseRecorder, v any) {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("decoding %s: %v\n%s", rec.Header().Get("Content-Type"), err, rec.Body.String())
	}
}

// expectProblem checks rec is a problem of the status and decodes it.
func expectProblem(tb testing.TB, rec *httptest.ResponseRecorder, status int) problemJSON {
	tb.Helper()
	if rec.Code != status {
		tb.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != httpx.ContentTypeProblem {
		tb.Fatalf("Content-Type %q, want %q", ct, httpx.ContentTypeProblem)
	}
	var p problemJSON
	decodeJSON(tb, rec, &p)
	if p.Status != status || p.Title == "" || p.Type == "" || p.Detail == "" {
		tb.Fatalf("incomplete problem: %+v", p)
	}
	if p.RequestID == "" || p.RequestID != rec.Header().Get(httpx.HeaderRequestID) {
		tb.Fatalf("problem request_id %q, header %q", p.RequestID, rec.Header().Get(httpx.HeaderRequestID))
	}
	return p
}

var seed = flag.Uint64("seed", 1, "seed of the random points of tests and benchmarks")

// randomPoints returns n points spread uniformly over b, from -seed.
func randomPoints(tb testing.TB, n int, b orb.Bound) []orb.Point {
	tb.Helper()
	tb.Logf("random points from -seed=%d", *seed)
	r := rand.New(rand.NewPCG(*seed, 0))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

// shanghaiZone is the local time of the bundled Lantian dataset.
func shanghaiZone(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
