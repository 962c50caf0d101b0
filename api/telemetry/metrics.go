package telemetry

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"

	"jingge/data"
	"jingge/geo"
)

// Sources are what the series read at each scrape, from the server that
// owns the Metrics. Nil funcs and fields report no such series, or zero.
type Sources struct {
	// Index returns the index in force, nil before the first.
	Index func() *geo.Index
	// TileCache returns the tile cache's hits and misses so far.
	TileCache func() (hits, misses uint64)
	// StreamClients returns the event-stream clients connected now.
	StreamClients func() int
	// Now is the clock the newest ping's age is measured on; nil is
	// time.Now.
	Now func() time.Time
	// Database, when set, is pinged at every scrape (jingge_store_up).
	Database data.Pinger
	// Listener, when set, reports the store's change listener
	// (jingge_listen_*).
	Listener data.ListenReporter
	// Audit, when it keeps entries in a local spool while its database is
	// down (data/auditspool.Log), reports the spool's size.
	Audit data.AuditLog
	// Collectors are further series to register (the rate limiter's
	// refusals).
	Collectors []prometheus.Collector
}

// spooler is an audit log that keeps entries locally while its primary
// is down (data/auditspool.Log).
type spooler interface{ Spooled() int }

// Metrics is the registry of one server and the series its routes and
// handlers count into. It is safe for concurrent use.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// Pings counts the patrol pings committed through this server.
	Pings prometheus.Counter
	// Traffic counts lookups, tile bytes and ping lag.
	Traffic *Traffic

	// mu guards the index this server was last seen to serve, when it
	// was first seen and how many indexes it has served.
	mu      sync.Mutex
	index   *geo.Index
	indexAt time.Time
	swaps   uint64
}

// New returns the metrics of a server reading src, with its series
// registered.
func New(src Sources) *Metrics {
	if src.Index == nil {
		src.Index = func() *geo.Index { return nil }
	}
	if src.Now == nil {
		src.Now = time.Now
	}
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jingge_http_requests_total", Help: "HTTP requests answered, by route name (the OpenAPI operationId; pages for the web pages, their assets and paths no route matches), method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jingge_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route name; event streams count until they end.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		Pings: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jingge_pings_ingested_total", Help: "Patrol pings committed through this server (replayed batches not counted).",
		}),
		Traffic: newTraffic(),
	}
	m.ObserveIndex(src.Index())
	r := m.registry
	r.MustRegister(m.requests, m.duration, m.Pings,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r.MustRegister(m.indexCollectors(src)...)
	r.MustRegister(m.Traffic.collectors(src.Now)...)
	r.MustRegister(src.Collectors...)
	if src.Database != nil {
		r.MustRegister(newStoreCollector(src.Database))
	}
	if src.Listener != nil {
		r.MustRegister(newListenCollector(src.Listener))
	}
	if sp, ok := src.Audit.(spooler); ok {
		r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jingge_audit_spool_entries", Help: "Audit entries waiting in the local spool for the database; growing means the database takes none."},
			func() float64 { return float64(sp.Spooled()) }))
	}
	return m
}

// indexCollectors are the series of the tile cache, the index in force and
// the event streams, read from src at each scrape.
func (m *Metrics) indexCollectors(src Sources) []prometheus.Collector {
	tileCache := func(hit bool) func() float64 {
		return func() float64 {
			if src.TileCache == nil {
				return 0
			}
			h, mi := src.TileCache()
			if hit {
				return float64(h)
			}
			return float64(mi)
		}
	}
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jingge_tile_cache_hits_total", Help: "Requests for cacheable tiles answered from the tile cache."}, tileCache(true)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jingge_tile_cache_misses_total", Help: "Requests for cacheable tiles that had to be rendered."}, tileCache(false)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "jingge_index_swaps_total", Help: "Indexes this server has served: 1 for the first, one more for each reload (the index version on this server)."},
			func() float64 { _, n := m.observe(src.Index()); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jingge_index_age_seconds", Help: "Seconds since the index in force was published on this server; -1 before the first."},
			func() float64 {
				at, n := m.observe(src.Index())
				if n == 0 {
					return -1
				}
				return time.Since(at).Seconds()
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jingge_index_grids", Help: "Grids in the index in force."},
			func() float64 {
				if ix := src.Index(); ix != nil {
					return float64(len(ix.Dataset().Grids))
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jingge_sse_clients", Help: "Event-stream clients connected now."},
			func() float64 {
				if src.StreamClients == nil {
					return 0
				}
				return float64(src.StreamClients())
			}),
	}
}

// Gather reads every series now, as a scrape does.
func (m *Metrics) Gather() ([]*dto.MetricFamily, error) { return m.registry.Gather() }

// ObserveIndex notes ix as the index in force (nil changes nothing), so
// the index's age counts from now rather than from the next scrape.
func (m *Metrics) ObserveIndex(ix *geo.Index) { m.observe(ix) }

// observe notes ix as the index in force and returns when this server
// first saw it and how many indexes it has seen.
func (m *Metrics) observe(ix *geo.Index) (time.Time, uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ix != nil && ix != m.index {
		m.index, m.indexAt = ix, time.Now()
		m.swaps++
	}
	return m.indexAt, m.swaps
}
