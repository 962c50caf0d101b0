package postgis

import (
	"context"
	"sync/atomic"
	"time"

	"jingge/data"
)

var (
	_ data.Pinger         = (*Store)(nil)
	_ data.ListenReporter = (*Store)(nil)
)

// Ping implements data.Pinger: one round trip on a pooled connection.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return mapError("ping", err)
	}
	return nil
}

// listenHealth is what the listener goroutine tells of its connection,
// read by ListenStatus from any goroutine.
type listenHealth struct {
	started    atomic.Bool
	connected  atomic.Bool
	reconnects atomic.Uint64
	lastHeard  atomic.Int64 // unix nanoseconds; 0 for never
	lastChange atomic.Int64 // unix nanoseconds; 0 for never
}

// heard notes that the listening connection received something now.
func (h *listenHealth) heard() { h.lastHeard.Store(time.Now().UnixNano()) }

// changed notes that the dataset may have changed now.
func (h *listenHealth) changed() { h.lastChange.Store(time.Now().UnixNano()) }

// ListenStatus implements data.ListenReporter. LastHeard advances with
// every notification and every keepalive answered, which the listener
// sends after pglisten.IdleCheck without a notification: a healthy listener
// was heard within about that long.
func (s *Store) ListenStatus() data.ListenStatus {
	h := &s.health
	st := data.ListenStatus{Started: h.started.Load(), Connected: h.connected.Load(), Reconnects: h.reconnects.Load()}
	if ns := h.lastHeard.Load(); ns != 0 {
		st.LastHeard = time.Unix(0, ns)
	}
	if ns := h.lastChange.Load(); ns != 0 {
		st.LastChange = time.Unix(0, ns)
	}
	return st
}
