package telemetry

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"jingge/geo"
	"jingge/tiles"
)

// family reads one family of m by name; nil when it has no series.
func family(t *testing.T, m *Metrics, name string) *dto.MetricFamily {
	t.Helper()
	fams, err := m.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return f
		}
	}
	return nil
}

// labelled is the value of the series of fam whose label name is value.
func labelled(fam *dto.MetricFamily, labels map[string]string) float64 {
	for _, m := range fam.GetMetric() {
		match := true
		for _, l := range m.GetLabel() {
			if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
				match = false
			}
		}
		if match {
			return m.GetCounter().GetValue()
		}
	}
	return -1
}

// TestInstrumentLabels: a route's requests are counted by method and
// status, a method no client should invent as "other", and a handler that
// writes nothing as 200.
func TestInstrumentLabels(t *testing.T) {
	m := New(Sources{})
	h := m.Instrument("getThing", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
	}))
	for _, method := range []string{http.MethodGet, http.MethodGet, http.MethodPost, "BREW"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/thing?secret=1", nil))
	}
	fam := family(t, m, "jingge_http_requests_total")
	for _, c := range []struct {
		method, code string
		want         float64
	}{{"get", "200", 2}, {"post", "201", 1}, {"other", "200", 1}} {
		if got := labelled(fam, map[string]string{"route": "getThing", "method": c.method, "code": c.code}); got != c.want {
			t.Errorf("%s %s: %v, want %v", c.method, c.code, got, c.want)
		}
	}
	if n := len(fam.GetMetric()); n != 3 {
		t.Errorf("%d series, want 3", n)
	}
}

// TestTrafficGroupsAndPings: tile bytes are counted by group, never by
// tile; the newest ping's age follows the newest ping committed, not the
// last.
func TestTrafficGroupsAndPings(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	m := New(Sources{Now: func() time.Time { return now }})
	if got := family(t, m, "jingge_ping_newest_age_seconds").GetMetric()[0].GetGauge().GetValue(); got != -1 {
		t.Errorf("newest ping age %v before any, want -1", got)
	}
	m.Traffic.TileSent("", 10)
	m.Traffic.TileSent(tiles.LayerCommunityGrids, 20)
	m.Traffic.TileSent(tiles.LayerPoliceGrids, 5)
	m.Traffic.TileSent(tiles.LayerIncidents, 7)
	fam := family(t, m, "jingge_tile_bytes_total")
	for group, want := range map[string]float64{"base": 10, "index": 25, tiles.LayerIncidents: 7, tiles.LayerPatrols: 0} {
		if got := labelled(fam, map[string]string{"group": group}); got != want {
			t.Errorf("group %s: %v bytes, want %v", group, got, want)
		}
	}
	m.Traffic.PingsCommitted([]geo.Ping{{At: now.Add(-30 * time.Second)}, {At: now.Add(-90 * time.Second)}}, now)
	m.Traffic.PingsCommitted([]geo.Ping{{At: now.Add(-time.Hour)}}, now)
	if got := family(t, m, "jingge_ping_newest_age_seconds").GetMetric()[0].GetGauge().GetValue(); got != 30 {
		t.Errorf("newest ping age %v, want 30", got)
	}
	if got := family(t, m, "jingge_ping_lag_seconds").GetMetric()[0].GetHistogram().GetSampleCount(); got != 3 {
		t.Errorf("%d lags observed, want 3", got)
	}
}
