package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"jingge/api/apitest"
	"jingge/api/telemetry"
	"jingge/data"
	"jingge/data/memory"
)

// gather reads s's metrics by family name.
func gather(t *testing.T, s *Server) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := s.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// TestMetricsLookupsTilesPings counts a single lookup and a batch's points
// by kind, the bytes of the tiles sent by layer group (equal to the bodies
// the client received), and a ping posted 90 s after its own time in the
// lag histogram and the newest ping's age.
func TestMetricsLookupsTilesPings(t *testing.T) {
	f := newRoleFixture(t)
	in := apitest.InCommunityB
	if rec := f.send(t, http.MethodGet, fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", in[0], in[1]), data.RoleViewer); rec.Code != http.StatusOK {
		t.Fatalf("lookup: %d %s", rec.Code, rec.Body.String())
	}
	batch := fmt.Sprintf(`{"points":[[%v,%v],[%v,%v],[%v,%v]]}`, in[0], in[1], in[0], in[1], apitest.Outside[0], apitest.Outside[1])
	if rec := f.sendBody(t, http.MethodPost, "/api/v1/lookup", data.RoleViewer, batch); rec.Code != http.StatusOK {
		t.Fatalf("batch: %d %s", rec.Code, rec.Body.String())
	}
	sent := map[string]int{}
	for _, c := range []struct{ path, group string }{
		{"/tiles/14/13167/6536.mvt", "base"},
		{"/tiles/14/13167/6536.mvt", "base"},
		{"/tiles/police_grids/14/13167/6536.mvt", "index"},
	} {
		rec := f.send(t, http.MethodGet, c.path, data.RoleViewer)
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Fatalf("%s: %d, %d bytes", c.path, rec.Code, rec.Body.Len())
		}
		sent[c.group] += rec.Body.Len()
	}
	at := time.Now().Add(-90 * time.Second).UTC().Format(time.RFC3339)
	ping := `{"pings":[{"officer":"m1","at":"` + at + `","lon":109.305,"lat":34.15}]}`
	if rec := f.sendBody(t, http.MethodPost, "/api/v1/patrols/pings", data.RoleOfficer, ping); rec.Code != http.StatusOK {
		t.Fatalf("pings: %d %s", rec.Code, rec.Body.String())
	}
	fams := scrape(t, f, data.RoleMetrics)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"jingge_lookup_points_total", map[string]string{"kind": "single"}, 1},
		{"jingge_lookup_points_total", map[string]string{"kind": "batch"}, 3},
		{"jingge_tile_bytes_total", map[string]string{"group": "base"}, float64(sent["base"])},
		{"jingge_tile_bytes_total", map[string]string{"group": "index"}, float64(sent["index"])},
		{"jingge_tile_bytes_total", map[string]string{"group": "patrols"}, 0},
		{"jingge_ping_lag_seconds", nil, 1},
	} {
		if got := value(fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	h := fams["jingge_ping_lag_seconds"].Metric[0].Histogram
	if h.GetSampleSum() < 90 {
		t.Errorf("ping lag sum %v, want at least 90 s", h.GetSampleSum())
	}
	for _, b := range h.Bucket {
		if b.GetUpperBound() < 90 && b.GetCumulativeCount() != 0 || b.GetUpperBound() >= 120 && b.GetCumulativeCount() != 1 {
			t.Errorf("ping lag bucket le=%v holds %d", b.GetUpperBound(), b.GetCumulativeCount())
		}
	}
	if age := value(fams, "jingge_ping_newest_age_seconds", nil); age < 90 {
		t.Errorf("newest ping age %v, want at least 90", age)
	}
}

// TestMetricsNoPingYet reports the newest ping's age as -1 before any.
func TestMetricsNoPingYet(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	if got := value(gather(t, s), "jingge_ping_newest_age_seconds", nil); got != -1 {
		t.Errorf("newest ping age %v before any ping, want -1", got)
	}
}

// TestMetricsRateLimitRefusals counts the refusals of the anonymous
// limiter and of the sign-in throttle under their names, and labels no
// series with an address or a user name.
func TestMetricsRateLimitRefusals(t *testing.T) {
	refusals := func(s *Server) map[string]float64 {
		out := map[string]float64{}
		for _, m := range gather(t, s)["jingge_ratelimit_refusals_total"].GetMetric() {
			if len(m.Label) != 1 || m.Label[0].GetName() != "limiter" {
				t.Fatalf("refusal labels %v", m.Label)
			}
			out[m.Label[0].GetValue()] = m.Counter.GetValue()
		}
		return out
	}
	send := func(s *Server, method, target, body string) int {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.RemoteAddr = "198.51.100.7:40000"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec.Code
	}

	anon := newTestServer(t, nil, Config{Access: &Access{Store: memory.NewAuth(0), Limits: Limits{Anonymous: 0.001, AnonymousBurst: 2}}})
	codes := []int{send(anon, http.MethodGet, "/healthz", ""), send(anon, http.MethodGet, "/healthz", ""), send(anon, http.MethodGet, "/healthz", "")}
	if codes[2] != http.StatusTooManyRequests {
		t.Fatalf("three anonymous requests with a burst of 2: %v", codes)
	}
	got := refusals(anon)
	if got["anonymous"] != 1 || got["login"] != 0 || got["credential"] != 0 || len(got) != int(limiterCount) {
		t.Errorf("refusals after one anonymous 429: %v", got)
	}

	login := newTestServer(t, nil, Config{Access: &Access{Store: memory.NewAuth(0)}})
	var last int
	for i := range int(loginPairRate.burst) + 1 {
		last = send(login, http.MethodPost, "/api/v1/login", fmt.Sprintf(`{"user":"someone","password":"guess %d"}`, i))
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("the sign-in after %v failures: %d", loginPairRate.burst, last)
	}
	got = refusals(login)
	if got["login"] != 1 || got["anonymous"] != 0 {
		t.Errorf("refusals after a throttled sign-in: %v", got)
	}
	for _, fam := range gather(t, login) {
		for _, m := range fam.Metric {
			for _, l := range m.Label {
				if strings.Contains(l.GetValue(), "198.51.100.7") || strings.Contains(l.GetValue(), "someone") {
					t.Errorf("%s has label %s=%q", fam.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
}

// pingerStub is a database that answers, or not, as told.
type pingerStub struct{ down atomic.Bool }

func (p *pingerStub) Ping(ctx context.Context) error {
	if p.down.Load() {
		return fmt.Errorf("stub: %w", data.ErrUnavailable)
	}
	return nil
}

// listenStub reports a fixed listener state.
type listenStub struct{ st data.ListenStatus }

func (l listenStub) ListenStatus() data.ListenStatus { return l.st }

// TestMetricsStoreAndListenHealth pings the database at each scrape (up
// follows it from one scrape to the next) and reports the listener's
// state; a server with neither reports no such series.
func TestMetricsStoreAndListenHealth(t *testing.T) {
	db := new(pingerStub)
	heard := time.Now().Add(-45 * time.Second)
	s := newTestServer(t, nil, Config{Database: db, Listener: listenStub{data.ListenStatus{Started: true, Connected: true, Reconnects: 3, LastHeard: heard, LastChange: heard.Add(-time.Hour)}}})
	fams := gather(t, s)
	if got := value(fams, "jingge_store_up", nil); got != 1 {
		t.Errorf("store up %v with a database that answers", got)
	}
	if got := value(fams, "jingge_store_ping_seconds", nil); got < 0 || got > telemetry.StoreProbeTimeout.Seconds()+1 {
		t.Errorf("store ping %v s", got)
	}
	if got := value(fams, "jingge_listen_connected", nil); got != 1 {
		t.Errorf("listen connected %v", got)
	}
	if got := value(fams, "jingge_listen_reconnects_total", nil); got != 3 {
		t.Errorf("listen reconnects %v", got)
	}
	if got := value(fams, "jingge_listen_last_heard_seconds", nil); got < 45 {
		t.Errorf("listen last heard %v s ago, want at least 45", got)
	}
	if got := value(fams, "jingge_listen_last_change_seconds", nil); got < 3645 {
		t.Errorf("listen last change %v s ago, want at least 3645", got)
	}
	db.down.Store(true)
	if got := value(gather(t, s), "jingge_store_up", nil); got != 0 {
		t.Errorf("store up %v with a database that does not answer", got)
	}

	quiet := newTestServer(t, nil, Config{Listener: listenStub{}})
	fams = gather(t, quiet)
	if _, ok := fams["jingge_store_up"]; ok {
		t.Error("jingge_store_up without a database")
	}
	if got := value(fams, "jingge_listen_connected", nil); got != 0 {
		t.Errorf("listen connected %v before listening", got)
	}
	if got := value(fams, "jingge_listen_last_heard_seconds", nil); got != -1 {
		t.Errorf("listen last heard %v before listening, want -1", got)
	}
	if got := value(fams, "jingge_listen_last_change_seconds", nil); got != -1 {
		t.Errorf("listen last change %v before listening, want -1", got)
	}
}
