package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"jingge/api"
	"jingge/api/httpx"
	"jingge/api/pages"
	"jingge/data"
	"jingge/data/follow"
	"jingge/geo"
	"jingge/geo/plan"
	"jingge/geo/presence"
	"jingge/geo/roster"
	"jingge/tiles"
	"jingge/web"
)

// storeOpener opens the system of record; openStore in production, a
// fixture in tests.
type storeOpener func(ctx context.Context, dbURL string, logger *slog.Logger) (data.Store, error)

// HTTP server limits. Timeouts are generous enough for an 8 MiB batch on a
// slow link and a full grid collection, and short enough that a stalled
// client cannot hold a connection for long.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return serveCommand(ctx, args, stdout, stderr, nil)
}

// serveOptions are the settings of `jingge serve`.
type serveOptions struct {
	addr            string
	dbURL           string
	dataDir         string
	logFormat       string
	shutdownTimeout time.Duration
	// access configures sign-in, roles, limits and the audit.
	access accessOptions
	// basemap is the optional raster basemap of the web map; nil for none.
	basemap *pages.Basemap
	// patrols are the patrol settings (silence, webhooks).
	patrols *patrolFlags
	// presence tunes presence in the grids and the visit targets.
	presence *presenceFlags
	// planConfig is the planner's configuration file; "" for the defaults.
	planConfig string
	// plan is the planner's configuration read from planConfig, at once,
	// so a bad file fails before the server waits for its database.
	plan plan.Config
	// rosterRules is the roster rules file; "" for the defaults. roster
	// is what it holds, read at once like plan.
	rosterRules string
	roster      roster.Config
	// tls makes the server speak HTTPS itself (serve_tls.go).
	tls tlsOptions
	// metrics is the separate /metrics listener (serve_metrics.go).
	metrics metricsOptions
	// prerenderZoom is the deepest zoom of the tile pyramid rendered in
	// the background after start and after each change; 0 for none.
	prerenderZoom int
}

func parseServeFlags(args []string, stderr io.Writer) (serveOptions, error) {
	fs := flag.NewFlagSet("jingge serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: jingge serve [--addr HOST:PORT] [--db URL | --data-dir DIR] [--log-format auto|json|text] [--basemap TILES]\n\nServes the HTTP API (see /api/v1/openapi.json) and the web pages (/ and /m). Flags:")
		fs.PrintDefaults()
	}
	var o serveOptions
	fs.StringVar(&o.addr, "addr", envOr("JINGGE_ADDR", "127.0.0.1:8080"), "`address` to listen on (env JINGGE_ADDR)")
	dbFlagVar(fs, &o.dbURL, "empty serves the embedded store of --data-dir")
	fs.StringVar(&o.dataDir, "data-dir", defaultDataDir(), "without --db: the `directory` where the embedded store keeps everything, created and filled with the synthetic demo data at the first start (env JINGGE_DATA_DIR)")
	fs.StringVar(&o.logFormat, "log-format", "auto", "log `format`: json, text, or auto (text on a terminal, else json)")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long in-flight requests may take to finish after SIGINT or SIGTERM")
	o.access.register(fs)
	fs.StringVar(&o.rosterRules, "roster-rules", os.Getenv("JINGGE_ROSTER_RULES"), "roster rules `FILE`: JSON {\"rules\": [...]} replacing the default rules (env JINGGE_ROSTER_RULES)")
	fs.StringVar(&o.planConfig, "plan-config", os.Getenv("JINGGE_PLAN_CONFIG"), "planner configuration `FILE`: JSON holding only what differs from the defaults in docs/planning.md (env JINGGE_PLAN_CONFIG)")
	fs.IntVar(&o.prerenderZoom, "prerender-zoom", tiles.DefaultPrerenderZoom, "render the tiles of the county to this `zoom` in the background after start and after each change, so maps find them cached; 0 renders none")
	o.patrols = addPatrolFlags(fs)
	o.presence = addPresenceFlags(fs)
	basemapURL := fs.String("basemap", os.Getenv("JINGGE_BASEMAP_URL"), "raster `tiles` the web map draws under the grids: XYZ URL templates with {z}, {x}, {y}, space-separated, in WGS-84/CGCS2000 Web Mercator (e.g. an internal PGIS or Tianditu with its key); empty draws only the offline base layer (env JINGGE_BASEMAP_URL)")
	basemapAttribution := fs.String("basemap-attribution", os.Getenv("JINGGE_BASEMAP_ATTRIBUTION"), "attribution `text` shown for --basemap (env JINGGE_BASEMAP_ATTRIBUTION)")
	addTLSFlags(fs, &o.tls)
	o.metrics.register(fs)
	if err := fs.Parse(args); err != nil {
		return o, flagError(err)
	}
	var err error
	if err = o.tls.check(); err != nil {
		return o, err
	}
	if err = o.metrics.check(); err != nil {
		return o, err
	}
	// Cookies set over HTTPS are marked Secure in any case; this also
	// covers requests that reach the server through the redirect's host.
	o.access.secureCookies = o.access.secureCookies || o.tls.on()
	if o.basemap, err = pages.ParseBasemap(*basemapURL, *basemapAttribution); err != nil {
		return o, fmt.Errorf("%w: --basemap: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, fs.Args())
	}
	if o.prerenderZoom < 0 || o.prerenderZoom > tiles.MaxZoom {
		return o, fmt.Errorf("%w: --prerender-zoom must be 0 (none) to %d, got %d", errUsage, tiles.MaxZoom, o.prerenderZoom)
	}
	if o.roster, err = loadRosterConfig(o.rosterRules); err != nil {
		return o, err
	}
	if o.plan, err = loadPlanConfig(o.planConfig); err != nil {
		return o, err
	}
	if err := (presence.Target{PerWeek: o.presence.targetPerWeek, MinPerWeek: o.presence.targetMin}).Check(); err != nil {
		return o, fmt.Errorf("%w: --visit-target, --visit-target-min: %w", errUsage, err)
	}
	return o, nil
}

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	o, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	logger, err := newLogger(stderr, o.logFormat)
	if err != nil {
		return err
	}
	if open == nil {
		open = o.openStore
	}
	if o.dbURL != "" {
		// A database may come up after its servers (a reboot, containers
		// started together, a failover): listen at once and connect when
		// it can be reached (serve_connect.go).
		return serveWhenReachable(ctx, o, open, logger, stdout)
	}
	store, err := open(ctx, o.dbURL, logger)
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer closeStore(store, logger)
	return serve(ctx, o, store, logger, stdout)
}

