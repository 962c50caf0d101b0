package api

import (
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"jingge/api/apitest"
	"jingge/data"
	"jingge/data/memory"
)

// scrape reads /metrics as role with a Prometheus text parser.
func scrape(t *testing.T, f *roleFixture, role data.Role) map[string]*dto.MetricFamily {
	t.Helper()
	rec := f.send(t, http.MethodGet, "/metrics", role)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics as %s: %d %q %s", role, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("the metrics do not parse: %v\n%s", err, rec.Body.String())
	}
	return fams
}

// value is the sample of family name whose labels include want, or -1.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	fam, ok := fams[name]
	if !ok {
		return -1
	}
next:
	for _, m := range fam.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// TestMetricsScrape serves requests, then scrapes /metrics with a scraper's
// token: the counts are by route name, never by path, tiles served twice
// hit the cache, pings are counted, the index has a version, and only
// admins and the metrics role may read it.
func TestMetricsScrape(t *testing.T) {
	f := newRoleFixture(t)
	for range 3 {
		if rec := f.send(t, http.MethodGet, "/api/v1/grids/"+apitest.PoliceA, data.RoleViewer); rec.Code != http.StatusOK {
			t.Fatalf("getGrid: %d", rec.Code)
		}
	}
	f.send(t, http.MethodGet, "/api/v1/grids/nope", data.RoleViewer)
	for range 2 {
		if rec := f.send(t, http.MethodGet, "/tiles/14/13365/6494.mvt", data.RoleViewer); rec.Code >= 300 {
			t.Fatalf("tile: %d %s", rec.Code, rec.Body.String())
		}
	}
	if rec := f.sendBody(t, http.MethodPost, "/api/v1/patrols/pings", data.RoleOfficer, pingExample); rec.Code != http.StatusOK {
		t.Fatalf("pings: %d %s", rec.Code, rec.Body.String())
	}
	fams := scrape(t, f, data.RoleMetrics)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"jingge_http_requests_total", map[string]string{"route": "getGrid", "method": "get", "code": "200"}, 3},
		{"jingge_http_requests_total", map[string]string{"route": "getGrid", "code": "404"}, 1},
		{"jingge_http_request_duration_seconds", map[string]string{"route": "getGrid"}, 4},
		{"jingge_tile_cache_hits_total", nil, 1},
		{"jingge_tile_cache_misses_total", nil, 1},
		{"jingge_pings_ingested_total", nil, 1},
		{"jingge_index_swaps_total", nil, 1},
		{"jingge_index_grids", nil, 4},
		{"jingge_sse_clients", nil, 0},
	} {
		if got := value(fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if age := value(fams, "jingge_index_age_seconds", nil); age < 0 {
		t.Errorf("index age %v", age)
	}
	for _, fam := range fams {
		for _, m := range fam.Metric {
			for _, l := range m.Label {
				if strings.Contains(l.GetValue(), "/") || strings.Contains(l.GetValue(), apitest.PoliceA) || strings.Contains(l.GetValue(), "u-") {
					t.Errorf("%s has label %s=%q: a path, an id or a user", fam.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	scrape(t, f, data.RoleAdmin)
	for _, role := range []data.Role{data.RoleViewer, data.RolePlanner, data.RoleOfficer} {
		if rec := f.send(t, http.MethodGet, "/metrics", role); rec.Code != http.StatusForbidden {
			t.Errorf("%s reads /metrics: %d", role, rec.Code)
		}
	}
	if rec := f.send(t, http.MethodGet, "/api/v1/stations", data.RoleMetrics); rec.Code != http.StatusForbidden {
		t.Errorf("the metrics role reads stations: %d", rec.Code)
	}
}

// spoolStub is an audit log with entries waiting in its spool.
type spoolStub struct {
	data.AuditLog
	n int
}

func (s spoolStub) Spooled() int { return s.n }

// TestMetricsAuditSpool reports the spool's depth when the audit log has
// one, and no such series when it has none.
func TestMetricsAuditSpool(t *testing.T) {
	depth := func(cfg Config) float64 {
		t.Helper()
		s := newTestServer(t, nil, cfg)
		fams, err := s.metrics.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, fam := range fams {
			if fam.GetName() == "jingge_audit_spool_entries" {
				return fam.Metric[0].Gauge.GetValue()
			}
		}
		return -1
	}
	auth := memory.NewAuth(0)
	if got := depth(Config{Access: &Access{Store: auth, Audit: spoolStub{auth, 7}}}); got != 7 {
		t.Errorf("spool depth %v, want 7", got)
	}
	if got := depth(Config{Access: &Access{Store: auth}}); got != -1 {
		t.Errorf("a server without a spool reports depth %v", got)
	}
}
