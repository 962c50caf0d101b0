// Package pglisten keeps a PostgreSQL LISTEN connection alive: it waits
// for notifications, pings the connection when none came for a while, and
// when the connection fails reconnects with exponential backoff, telling
// its owner at each step through hooks. The store's dataset watch and its
// patrol watch each run one, with their own channels and hooks.
//
// It imports pgx only; data/postgis imports it.
package pglisten

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Listener timing: how long to wait for a notification before checking the
// connection is alive, and the bounds of the reconnection backoff.
const (
	IdleCheck    = 30 * time.Second
	pingTimeout  = 5 * time.Second
	reconnectMin = 100 * time.Millisecond
	reconnectMax = 5 * time.Second
)

// Listener is what one LISTEN connection does. Connect is required; every
// hook may be nil. Hooks run on the listening goroutine, one at a time.
type Listener struct {
	// Connect opens a connection that LISTENs on the owner's channels.
	Connect func(context.Context) (*pgx.Conn, error)
	// Notified receives every notification.
	Notified func(*pgconn.Notification)
	// Alive is called on every sign that the connection works: a
	// notification or a successful ping after IdleCheck of silence.
	Alive func()
	// Lost is called when the connection failed, before reconnecting.
	Lost func(err error)
	// Retry is called when a reconnection failed, with the wait before
	// the next.
	Retry func(err error, wait time.Duration)
	// Back is called once listening again after Lost, when notifications
	// may have been missed meanwhile.
	Back func()
}

// Run listens on conn until ctx ends, reconnecting whenever the
// connection fails, and closes the connection it holds when it returns.
func (l *Listener) Run(ctx context.Context, conn *pgx.Conn) {
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for {
		wctx, cancel := context.WithTimeout(ctx, IdleCheck)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			call0(l.Alive)
			if l.Notified != nil {
				l.Notified(n)
			}
			continue
		}
		if errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed() {
			pctx, cancel := context.WithTimeout(ctx, pingTimeout)
			err = conn.Ping(pctx)
			cancel()
			if err == nil {
				call0(l.Alive)
				continue
			}
		}
		if l.Lost != nil {
			l.Lost(err)
		}
		conn.Close(context.Background())
		conn = l.reconnect(ctx)
		if conn == nil {
			return
		}
		call0(l.Back)
	}
}

// reconnect retries Connect with exponential backoff until it succeeds or
// ctx ends (then it returns nil).
func (l *Listener) reconnect(ctx context.Context) *pgx.Conn {
	wait := reconnectMin
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		conn, err := l.Connect(ctx)
		if err == nil {
			return conn
		}
		if ctx.Err() != nil {
			return nil
		}
		if l.Retry != nil {
			l.Retry(err, wait)
		}
		wait = min(wait*2, reconnectMax)
	}
}

func call0(f func()) {
	if f != nil {
		f()
	}
}