// closeStore closes store, logging a failure: the process is ending.
func closeStore(store data.Store, logger *slog.Logger) {
	if err := store.Close(); err != nil {
		logger.Error("closing the store", "err", err)
	}
}

// serve loads the index, keeps it current while the store changes, and
// answers HTTP on o.addr until ctx ends; then it stops accepting, lets
// in-flight requests finish for up to o.shutdownTimeout, and returns.
func serve(ctx context.Context, o serveOptions, store data.Store, logger *slog.Logger, stdout io.Writer) error {
	w, err := wire(ctx, o, store, logger)
	if err != nil {
		return err
	}
	defer w.close()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.addr, err)
	}
	ms, err := startMetrics(ctx, o.metrics, logger, func() string { return "loading the dataset" })
	if err != nil {
		ln.Close()
		return err
	}
	defer ms.stop()
	ms.serve(w.api)
	srv := newHTTPServer(ctx, w.api.Handler(), logger)
	stopRedirect, err := o.tls.startRedirect(ctx, ln.Addr(), logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopRedirect()
	if err := announce(ctx, stdout, o.tls.scheme(), ln.Addr(), w); err != nil {
		ln.Close()
		return err
	}
	logger.Info("listening", "addr", ln.Addr().String(), "tls", o.tls.on())
	stopPatrols := runPatrols(ctx, srv, w.api, logger)
	defer stopPatrols()
	served := make(chan error, 1)
	go func() { served <- o.tls.serve(srv, ln) }()
	return serveUntilDone(ctx, srv, served, o.shutdownTimeout, w, logger)
}

// wired is a server's state over an open store: the index in force, kept
// current while the store changes, and the API over it.
type wired struct {
	live   *geo.Live
	api    *api.Server
	access *api.Access
	// demo is set for the embedded store's access control: a login link
	// is printed for its demo admin.
	demo bool
	// stopWatching stops following the store and waits until the reloads
	// have ended; close also closes the patrol store and access control
	// (but not the store).
	stopWatching func()
	closers      []func()
}

// close releases what wire set up, last first. It does not close the store.
func (w *wired) close() {
	for i := len(w.closers) - 1; i >= 0; i-- {
		w.closers[i]()
	}
	w.closers = nil
}

