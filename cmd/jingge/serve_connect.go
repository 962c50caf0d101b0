package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"jingge/api/meta"
	"jingge/data"
)

// The backoff between attempts to reach the database at start: the first
// retry after connectRetryMin, doubling up to connectRetryMax.
const (
	connectRetryMin = 500 * time.Millisecond
	connectRetryMax = 10 * time.Second
)

// startingRetryAfter is the Retry-After of the 503s answered while the
// server waits for its database.
const startingRetryAfter = 2 * time.Second

// serveWhenReachable is serve for a store behind a database that may not
// be reachable yet. It listens at once and, until the store is open and
// the index loaded, answers /healthz 200 and everything else 503 (see
// meta.Starting) while it retries with capped backoff; then it serves as
// serve does, with no restart. An error retrying cannot mend (see
// retryable) ends it with that error; ctx ending while it waits ends it
// cleanly, with nil.
func serveWhenReachable(ctx context.Context, o serveOptions, open storeOpener, logger *slog.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.addr, err)
	}
	status := new(startStatus)
	ms, err := startMetrics(ctx, o.metrics, logger, status.get)
	if err != nil {
		ln.Close()
		return err
	}
	defer ms.stop()
	status.set("connecting to the database")
	h := new(handlerSwitch)
	h.set(meta.Starting(logger, startingRetryAfter, status.get))
	srv := newHTTPServer(ctx, h, logger)
	logger.Info("listening", "addr", ln.Addr().String())

	// Connecting stops early if the listener fails.
	connectCtx, stopConnecting := context.WithCancel(ctx)
	defer stopConnecting()
	served := make(chan error, 1)
	go func() {
		served <- o.tls.serve(srv, ln)
		stopConnecting()
	}()

	var once sync.Once
	waiting := func() {
		once.Do(func() {
			fmt.Fprintf(stdout, "jingge: listening on %s://%s; the database is not reachable yet, so /readyz answers 503 until it is (retrying)\n", o.tls.scheme(), displayAddr(ln.Addr()))
		})
	}
	store, w, err := connect(connectCtx, ctx, o, open, logger, status, waiting)
	if err != nil {
		select {
		case serr := <-served:
			return fmt.Errorf("serving: %w", serr)
		default:
		}
		// Nothing but 503s and health checks is in flight: a short drain.
		drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), min(o.shutdownTimeout, 5*time.Second))
		defer cancel()
		if serr := srv.Shutdown(drainCtx); serr != nil {
			_ = srv.Close()
		}
		if ctx.Err() != nil {
			logger.Info("stopped before the database could be reached")
			return nil
		}
		return err
	}
	defer closeStore(store, logger)
	defer w.close()
	h.set(w.api.Handler())
	ms.serve(w.api)
	if err := announce(ctx, stdout, o.tls.scheme(), ln.Addr(), w); err != nil {
		_ = srv.Close()
		return err
	}
	logger.Info("ready", "addr", ln.Addr().String())
	stopPatrols := runPatrols(ctx, srv, w.api, logger)
	defer stopPatrols()
	return serveUntilDone(ctx, srv, served, o.shutdownTimeout, w, logger)
}

// connect opens the store at o.dbURL (which migrates it) and wires the
// server over it, retrying with capped backoff while the database cannot
// be reached; each failed attempt is logged at warn and waiting is called
// after the first. It returns ctx's error once ctx ends, and at once any
// error retrying cannot mend. runCtx bounds what the wired server runs
// (watching the store), connectCtx only the attempts and the waits.
func connect(connectCtx, runCtx context.Context, o serveOptions, open storeOpener, logger *slog.Logger, status *startStatus, waiting func()) (data.Store, *wired, error) {
	delay := connectRetryMin
	for attempt := 1; ; attempt++ {
		store, w, err := connectOnce(connectCtx, runCtx, o, open, logger, status)
		if err == nil {
			if attempt > 1 {
				logger.Info("the database is reachable", "attempts", attempt)
			}
			return store, w, nil
		}
		if connectCtx.Err() != nil {
			return nil, nil, connectCtx.Err()
		}
		if !retryable(err) {
			return nil, nil, fmt.Errorf("%w (not retried: waiting cannot mend this)", err)
		}
		logger.Warn("the database is not reachable yet; retrying", "attempt", attempt, "retry_in", delay, "err", err)
		status.set(fmt.Sprintf("the database is not reachable yet (%d attempts so far); the server retries every %s at most and becomes ready once it connects, without a restart", attempt, connectRetryMax))
		waiting()
		select {
		case <-connectCtx.Done():
			return nil, nil, connectCtx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, connectRetryMax)
	}
}

// connectOnce is one attempt of connect: open the store, then load the
// index and wire the server; on a failure after the open the store is
// closed again.
func connectOnce(connectCtx, runCtx context.Context, o serveOptions, open storeOpener, logger *slog.Logger, status *startStatus) (data.Store, *wired, error) {
	store, err := open(connectCtx, o.dbURL, logger)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the store: %w", err)
	}
	status.set("connected to the database; loading the dataset")
	w, err := wire(runCtx, o, store, logger)
	if err != nil {
		closeStore(store, logger)
		return nil, nil, err
	}
	return store, w, nil
}

// retryable reports whether an error of a start attempt may go away by
// itself: the stores say so by wrapping data.ErrUnavailable. For PostGIS
// that is a database that cannot be reached (refused, reset, timed out,
// host not found), one that is starting up or shutting down (SQLSTATE
// 57P01–57P03), out of connections (class 53) or whose connection broke
// (class 08). Everything else is permanent: a URL that does not parse, a
// failed authentication (28P01 invalid_password, 28000 unknown role), an
// unknown database (3D000), missing privileges (42501), a schema newer
// than this binary or a changed migration. Retrying those would keep a
// replica waiting for something no time can bring.
func retryable(err error) bool {
	return errors.Is(err, data.ErrUnavailable)
}

// startStatus says how far the start has got, for the 503s answered
// meanwhile.
type startStatus struct{ v atomic.Pointer[string] }

func (s *startStatus) set(msg string) { s.v.Store(&msg) }

func (s *startStatus) get() string {
	if p := s.v.Load(); p != nil {
		return *p
	}
	return ""
}

// handlerSwitch serves with the handler set last, so a server can start
// answering before its real handler exists.
type handlerSwitch struct{ h atomic.Pointer[http.Handler] }

func (s *handlerSwitch) set(h http.Handler) { s.h.Store(&h) }

func (s *handlerSwitch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}
