package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

// tcpCut forwards connections to target until cut, which closes them all
// and stops accepting, as a dead database would look; restore listens
// again on the same address.
type tcpCut struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPCut(t *testing.T, target string) *tcpCut {
	p := &tcpCut{t: t, target: target}
	p.restore("127.0.0.1:0")
	t.Cleanup(p.cut)
	return p
}

func (p *tcpCut) restore(addr string) {
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

func (p *tcpCut) cut() {
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

// TestServePingsSurviveDatabaseLoss runs `jingge serve --db` and cuts the
// database off while devices post pings, as a real outage would: the API
// answers 503 with Retry-After meanwhile, devices send the same batch
// again with its Idempotency-Key until it is acknowledged, and afterwards
// the database holds exactly the acknowledged pings.
func TestServePingsSurviveDatabaseLoss(t *testing.T) {
	direct := postgistest.NewSchema(t)
	ctx := context.Background()
	st, err := openStore(ctx, direct, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.(data.Importer).Import(ctx, storetest.Small(), data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	pg := st.(*postgis.Store)
	if err := pg.CreateUser(ctx, data.User{Name: "devices", Role: data.RoleAdmin, PasswordHash: "-"}); err != nil {
		t.Fatal(err)
	}
	token, hash, id := data.NewSecret(data.KindToken)
	if err := pg.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: "devices", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	u, err := url.Parse(direct)
	if err != nil {
		t.Skipf("the test database URL is not a postgres:// URL: %v", err)
	}
	proxy := newTCPCut(t, u.Host)
	u.Host = proxy.addr
	q := u.Query()
	q.Set("connect_timeout", "1")
	u.RawQuery = q.Encode()
	base, _, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--db", u.String(), "--rate", "1000000", "--burst", "1000000", "--log-format", "json"}, stdout, stderr, openStore)
	})

	officers := []string{"m-P0-0", "m-P0-1", "m-P1-0", "m-P1-1"}
	const devices, batches, perBatch = 4, 25, 20
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	client := &http.Client{Timeout: 30 * time.Second}
	var acked, unavailable, noRetryAfter atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(60 * time.Second)
	for d := range devices {
		wg.Go(func() {
			o := officers[d]
			for b := range batches {
				var body bytes.Buffer
				body.WriteString(`{"pings":[`)
				for i := range perBatch {
					if i > 0 {
						body.WriteByte(',')
					}
					at := t0.Add(time.Duration(b*perBatch+i) * time.Second)
					fmt.Fprintf(&body, `{"officer":%q,"at":%q,"lon":%v,"lat":%v}`, o, at.Format(time.RFC3339), 109.105+float64(d%2)*0.02, 33.904+float64(d/2)*0.016)
				}
				body.WriteString(`]}`)
				key := fmt.Sprintf("device-%d-batch-%d", d, b)
				for {
					req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/patrols/pings", bytes.NewReader(body.Bytes()))
					req.Header.Set("Idempotency-Key", key)
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := client.Do(req)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							acked.Add(perBatch)
							break
						}
						if resp.StatusCode != http.StatusServiceUnavailable {
							t.Errorf("batch %s: status %d", key, resp.StatusCode)
							return
						}
						unavailable.Add(1)
						if resp.Header.Get("Retry-After") == "" {
							noRetryAfter.Add(1)
						}
					}
					if time.Now().After(deadline) {
						t.Errorf("batch %s not acknowledged by the deadline", key)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	for acked.Load() < devices*batches*perBatch/3 {
		time.Sleep(5 * time.Millisecond)
	}
	proxy.cut()
	time.Sleep(1500 * time.Millisecond)
	proxy.restore(proxy.addr)
	wg.Wait()
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
	if t.Failed() {
		return
	}
	if unavailable.Load() == 0 || noRetryAfter.Load() > 0 {
		t.Fatalf("%d answers 503 during the outage, %d of them without Retry-After; want some, all with it", unavailable.Load(), noRetryAfter.Load())
	}
	after, err := openStore(ctx, direct, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	var stored, distinct int64
	if err := after.(*postgis.Store).Pool().QueryRow(ctx, "select count(*), count(distinct (officer_id, at)) from patrol_pings").Scan(&stored, &distinct); err != nil {
		t.Fatal(err)
	}
	if stored != acked.Load() || distinct != stored {
		t.Errorf("acknowledged %d pings; the database holds %d (%d distinct)", acked.Load(), stored, distinct)
	}
	t.Logf("%d pings acknowledged and stored; %d answers 503 while the database was away", acked.Load(), unavailable.Load())
}
