package postgistest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// CutProxy forwards TCP connections to a database until Cut, which closes
// every connection and stops accepting, as a dead database or network would
// look; Restore listens again. Fault tests point a store at Addr.
type CutProxy struct {
	tb     testing.TB
	target string

	mu    sync.Mutex
	addr  string
	ln    net.Listener
	conns []net.Conn
}

// NewCutProxy starts a proxy to target (host:port) on a free loopback port;
// it is cut when the test ends.
func NewCutProxy(tb testing.TB, target string) *CutProxy {
	tb.Helper()
	p := &CutProxy{tb: tb, target: target}
	p.Restore("127.0.0.1:0")
	tb.Cleanup(p.Cut)
	return p
}

// Addr is the proxy's host:port.
func (p *CutProxy) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// Restore listens on addr again (use Addr() to keep the same port).
func (p *CutProxy) Restore(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.tb.Fatalf("postgistest: proxy listen: %v", err)
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

// Cut closes the listener and every forwarded connection.
func (p *CutProxy) Cut() {
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
