package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"jingge/api/apitest"
)

// TestMetricsAddrCheck accepts loopback and private addresses for the
// separate /metrics listener and refuses every interface, public
// addresses and host names unless --metrics-addr-public is given.
func TestMetricsAddrCheck(t *testing.T) {
	for _, c := range []struct {
		addr   string
		public bool
		ok     bool
	}{
		{"", false, true},
		{"127.0.0.1:9464", false, true},
		{"localhost:9464", false, true},
		{"[::1]:9464", false, true},
		{"10.1.2.3:9464", false, true},
		{"192.168.0.9:9464", false, true},
		{"[fd00::5]:9464", false, true},
		{":9464", false, false},
		{"0.0.0.0:9464", false, false},
		{"[::]:9464", false, false},
		{"203.0.113.5:9464", false, false},
		{"metrics.example:9464", false, false},
		{"0.0.0.0:9464", true, true},
		{"203.0.113.5:9464", true, true},
		{"9464", false, false},
	} {
		err := metricsOptions{addr: c.addr, public: c.public}.check()
		if (err == nil) != c.ok || err != nil && !errors.Is(err, errUsage) {
			t.Errorf("--metrics-addr %q public=%v: %v", c.addr, c.public, err)
		}
	}
	t.Setenv("JINGGE_METRICS_ADDR_PUBLIC", "sometimes")
	if err := (metricsOptions{}).check(); !errors.Is(err, errUsage) {
		t.Errorf("an unreadable JINGGE_METRICS_ADDR_PUBLIC: %v", err)
	}
}

// metricsAddrRE finds the separate listener's address in serve's JSON log.
var metricsAddrRE = regexp.MustCompile(`"msg":"serving /metrics without sign-in","addr":"([^"]+)"`)

// TestServeMetricsAddr serves /metrics on a second listener without a
// credential, while the main listener still asks for one; a server started
// with a public --metrics-addr refuses to start.
func TestServeMetricsAddr(t *testing.T) {
	st := memStore(t, apitest.Small())
	base, logs, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--log-format", "json", "--auth-file", t.TempDir() + "/auth.json"}, stdout, stderr, opener(st))
	})
	m := metricsAddrRE.FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no metrics listener logged:\n%s", logs.String())
	}
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("http://" + m[1] + "/metrics"); code != http.StatusOK || !strings.Contains(body, "jingge_index_grids 4") {
		t.Errorf("the metrics listener: %d\n%s", code, body)
	}
	if code, _ := get("http://" + m[1] + "/api/v1/stations"); code != http.StatusNotFound {
		t.Errorf("the metrics listener serves the API: %d", code)
	}
	if code, _ := get(base + "/metrics"); code != http.StatusUnauthorized {
		t.Errorf("the main listener serves /metrics without a credential: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := http.Get("http://" + m[1] + "/metrics"); err == nil {
		t.Error("the metrics listener still answers after shutdown")
	}

	err := serveCommand(context.Background(), []string{"--addr", "127.0.0.1:0", "--metrics-addr", "0.0.0.0:0"}, io.Discard, io.Discard, opener(st))
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--metrics-addr-public") {
		t.Errorf("a metrics listener on every interface: %v", err)
	}
}
