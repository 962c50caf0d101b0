package api

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jingge/api/telemetry"
	"jingge/geo"
)

// metrics is the server's telemetry (package api/telemetry) under the
// names the routes and the lookup, tile and ping handlers count through.
type metrics struct {
	*telemetry.Metrics
	pings   prometheus.Counter
	traffic traffic
	// scrape answers GET /metrics on the main listener.
	scrape http.Handler
}

// traffic is telemetry.Traffic with the counters of the lookups by kind.
type traffic struct {
	*telemetry.Traffic
	lookupSingle, lookupBatch prometheus.Counter
}

func (t traffic) tileSent(layer string, n int) { t.TileSent(layer, n) }

func (t traffic) pingsCommitted(pings []geo.Ping, now time.Time) { t.PingsCommitted(pings, now) }

func (m *metrics) instrument(route string, h http.Handler) http.Handler {
	return m.Instrument(route, h)
}

// newMetrics registers the series of s: its index, tile cache, event
// streams, rate limits, audit spool, and the database and listener of cfg.
func newMetrics(s *Server, cfg Config) *metrics {
	src := telemetry.Sources{
		Index:     s.live.Load,
		TileCache: s.tiles.CacheStats,
		StreamClients: func() int {
			if s.patrols.hub == nil {
				return 0
			}
			return s.patrols.hub.count()
		},
		Now:      s.patrols.opts.Now,
		Database: cfg.Database,
		Listener: cfg.Listener,
	}
	if s.access != nil {
		src.Collectors = s.access.limits.refusalCollectors()
	}
	if cfg.Access != nil {
		src.Audit = cfg.Access.Audit
	}
	t := telemetry.New(src)
	return &metrics{Metrics: t, pings: t.Pings, scrape: t.Handler(),
		traffic: traffic{Traffic: t.Traffic, lookupSingle: t.Traffic.LookupSingle, lookupBatch: t.Traffic.LookupBatch}}
}

// MetricsHandler answers GET /metrics as the main listener does, but to
// anyone: it is for a listener of its own (jingge serve --metrics-addr) on
// an address only the monitoring system can reach, so a scraper needs no
// token. Every other path is a 404 problem, another method a 405.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.Standalone(s.logger) }

// handleMetrics answers GET /metrics in the Prometheus text format.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ query) error {
	s.metrics.scrape.ServeHTTP(w, r)
	return nil
}