// wire follows store (data/follow: the dataset is loaded, and every new
// index is published and then the API's tiles and views are refreshed,
// so the first request after a reload finds them ready), and builds the
// API with the patrols, the planner and access control. On an error
// everything it set up is released again; the store stays open.
func wire(ctx context.Context, o serveOptions, store data.Store, logger *slog.Logger) (_ *wired, err error) {
	w := &wired{live: new(geo.Live), stopWatching: func() {}}
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	watchCtx, stopWatching := context.WithCancel(ctx)
	follower := follow.New(store, w.live, logger)
	stopFollowing := func() {
		stopWatching()
		follower.Wait()
	}
	w.closers = append(w.closers, stopFollowing)
	if err := follower.Start(watchCtx); err != nil {
		return nil, err
	}

	patrols, closePatrols := openPatrols(store)
	w.closers = append(w.closers, func() {
		if err := closePatrols(); err != nil {
			logger.Error("closing the patrol store", "err", err)
		}
	})
	planner, err := newPlanner(ctx, store, w.live, logger, o.plan, o.roster, patrols)
	if err != nil {
		return nil, fmt.Errorf("setting up the planner: %w", err)
	}
	access, closeAccess, demo, err := openAccess(ctx, o.access, store, logger)
	if err != nil {
		return nil, fmt.Errorf("access control: %w", err)
	}
	w.closers = append(w.closers, closeAccess)
	w.access, w.demo = access, demo
	cfg := withIncidents(api.Config{Index: w.live, Logger: logger, Access: access, Web: web.Files(), UI: api.UIConfig{Basemap: o.basemap}, Planner: planner, AwaitIndex: follower.Sync, AwaitGrids: follower.SyncGrids}, store)
	// A database apart from the process is pinged at each scrape, and
	// its change listener reported (the embedded store has neither).
	cfg.Database, _ = store.(data.Pinger)
	cfg.Listener, _ = store.(data.ListenReporter)
	cfg, err = withPresence(withPatrols(cfg, patrols, o.patrols), o.presence, w.live, planner)
	if err != nil {
		return nil, err
	}
	// The tiles of each new index are built by the follower, not by the
	// first request for one; New refreshes an index published before it.
	cfg.OnPublish = follower.OnPublish
	w.api = api.New(cfg)
	w.closers = append(w.closers, prerenderTiles(ctx, w.api.Tiles(), o.prerenderZoom, logger))
	followed, err := followIncidents(watchCtx, store, cfg.IncidentTiles)
	if err != nil {
		return nil, fmt.Errorf("watching incidents: %w", err)
	}
	w.closers = append(w.closers, func() {
		stopWatching()
		<-followed
	})
	// Following ends first, before what the reloads refresh is closed.
	w.stopWatching = stopFollowing
	w.closers = append(w.closers, w.stopWatching)
	return w, nil
}

// newHTTPServer returns the HTTP server of `jingge serve` around h.
func newHTTPServer(ctx context.Context, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		// The API refuses heads over api.DefaultMaxHeaderBytes (64 KiB)
		// with a 431 problem; net/http's own plain 431 is only for heads
		// over this ceiling.
		MaxHeaderBytes: httpx.HeaderReadCeiling,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		// Requests keep ctx's values but not its cancellation: a signal
		// must let them finish, not cut them off.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// announce tells the person who started the server where it serves, and
// for the embedded demo, how to sign in.
// Both lines go out in one write, so whoever reads "serving on" (a
// person, a script, a test) finds the link with it.
func announce(ctx context.Context, stdout io.Writer, scheme string, addr net.Addr, w *wired) error {
	url := scheme + "://" + displayAddr(addr)
	var b strings.Builder
	fmt.Fprintf(&b, "jingge: serving on %s (command-center map at %s/, officer page at %s/m, planner page at %s/plan, API description at %s/api/v1/openapi.json)\n", url, url, url, url, url)
	if w.demo {
		if err := printLoginLink(ctx, &b, w.access, url); err != nil {
			return fmt.Errorf("the demo login link: %w", err)
		}
	}
	_, err := io.WriteString(stdout, b.String())
	return err
}

// serveUntilDone waits until srv stops serving or ctx ends; then it stops
// accepting, lets in-flight requests finish for up to timeout and stops
// following the store.
func serveUntilDone(ctx context.Context, srv *http.Server, served <-chan error, timeout time.Duration, w *wired, logger *slog.Logger) error {
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining in-flight requests", "timeout", timeout)
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	err := srv.Shutdown(drainCtx)
	w.stopWatching()
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutting down: requests still running after %s: %w", timeout, err)
	}
	logger.Info("stopped")
	return nil
}

// displayAddr turns a listener address into one a browser can open: an
// unspecified host (":8080", "[::]:8080") becomes localhost.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// newLogger makes the process logger: JSON for log collectors, text for a
// person at a terminal.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "json":
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "auto", "":
		if isTerminal(w) {
			return slog.New(slog.NewTextHandler(w, nil)), nil
		}
	default:
		return nil, fmt.Errorf("%w: --log-format must be auto, json or text, got %q", errUsage, format)
	}
	return slog.New(slog.NewJSONHandler(w, nil)), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// flagError keeps -h a plain help request and marks other flag errors as
// usage errors; the flag package has already printed the details.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return fmt.Errorf("%w: %w", errUsage, err)
}
