package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"jingge/data/postgis/postgistest"
)

// TestServeMetricsOfDatabase serves a PostGIS store behind a proxy with
// --metrics-addr: the metrics listener answers 503 while the database
// cannot be reached, then reports the database up and its change listener
// connected; once the proxy cuts every connection, the database is down
// at the next scrape and the listener disconnected.
func TestServeMetricsOfDatabase(t *testing.T) {
	direct := postgistest.NewSchema(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Skipf("the test database URL is not a postgres:// URL: %v", err)
	}
	proxy := postgistest.NewCutProxy(t, u.Host)
	proxy.Cut()
	u.Host = proxy.Addr()
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()

	ctx, cancel := context.WithCancel(context.Background())
	logs := new(syncBuffer)
	done := make(chan error, 1)
	go func() {
		done <- serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--db", u.String(), "--metrics-addr", "127.0.0.1:0", "--log-format", "json"}, io.Discard, logs, openStore)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("serve did not return 10s after its context ended")
		}
	}()
	var addr string
	waitUntil(t, 30*time.Second, "the metrics listener is logged", func() bool {
		if m := metricsAddrRE.FindStringSubmatch(logs.String()); m != nil {
			addr = m[1]
			return true
		}
		return false
	})
	scrape := func() (int, string) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatalf("GET /metrics: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := scrape(); code != http.StatusServiceUnavailable {
		t.Errorf("the metrics listener before the database is reachable: %d, want 503", code)
	}
	series := func(body, name string) float64 {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			return -2
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	proxy.Restore(proxy.Addr())
	waitUntil(t, 60*time.Second, "the database is up and listened to", func() bool {
		code, body := scrape()
		return code == http.StatusOK && series(body, "jingge_store_up") == 1 && series(body, "jingge_listen_connected") == 1 && series(body, "jingge_listen_last_heard_seconds") >= 0
	})
	proxy.Cut()
	waitUntil(t, 60*time.Second, "the database is down and the listener disconnected", func() bool {
		code, body := scrape()
		return code == http.StatusOK && series(body, "jingge_store_up") == 0 && series(body, "jingge_listen_connected") == 0
	})
	proxy.Restore(proxy.Addr())
	waitUntil(t, 60*time.Second, "the listener reconnected", func() bool {
		_, body := scrape()
		return series(body, "jingge_store_up") == 1 && series(body, "jingge_listen_connected") == 1 && series(body, "jingge_listen_reconnects_total") >= 1
	})
}
