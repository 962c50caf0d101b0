package telemetry

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jingge/geo"
	"jingge/tiles"
)

// Traffic holds the counts of what the server looked up, served and took
// in, beside the per-route request counts. It is safe for concurrent use.
type Traffic struct {
	// lookups counts points looked up, by kind: "single" (GET
	// /api/v1/lookup) or "batch" (each point of POST /api/v1/lookup).
	lookups *prometheus.CounterVec
	// LookupSingle counts the points of GET /api/v1/lookup, LookupBatch
	// each point of POST /api/v1/lookup.
	LookupSingle, LookupBatch prometheus.Counter
	// tileBytes counts the bytes of tile bodies sent, by layer group
	// (tileGroup), never by tile.
	tileBytes *prometheus.CounterVec
	// tileGroups holds tileBytes' series of each group, looked up once:
	// a warm tile costs little more than its headers.
	tileGroups map[string]prometheus.Counter
	// pingLag observes, for each ping committed, how long after its own
	// time it was committed.
	pingLag prometheus.Histogram
	// newestPing is the newest ping time committed through this server,
	// in unix nanoseconds; 0 for none yet.
	newestPing atomic.Int64
}

func newTraffic() *Traffic {
	t := &Traffic{
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jingge_lookup_points_total", Help: "Points looked up, by kind: single (GET /api/v1/lookup) or batch (each point of POST /api/v1/lookup).",
		}, []string{"kind"}),
		tileBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jingge_tile_bytes_total", Help: "Bytes of vector tile bodies sent (as sent: gzip-encoded or not), by layer group: base (all index layers in one tile), index (one index layer), incidents, patrols, areas, places.",
		}, []string{"group"}),
		pingLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "jingge_ping_lag_seconds", Help: "For each patrol ping committed through this server: the time of the commit minus the ping's own time (a ping stamped ahead counts 0).",
			Buckets: []float64{.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600},
		}),
	}
	t.LookupSingle = t.lookups.WithLabelValues("single")
	t.LookupBatch = t.lookups.WithLabelValues("batch")
	t.tileGroups = map[string]prometheus.Counter{}
	for _, g := range []string{"base", "index", tiles.LayerIncidents, tiles.LayerPatrols, tiles.LayerAreas, tiles.LayerPlaces} {
		t.tileGroups[g] = t.tileBytes.WithLabelValues(g)
	}
	return t
}

// collectors returns the series of t and the newest ping's age, measured
// on now.
func (t *Traffic) collectors(now func() time.Time) []prometheus.Collector {
	return []prometheus.Collector{t.lookups, t.tileBytes, t.pingLag,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jingge_ping_newest_age_seconds", Help: "Seconds since the time of the newest patrol ping committed through this server; -1 before the first."},
			func() float64 {
				ns := t.newestPing.Load()
				if ns == 0 {
					return -1
				}
				return now().Sub(time.Unix(0, ns)).Seconds()
			}),
	}
}

// tileGroup is the group of layer in jingge_tile_bytes_total: the layers
// with routes of their own by name, the index layers as one group.
func tileGroup(layer string) string {
	switch layer {
	case "":
		return "base"
	case tiles.LayerIncidents, tiles.LayerPatrols, tiles.LayerAreas, tiles.LayerPlaces:
		return layer
	}
	return "index"
}

// TileSent counts n bytes of a tile of layer sent ("" for the base tile of
// every index layer).
func (t *Traffic) TileSent(layer string, n int) {
	t.tileGroups[tileGroup(layer)].Add(float64(n))
}

// PingsCommitted observes the lag of each of pings, committed at now, and
// advances the newest ping time.
func (t *Traffic) PingsCommitted(pings []geo.Ping, now time.Time) {
	newest := int64(0)
	for i := range pings {
		t.pingLag.Observe(max(0, now.Sub(pings[i].At).Seconds()))
		newest = max(newest, pings[i].At.UnixNano())
	}
	for {
		old := t.newestPing.Load()
		if newest <= old || t.newestPing.CompareAndSwap(old, newest) {
			return
		}
	}
}
