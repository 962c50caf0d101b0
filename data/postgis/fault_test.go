package postgis_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

// cutProxy forwards TCP connections to the database until cut, which
// closes every connection and stops accepting, as a dead database or
// network would look; restore listens again on the same address.
type cutProxy struct {
	t      *testing.T
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	p := &cutProxy{t: t, target: target}
	p.restore("127.0.0.1:0")
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) restore(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestDatabaseLost cuts the store off its database: reads and writes fail
// with data.ErrUnavailable (the API answers 503 then), a change made
// meanwhile by someone else is not lost to the watcher, and everything
// works again once the database is back.
func TestDatabaseLost(t *testing.T) {
	direct := postgistest.NewSchema(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Skipf("the test database URL is not a postgres:// URL: %v", err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.addr
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	st := postgistest.MustOpenURL(t, u.String())
	ctx := context.Background()
	ds := storetest.Small()
	if _, err := st.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ch := watchCh(t, st)

	proxy.cut()
	g := *grid(t, ds, "C0-0")
	g.Name = "while the database is away"
	ectx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := st.EditGrid(ectx, data.GridEdit{Grid: g}); !errors.Is(err, data.ErrUnavailable) {
		t.Errorf("EditGrid without a database: err = %v, want data.ErrUnavailable", err)
	}
	if _, err := st.Snapshot(ectx); !errors.Is(err, data.ErrUnavailable) {
		t.Errorf("Snapshot without a database: err = %v, want data.ErrUnavailable", err)
	}
	if _, err := sqlConn(t, direct).Exec(ctx, "update stations set phone = '110' where id = 's01'"); err != nil {
		t.Fatal(err)
	}

	proxy.restore(proxy.addr)
	storetest.WaitSignal(t, ch, 10*time.Second) // the listener is back and says changes may have been missed
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatalf("Snapshot after the database came back: %v", err)
	}
	if snap.Stations[0].Phone != "110" {
		t.Errorf("the change made meanwhile is not visible: phone %q", snap.Stations[0].Phone)
	}
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: g}); err != nil {
		t.Fatalf("EditGrid after the database came back: %v", err)
	}
	storetest.WaitSignal(t, ch, acrossServers)
}
