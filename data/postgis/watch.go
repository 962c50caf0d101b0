package postgis

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"jingge/data/postgis/pglisten"
)

// notifyChannel is the channel the triggers of migration 1 notify on; the
// payload is the schema that changed, and since migration 18 a grid edit's
// names its grid too (watch_grids.go).
const notifyChannel = "jingge_dataset"

// Watch implements data.Store. The first call opens a dedicated connection
// that LISTENs for the notifications the schema's triggers send on every
// committed change, from any process. When that connection drops, the store
// reconnects with backoff and then wakes every watcher, since changes may
// have been missed meanwhile. Watch fails with data.ErrUnavailable only if
// it cannot listen at all.
func (s *Store) Watch(ctx context.Context) (<-chan struct{}, error) {
	return s.watch(ctx, s.watchers)
}

// watch listens (see startListener) and adds a channel to the watchers in
// set, removed and closed when ctx ends or the store closes.
func (s *Store) watch(ctx context.Context, set map[chan struct{}]struct{}) (<-chan struct{}, error) {
	if err := s.startListener(ctx); err != nil {
		return nil, err
	}
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	set[ch] = struct{}{}
	s.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-s.ctx.Done():
		}
		s.mu.Lock()
		delete(set, ch)
		close(ch)
		s.mu.Unlock()
	}()
	return ch, nil
}

// startListener connects and LISTENs before returning, so a change
// committed after Watch returns is never missed.
func (s *Store) startListener(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("postgis: watch: the store is closed")
	}
	if s.listening {
		return nil
	}
	conn, err := s.connectListener(ctx)
	if err != nil {
		return mapError("watch", err)
	}
	s.listening = true
	s.health.started.Store(true)
	s.health.connected.Store(true)
	s.health.heard()
	s.wg.Add(1)
	go s.listenLoop(conn)
	return nil
}

func (s *Store) connectListener(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.listen)
	if err != nil {
		return nil, err
	}
	for _, ch := range []string{notifyChannel, incidentChannel} {
		if _, err := conn.Exec(ctx, "listen "+pgx.Identifier{ch}.Sanitize()); err != nil {
			conn.Close(context.Background())
			return nil, err
		}
	}
	return conn, nil
}

// listenLoop forwards notifications for this store's schema to the
// watchers until the store closes, keeping the listener's health.
func (s *Store) listenLoop(conn *pgx.Conn) {
	defer s.wg.Done()
	defer s.health.connected.Store(false)
	l := pglisten.Listener{
		Connect: s.connectListener,
		Alive:   s.health.heard,
		Notified: func(n *pgconn.Notification) {
			switch {
			case n.Channel == incidentChannel && s.othersIncidents(n.Payload):
				s.wake(s.incWatchers)
			case n.Channel == notifyChannel:
				if grids, ours := s.datasetChange(n.Payload); ours {
					s.health.changed()
					s.broadcastGrids(grids)
				}
			}
		},
		Lost: func(err error) {
			s.logger.Warn("lost the database connection that listens for changes; reconnecting", "schema", s.schema, "err", err)
			s.health.connected.Store(false)
		},
		Retry: func(err error, wait time.Duration) {
			s.logger.Debug("reconnecting the change listener failed", "schema", s.schema, "err", err, "retry_in", wait)
		},
		Back: func() {
			s.health.reconnects.Add(1)
			s.health.connected.Store(true)
			s.health.heard()
			s.health.changed()
			s.logger.Info("listening for changes again", "schema", s.schema)
			s.broadcast()
			s.wake(s.incWatchers)
		},
	}
	l.Run(s.ctx, conn)
}

// broadcast wakes every watcher of Watch and WatchGrids of a change that
// may have touched anything.
func (s *Store) broadcast() { s.broadcastGrids(nil) }

// wake sends every channel in set a value; one with a value pending is not
// sent another, so bursts coalesce.
func (s *Store) wake(set map[chan struct{}]struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range set {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
