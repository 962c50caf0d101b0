package telemetry

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"jingge/api/httpx"
)

// Instrument counts and times the requests h answers under route. The
// series of a route are looked up once, not per request (promhttp's
// instrumentation builds a label map for each one, which cost a lookup a
// twentieth of its time; docs/performance.md).
func (m *Metrics) Instrument(route string, h http.Handler) http.Handler {
	rs := &routeSeries{route: route, requests: m.requests, duration: m.duration.WithLabelValues(route), counts: map[uint32]prometheus.Counter{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &httpx.StatusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		status := rec.Status()
		if status == 0 {
			status = http.StatusOK
		}
		rs.duration.Observe(time.Since(start).Seconds())
		rs.counter(r.Method, status).Inc()
	})
}

// routeSeries holds one route's series.
type routeSeries struct {
	route    string
	requests *prometheus.CounterVec
	duration prometheus.Observer
	mu       sync.RWMutex
	counts   map[uint32]prometheus.Counter // by method index << 16 | status
}

// methods are the methods counted by name; any other is "other", so a
// client inventing methods cannot make series without end.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// counter returns the request counter of method and status.
func (rs *routeSeries) counter(method string, status int) prometheus.Counter {
	mi := slices.Index(methods, method)
	if status < 100 || status > 999 {
		status = 0
	}
	key := uint32(mi+1)<<16 | uint32(status)
	rs.mu.RLock()
	c, ok := rs.counts[key]
	rs.mu.RUnlock()
	if ok {
		return c
	}
	name := "other"
	if mi >= 0 {
		name = strings.ToLower(method)
	}
	c = rs.requests.WithLabelValues(rs.route, name, strconv.Itoa(status))
	rs.mu.Lock()
	rs.counts[key] = c
	rs.mu.Unlock()
	return c
}

// Handler answers a scrape in the Prometheus text format; compression is
// left to the server's own middleware.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{DisableCompression: true})
}

// Standalone answers GET /metrics as the main listener does, but to
// anyone: it is for a listener of its own on an address only the
// monitoring system can reach, so a scraper needs no token. Every other
// path is a 404 problem, another method a 405; errors are logged to
// logger.
func (m *Metrics) Standalone(logger *slog.Logger) http.Handler {
	prom := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path != "/metrics":
			httpx.WriteError(w, r, logger, &httpx.Problem{Kind: httpx.ErrNoRoute, Detail: fmt.Sprintf("there is nothing at %s: this listener serves only GET /metrics", r.URL.Path)})
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			httpx.WriteError(w, r, logger, &httpx.Problem{Kind: httpx.ErrMethodNotAllowed, Detail: "/metrics is read with GET", Allow: []string{http.MethodGet, http.MethodHead}})
		default:
			prom.ServeHTTP(w, r)
		}
	})
}
