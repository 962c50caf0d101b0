package telemetry

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jingge/data"
)

// StoreProbeTimeout bounds the ping of each scrape: a database slower than
// this to answer counts as down (and Prometheus's own scrape timeout, 10 s
// by default, is not reached).
const StoreProbeTimeout = 2 * time.Second

// storeCollector pings the database at every scrape, so jingge_store_up is
// as fresh as the scrape itself and no prober runs between scrapes.
type storeCollector struct {
	db      data.Pinger
	up, rtt *prometheus.Desc
}

func newStoreCollector(db data.Pinger) *storeCollector {
	return &storeCollector{
		db:  db,
		up:  prometheus.NewDesc("jingge_store_up", "1 if the database answered a ping within 2 s at this scrape, else 0.", nil, nil),
		rtt: prometheus.NewDesc("jingge_store_ping_seconds", "Round trip of this scrape's ping to the database (up to the 2 s limit when it did not answer).", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.up; ch <- c.rtt }

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), StoreProbeTimeout)
	defer cancel()
	start := time.Now()
	err := c.db.Ping(ctx)
	rtt := time.Since(start).Seconds()
	up := 1.0
	if err != nil {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(c.rtt, prometheus.GaugeValue, rtt)
}

// listenCollector reports the store's change listener.
type listenCollector struct {
	src                                data.ListenReporter
	connected, reconnects, ago, change *prometheus.Desc
}

func newListenCollector(src data.ListenReporter) *listenCollector {
	return &listenCollector{
		src:        src,
		connected:  prometheus.NewDesc("jingge_listen_connected", "1 while the connection that listens for the database's change notifications is open, else 0 (reconnecting, or not started).", nil, nil),
		reconnects: prometheus.NewDesc("jingge_listen_reconnects_total", "Times the listening connection was lost and opened again.", nil, nil),
		ago:        prometheus.NewDesc("jingge_listen_last_heard_seconds", "Seconds since the listening connection last received a notification or a keepalive answer (one is sent after 30 s of silence); -1 before it listened.", nil, nil),
		change:     prometheus.NewDesc("jingge_listen_last_change_seconds", "Seconds since the listening connection last told of a change to the dataset (or reconnected, when changes may have been missed); -1 before the first. An index older than this by more than a reload's time missed a change.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *listenCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.connected
	ch <- c.reconnects
	ch <- c.ago
	ch <- c.change
}

// Collect implements prometheus.Collector.
func (c *listenCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.ListenStatus()
	connected := 0.0
	if st.Connected {
		connected = 1
	}
	ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, connected)
	ch <- prometheus.MustNewConstMetric(c.reconnects, prometheus.CounterValue, float64(st.Reconnects))
	ch <- prometheus.MustNewConstMetric(c.ago, prometheus.GaugeValue, secondsSince(st.LastHeard))
	ch <- prometheus.MustNewConstMetric(c.change, prometheus.GaugeValue, secondsSince(st.LastChange))
}

// secondsSince is the seconds since t, or -1 for the zero time.
func secondsSince(t time.Time) float64 {
	if t.IsZero() {
		return -1
	}
	return time.Since(t).Seconds()
}
