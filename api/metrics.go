package api

import (
	"net/http"

	"jingge/api/telemetry"
)

// metrics is the server's telemetry (package api/telemetry): the routes
// are instrumented and the lookup, tile and ping handlers count through
// its Traffic; scrape answers GET /metrics on the main listener.
type metrics struct {
	*telemetry.Metrics
	scrape http.Handler
}

// newMetrics registers the series of s: its index, tile cache, event
// streams, rate limits, audit spool, and the database and listener of cfg.
func newMetrics(s *Server, cfg Config) *metrics {
	src := telemetry.Sources{
		Index:         s.live.Load,
		TileCache:     s.tiles.CacheStats,
		StreamClients: s.patrols.Hub().Clients,
		Now:           s.patrols.opts.Now,
		Database:      cfg.Database,
		Listener:      cfg.Listener,
	}
	if s.access != nil {
		src.Collectors = s.access.limits.refusalCollectors()
	}
	if cfg.Access != nil {
		src.Audit = cfg.Access.Audit
	}
	t := telemetry.New(src)
	return &metrics{Metrics: t, scrape: t.Handler()}
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
