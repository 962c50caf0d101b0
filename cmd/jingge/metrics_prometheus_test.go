package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
)

// prometheusTool finds a Prometheus binary (prometheus, promtool). They are
// installed by scripts/ci/install-deps.sh --prometheus; without one the
// test skips, except under CI, where it fails so the check cannot
// silently stop running.
func prometheusTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed, and CI must run this test: run scripts/ci/install-deps.sh --prometheus", name)
		}
		t.Skipf("%s is not installed; scripts/ci/install-deps.sh --prometheus installs it", name)
	}
	return path
}

// alertRules is the rule file docs/operations.md tells a bureau to load.
var alertRules = filepath.Join("..", "..", "docs", "alerts.yml")

// TestAlertRules checks the alerting rules of docs/ with promtool: they
// parse, and their unit tests (docs/alerts_test.yml) fire each alert they
// cover when it should and not before.
func TestAlertRules(t *testing.T) {
	promtool := prometheusTool(t, "promtool")
	for _, args := range [][]string{
		{"check", "rules", alertRules},
		{"test", "rules", filepath.Join("..", "..", "docs", "alerts_test.yml")},
	} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestScrapedByPrometheus runs a real Prometheus that scrapes jingge twice:
// on the main listener with the token of a user of the metrics role, and
// on the --metrics-addr listener with none. Once both targets are up, the
// series come back through PromQL: the index's grids, the scrapes counted
// by route, and a lookup made by a viewer; the alerting rules of docs/
// load and evaluate.
func TestScrapedByPrometheus(t *testing.T) {
	prometheus := prometheusTool(t, "prometheus")
	dir := t.TempDir()
	authFile := filepath.Join(dir, "auth.json")
	token := func(user, role string) string {
		mustCLI(t, "", "users", "add", user, "--role", role, "--auth-file", authFile)
		m := tokenRE.FindStringSubmatch(mustCLI(t, "", "tokens", "create", "--user", user, "--auth-file", authFile))
		if m == nil {
			t.Fatalf("no token printed for %s", user)
		}
		return m[1]
	}
	scraper, viewer := token("prometheus", "metrics"), token("wall", "viewer")
	st := memStore(t, apitest.Small())
	base, logs, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--log-format", "json", "--auth-file", authFile}, stdout, stderr, opener(st))
	})
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	m := metricsAddrRE.FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no metrics listener logged:\n%s", logs.String())
	}
	main, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "jingge.token")
	rules, err := filepath.Abs(alertRules)
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
rule_files: [%q]
scrape_configs:
  - job_name: jingge
    authorization: {type: Bearer, credentials_file: %q}
    static_configs: [{targets: [%q]}]
  - job_name: jingge-metrics-addr
    static_configs: [{targets: [%q]}]
`, rules, tokenFile, main.Host, m[1])
	configFile := filepath.Join(dir, "prometheus.yml")
	for name, text := range map[string]string{tokenFile: scraper + "\n", configFile: config} {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	addr := prometheusAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	cmd := exec.CommandContext(ctx, prometheus, "--config.file="+configFile, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting prometheus: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("prometheus:\n%s", out.String())
		}
	}()

	promQL := func(q string) (map[string]float64, bool) {
		resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return nil, false
		}
		defer resp.Body.Close()
		var r struct {
			Status string `json:"status"`
			Data   struct {
				Result []struct {
					Metric map[string]string `json:"metric"`
					Value  [2]any            `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&r) != nil || r.Status != "success" {
			return nil, false
		}
		got := map[string]float64{}
		for _, s := range r.Data.Result {
			text, _ := s.Value[1].(string)
			v, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return nil, false
			}
			got[s.Metric["job"]] = v
		}
		return got, true
	}
	// await polls q until each job's value satisfies want, for up to a
	// minute: scrapes every second, but a loaded machine starts slowly.
	await := func(what, q string, want func(float64) bool, jobs ...string) {
		t.Helper()
		var got map[string]float64
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			select {
			case err := <-exited:
				t.Fatalf("prometheus ended: %v", err)
			default:
			}
			var ok bool
			if got, ok = promQL(q); !ok {
				continue
			}
			all := true
			for _, j := range jobs {
				v, found := got[j]
				all = all && found && want(v)
			}
			if all {
				return
			}
		}
		t.Fatalf("%s: %s answered %v", what, q, got)
	}
	both := []string{"jingge", "jingge-metrics-addr"}
	await("both targets up", "up", func(v float64) bool { return v == 1 }, both...)
	await("the index's grids", "jingge_index_grids", func(v float64) bool { return v == 4 }, both...)
	await("the scrapes of the main listener counted", `sum by (job) (jingge_http_requests_total{route="getMetrics",code="200"})`, func(v float64) bool { return v >= 1 }, "jingge")

	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/lookup?lon=%v&lat=%v", base, apitest.InCommunity[0], apitest.InCommunity[1]), nil)
	req.Header.Set("Authorization", "Bearer "+viewer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lookup: %d", resp.StatusCode)
	}
	await("the lookup counted", `jingge_lookup_points_total{kind="single"}`, func(v float64) bool { return v == 1 }, both...)
	rulesLoaded(t, addr)
}

// rulesLoaded checks Prometheus loaded every rule of docs/alerts.yml and
// evaluates each without error.
func rulesLoaded(t *testing.T, addr string) {
	t.Helper()
	var r struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name           string `json:"name"`
					Health         string `json:"health"`
					LastError      string `json:"lastError"`
					LastEvaluation string `json:"lastEvaluation"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	var names []string
	evaluated := false
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/api/v1/rules?type=alert")
		if err != nil {
			continue
		}
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if err != nil || len(r.Data.Groups) == 0 {
			continue
		}
		names = names[:0]
		evaluated = true
		for _, rule := range r.Data.Groups[0].Rules {
			names = append(names, rule.Name)
			if rule.Health == "err" {
				t.Fatalf("rule %s: %s", rule.Name, rule.LastError)
			}
			evaluated = evaluated && rule.Health == "ok"
		}
		if evaluated {
			break
		}
	}
	if !evaluated {
		t.Errorf("Prometheus has not evaluated every rule within a minute: %+v", r.Data.Groups)
	}
	for _, want := range []string{"JinggeDatabaseDown", "JinggeAuditSpoolGrowing", "JinggeIndexStale", "JinggePingLag", "JinggeListenDown"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+want+" ") {
			t.Errorf("Prometheus did not load %s; it has %v", want, names)
		}
	}
}

// prometheusAddr is where the test's Prometheus listens:
// JINGGE_TEST_PROMETHEUS_ADDR, else a port free now on the loopback.
func prometheusAddr(t *testing.T) string {
	t.Helper()
	if a := os.Getenv("JINGGE_TEST_PROMETHEUS_ADDR"); a != "" {
		return a
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
