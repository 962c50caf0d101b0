package api

import (
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"jingge/data"
	"jingge/geo"
)

// metrics is what GET /metrics reports, in a registry of the server's own
// (never the process-wide default: two servers in one process, as in the
// tests, keep their own figures). Labels hold route names, methods and
// status codes only: never a raw path, a query, a user or an officer, so
// the series stay few and nothing personal reaches the monitoring system.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	pings    prometheus.Counter
	// traffic counts lookups, tile bytes and ping lag (metrics_traffic.go).
	traffic *traffic

	// mu guards the index this server was last seen to serve, when it
	// was first seen and how many indexes it has served.
	mu      sync.Mutex
	index   *geo.Index
	indexAt time.Time
	swaps   uint64
}

// spooler is an audit log that keeps entries locally while its primary
// is down (data/auditspool.Log).
type spooler interface{ Spooled() int }

func newMetrics(s *Server, cfg Config) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jingge_http_requests_total", Help: "HTTP requests answered, by route name (the OpenAPI operationId; pages for the web pages, their assets and paths no route matches), method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jingge_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route name; event streams count until they end.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		pings: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jingge_pings_ingested_total", Help: "Patrol pings committed through this server (replayed batches not counted).",
		}),
		traffic: newTraffic(),
	}
	m.observeIndex(s.live.Load())
	r := m.registry
	r.MustRegister(m.requests, m.duration, m.pings,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jingge_tile_cache_hits_total", Help: "Requests for cacheable tiles answered from the tile cache."},
			func() float64 { h, _ := s.tiles.CacheStats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jingge_tile_cache_misses_total", Help: "Requests for cacheable tiles that had to be rendered."},
			func() float64 { _, mi := s.tiles.CacheStats(); return float64(mi) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jingge_index_swaps_total", Help: "Indexes this server has served: 1 for the first, one more for each reload (the index version on this server)."},
			func() float64 { _, n := m.observeIndex(s.live.Load()); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jingge_index_age_seconds", Help: "Seconds since the index in force was published on this server; -1 before the first."},
			func() float64 {
				at, n := m.observeIndex(s.live.Load())
				if n == 0 {
					return -1
				}
				return time.Since(at).Seconds()
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jingge_index_grids", Help: "Grids in the index in force."},
			func() float64 {
				if ix := s.live.Load(); ix != nil {
					return float64(len(ix.Dataset().Grids))
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jingge_sse_clients", Help: "Event-stream clients connected now."},
			func() float64 {
				if s.patrols.hub == nil {
					return 0
				}
				return float64(s.patrols.hub.count())
			}),
	)
	r.MustRegister(m.traffic.collectors(s.patrols.opts.Now)...)
	if s.access != nil {
		r.MustRegister(s.access.limits.refusalCollectors()...)
	}
	if cfg.Database != nil {
		r.MustRegister(newStoreCollector(cfg.Database))
	}
	if cfg.Listener != nil {
		r.MustRegister(newListenCollector(cfg.Listener))
	}
	var audit data.AuditLog
	if cfg.Access != nil {
		audit = cfg.Access.Audit
	}
	if sp, ok := audit.(spooler); ok {
		r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jingge_audit_spool_entries", Help: "Audit entries waiting in the local spool for the database; growing means the database takes none."},
			func() float64 { return float64(sp.Spooled()) }))
	}
	return m
}

// observeIndex notes ix as the index in force and returns when this
// server first saw it and how many indexes it has seen.
func (m *metrics) observeIndex(ix *geo.Index) (time.Time, uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ix != nil && ix != m.index {
		m.index, m.indexAt = ix, time.Now()
		m.swaps++
	}
	return m.indexAt, m.swaps
}

// instrument counts and times the requests h answers under route. The
// series of a route are looked up once, not per request (promhttp's
// instrumentation builds a label map for each one, which cost a lookup a
// twentieth of its time; docs/performance.md).
func (m *metrics) instrument(route string, h http.Handler) http.Handler {
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

// metricMethods are the methods counted by name; any other is "other", so
// a client inventing methods cannot make series without end.
var metricMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// counter returns the request counter of method and status.
func (rs *routeSeries) counter(method string, status int) prometheus.Counter {
	mi := slices.Index(metricMethods, method)
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

// MetricsHandler answers GET /metrics as the main listener does, but to
// anyone: it is for a listener of its own (jingge serve --metrics-addr) on
// an address only the monitoring system can reach, so a scraper needs no
// token. Every other path is a 404 problem, another method a 405.
func (s *Server) MetricsHandler() http.Handler {
	prom := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path != "/metrics":
			httpx.WriteError(w, r, s.logger, &httpx.Problem{Kind: httpx.ErrNoRoute, Detail: fmt.Sprintf("there is nothing at %s: this listener serves only GET /metrics", r.URL.Path)})
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			httpx.WriteError(w, r, s.logger, &httpx.Problem{Kind: httpx.ErrMethodNotAllowed, Detail: "/metrics is read with GET", Allow: []string{http.MethodGet, http.MethodHead}})
		default:
			prom.ServeHTTP(w, r)
		}
	})
}

// handleMetrics answers GET /metrics in the Prometheus text format;
// compression is left to the server's own middleware.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ query) error {
	promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{DisableCompression: true}).ServeHTTP(w, r)
	return nil
}
