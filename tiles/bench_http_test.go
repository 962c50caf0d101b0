package tiles

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/maptile"
)

// httpClients is how many requests the HTTP benchmarks keep in flight:
// enough to keep both sides' cores busy on a small machine.
const httpClients = 8

// BenchmarkTileColdHTTP asks for every tile over the county that holds a
// grid, in turn, over HTTP on loopback with no tile cache: jingge renders
// the police and community grid layers from the shared arcs and
// gzip-compresses them (what a cache miss costs the server), postgis runs
// the ST_AsMVT(ST_AsMVTGeom(...)) query of BenchmarkTileCold per request
// on a pool of connections, as pg_tileserv and Martin do, and answers
// uncompressed, as they do. Both are asked by the same client, with
// httpClients requests in flight. Skipped without a database, except
// jingge's side.
func BenchmarkTileColdHTTP(b *testing.B) {
	src := NewSource(lantianIndex(b), Options{})
	pg := openPostGISBaseline(b, src)
	jingge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := parseBenchPath(r.URL.Path)
		if !ok {
			http.NotFound(w, r)
			return
		}
		raw, err := src.Tile(r.Context(), t, gridLayers...)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		tile, err := NewTile(raw, DefaultGzipLevel)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeBenchTile(w, tile.Gzip, "gzip")
	}))
	defer jingge.Close()
	var postgis *httptest.Server
	if pg != nil {
		postgis = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t, ok := parseBenchPath(r.URL.Path)
			if !ok {
				http.NotFound(w, r)
				return
			}
			var data []byte
			if err := pg.pool.QueryRow(r.Context(), pgTileSQL, int32(t.Z), int32(t.X), int32(t.Y)).Scan(&data); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeBenchTile(w, data, "")
		}))
		defer postgis.Close()
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: httpClients, DisableCompression: true}}
	for _, z := range benchZooms {
		src.Prepare(z)
		tiles := countyTiles(b, src, z)
		b.Run(fmt.Sprintf("z%d/jingge", z), func(b *testing.B) { loadTiles(b, client, jingge.URL, tiles, nil) })
		b.Run(fmt.Sprintf("z%d/postgis", z), func(b *testing.B) {
			if postgis == nil {
				b.Skip(pgSkipReason)
			}
			loadTiles(b, client, postgis.URL, tiles, postgresCPU(b, pg))
		})
	}
}

// loadTiles sends b.N tile requests to base from httpClients clients,
// cycling through tiles, and reports tiles/s, bytes per tile and CPU per
// tile: this process's (server and clients) plus, when otherCPU is set,
// what it reads (the database's). CPU time does not stretch with other
// work on the machine as wall time does, and counts a database's
// backends, which outnumber a Go server's threads in the scheduler's
// share of a busy machine.
func loadTiles(b *testing.B, client *http.Client, base string, tiles []maptile.Tile, otherCPU func() time.Duration) {
	b.Helper()
	if otherCPU == nil {
		otherCPU = func() time.Duration { return 0 }
	}
	cpu0 := selfCPU() + otherCPU()
	var next, received atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var failure error
	b.ResetTimer()
	start := time.Now()
	for range httpClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t := tiles[i%int64(len(tiles))]
				req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/%d/%d/%d", base, t.Z, t.X, t.Y), nil)
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := client.Do(req)
				if err == nil {
					var n int64
					n, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					received.Add(n)
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s: %s", Path(t), resp.Status)
					}
				}
				if err != nil {
					once.Do(func() { failure = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := selfCPU() + otherCPU() - cpu0
	b.StopTimer()
	if failure != nil {
		b.Fatal(failure)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tiles/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/tile")
	b.ReportMetric(float64(received.Load())/float64(b.N), "B/tile")
}

// parseBenchPath reads /z/x/y.
func parseBenchPath(p string) (maptile.Tile, bool) {
	var z, x, y uint32
	if n, err := fmt.Sscanf(p, "/%d/%d/%d", &z, &x, &y); n != 3 || err != nil || z > MaxZoom {
		return maptile.Tile{}, false
	}
	return maptile.New(x, y, maptile.Zoom(z)), true
}

// writeBenchTile answers with an MVT body in the given content encoding.
func writeBenchTile(w http.ResponseWriter, body []byte, encoding string) {
	h := w.Header()
	h.Set("Content-Type", "application/vnd.mapbox-vector-tile")
	if encoding != "" {
		h.Set("Content-Encoding", encoding)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// postgresCPU returns a function reading the CPU time of the backends of
// pg's pool (those of its connections open now, from /proc; 0 where there
// is no /proc or the database runs elsewhere).
func postgresCPU(b *testing.B, pg *pgBaseline) func() time.Duration {
	b.Helper()
	var pids []int
	var conns []*pgxpool.Conn
	for range httpClients {
		c, err := pg.pool.Acquire(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
		var pid int
		if err := c.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			b.Fatal(err)
		}
		pids = append(pids, pid)
	}
	for _, c := range conns {
		c.Release()
	}
	return func() time.Duration {
		var ticks float64
		for _, pid := range pids {
			raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err != nil {
				continue
			}
			// Fields after the command name: utime and stime are the 12th
			// and 13th, in clock ticks (USER_HZ, 100 on Linux).
			f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
			if len(f) > 12 {
				u, _ := strconv.ParseFloat(f[11], 64)
				s, _ := strconv.ParseFloat(f[12], 64)
				ticks += u + s
			}
		}
		return time.Duration(ticks / 100 * float64(time.Second))
	}
}
