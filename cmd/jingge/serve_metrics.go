package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"jingge/api"
	"jingge/api/meta"
)

// metricsOptions are the settings of the separate /metrics listener.
type metricsOptions struct {
	// addr is where /metrics is also served, without sign-in; "" for
	// nowhere but the main listener.
	addr string
	// public allows an addr that is neither loopback nor private.
	public bool
}

func (o *metricsOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.addr, "metrics-addr", os.Getenv("JINGGE_METRICS_ADDR"), "also serve /metrics, without sign-in, on this `HOST:PORT` (plain HTTP) for a scraper with no token; a loopback or private address (127.0.0.1, 10/8, 172.16/12, 192.168/16, fc00::/7), unless --metrics-addr-public (env JINGGE_METRICS_ADDR)")
	fs.BoolVar(&o.public, "metrics-addr-public", envBool("JINGGE_METRICS_ADDR_PUBLIC"), "allow --metrics-addr on any address (all interfaces, a public address, a host name): only behind a firewall that lets nobody but the scraper reach it (env JINGGE_METRICS_ADDR_PUBLIC=true)")
}

// envBool reads a boolean environment variable; unset or unreadable is
// false (check reports an unreadable one).
func envBool(name string) bool {
	v, _ := strconv.ParseBool(os.Getenv(name))
	return v
}

// check refuses an address that would show the metrics to the world:
// everything a scraper reads without a token must stay on the host or the
// private network unless the operator says a firewall guards it.
func (o metricsOptions) check() error {
	if v := os.Getenv("JINGGE_METRICS_ADDR_PUBLIC"); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			return fmt.Errorf("%w: JINGGE_METRICS_ADDR_PUBLIC must be true or false, got %q", errUsage, v)
		}
	}
	if o.addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return fmt.Errorf("%w: --metrics-addr must be HOST:PORT, e.g. 127.0.0.1:9464: %w", errUsage, err)
	}
	if o.public || privateHost(host) {
		return nil
	}
	return fmt.Errorf("%w: --metrics-addr %s would serve /metrics without sign-in beyond this host and its private network; bind it to a loopback or private address (127.0.0.1:9464, 10.0.0.5:9464), or add --metrics-addr-public if a firewall lets only the scraper reach it", errUsage, o.addr)
}

// privateHost reports whether host is localhost or a loopback or private
// IP address. An empty or unspecified host (every interface) and host
// names (which may resolve to anything) are not.
func privateHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate())
}

// metricsServer serves /metrics on a listener of its own: 503s until
// serve hands it the API, the API's metrics from then on.
type metricsServer struct {
	srv    *http.Server
	h      handlerSwitch
	served chan error
	logger *slog.Logger
}

// startMetrics listens on o.addr at once, so a scraper sees the server
// starting (503) rather than a refused connection while it waits for its
// database (reason says why). Nil, and no error, when o.addr is empty.
func startMetrics(ctx context.Context, o metricsOptions, logger *slog.Logger, reason func() string) (*metricsServer, error) {
	if o.addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("listening on --metrics-addr %s: %w", o.addr, err)
	}
	m := &metricsServer{served: make(chan error, 1), logger: logger}
	m.h.set(meta.Starting(logger, startingRetryAfter, reason))
	m.srv = newHTTPServer(ctx, &m.h, logger)
	logger.Info("serving /metrics without sign-in", "addr", ln.Addr().String())
	go func() { m.served <- m.srv.Serve(ln) }()
	return m, nil
}

// serve answers with a's metrics from now on.
func (m *metricsServer) serve(a *api.Server) {
	if m != nil {
		m.h.set(a.MetricsHandler())
	}
}

// stop closes the listener, letting a scrape in flight finish for a
// moment.
func (m *metricsServer) stop() {
	if m == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := m.srv.Shutdown(ctx); err != nil {
		_ = m.srv.Close()
	}
	if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		m.logger.Warn("the metrics listener failed", "err", err)
	}
}
