package postgis

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"jingge/data/postgis/pglisten"
)

// WatchPatrols implements data.PatrolStore. The first call opens a
// connection that LISTENs on the patrol channel, to which every committed
// ping batch, sweep and event notifies (from any server). When it drops,
// the store reconnects with backoff and then wakes every watcher, since
// notifications may have been missed meanwhile.
func (p *Patrols) WatchPatrols(ctx context.Context) (<-chan struct{}, error) {
	if err := p.startListener(ctx); err != nil {
		return nil, err
	}
	ch := make(chan struct{}, 1)
	p.mu.Lock()
	p.watchers[ch] = struct{}{}
	p.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-p.ctx.Done():
		}
		p.mu.Lock()
		delete(p.watchers, ch)
		close(ch)
		p.mu.Unlock()
	}()
	return ch, nil
}

// startListener connects and LISTENs before returning, so a change
// committed after WatchPatrols returns is never missed.
func (p *Patrols) startListener(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("postgis: watch patrols: the store is closed")
	}
	if p.listening {
		return nil
	}
	conn, err := p.connectListener(ctx)
	if err != nil {
		return mapError("watch patrols", err)
	}
	p.listening = true
	p.wg.Go(func() { p.listenLoop(conn) })
	return nil
}

func (p *Patrols) connectListener(ctx context.Context) (*pgx.Conn, error) {
	cfg := p.st.listen.Copy()
	cfg.RuntimeParams["application_name"] = "jingge-patrols:" + p.st.schema
	if len(cfg.RuntimeParams["application_name"]) > 63 {
		cfg.RuntimeParams["application_name"] = cfg.RuntimeParams["application_name"][:63]
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "listen "+pgx.Identifier{patrolChannel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// listenLoop wakes the watchers on every notification for this schema
// until the store closes.
func (p *Patrols) listenLoop(conn *pgx.Conn) {
	l := pglisten.Listener{
		Connect: p.connectListener,
		Notified: func(n *pgconn.Notification) {
			if n.Payload == p.st.schema {
				p.broadcast()
			}
		},
		Lost: func(err error) {
			p.st.logger.Warn("lost the database connection that listens for patrol changes; reconnecting", "schema", p.st.schema, "err", err)
		},
		Back: func() {
			p.st.logger.Info("listening for patrol changes again", "schema", p.st.schema)
			p.broadcast()
		},
	}
	l.Run(p.ctx, conn)
}

// broadcast wakes every watcher; one with a value pending is not sent
// another, so bursts coalesce.
func (p *Patrols) broadcast() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for ch := range p.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
