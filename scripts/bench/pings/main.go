// Command pings measures sustained ping ingestion through the HTTP API into
// PostGIS, as recorded in docs/performance.md ("Patrol pings"), beside a
// baseline in the same run: the same server and clients, but a store that
// writes each ping with its own INSERT (one transaction per request, no
// COPY, no group commit, and no officer states or events, so the baseline
// does less work than the real path). Mode datadir measures the embedded
// store instead: the same server and clients, pings kept in a data
// directory (a temporary one), each batch acknowledged after its journal
// record is fsynced.
//
//	go run ./scripts/bench/pings -db "$JINGGE_TEST_DATABASE_URL" [-duration 15s] [-clients 32] [-batch 500] [-modes copy,rows,datadir]
//
// Each mode gets a fresh schema (dropped afterwards), a jingge API server on
// a free loopback port and the clients, which post batches of the Lantian
// officers' positions (each officer mostly inside one grid, now and then in
// another, so some geofence events happen) for the duration, as fast as
// the server acknowledges. After the clients stop, the stored pings are
// counted: stored must equal acknowledged. It prints pings/s, requests/s
// and latency percentiles per mode, then the ratio.
//
// It refuses a database that is not on a loopback address.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"jingge/api"
	"jingge/api/patrolling"
	"jingge/data"
	"jingge/data/follow"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/data/postgis"
	"jingge/geo"
)

type options struct {
	db       string
	duration time.Duration
	clients  int
	batch    int
	modes    []string
	// committers is postgis.PatrolOptions.Committers (0: the default).
	committers int
	// listen is the server's loopback address; port 0 picks a free one.
	listen string
	// noGiST drops the spatial index of patrol_pings, to measure its cost.
	noGiST bool
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pings:", err)
		os.Exit(1)
	}
}

func run() error {
	var o options
	var modes string
	flag.StringVar(&o.db, "db", os.Getenv("JINGGE_TEST_DATABASE_URL"), "PostgreSQL `URL` (loopback only); a schema is created and dropped per mode")
	flag.DurationVar(&o.duration, "duration", 15*time.Second, "how long each mode runs")
	flag.IntVar(&o.clients, "clients", 32, "concurrent clients")
	flag.IntVar(&o.batch, "batch", 500, "pings per request")
	flag.StringVar(&modes, "modes", "copy,rows", "what to measure: copy (the PostGIS store), copy-nofence (the same with no special area fenced, as before areas raised events), rows (INSERT per ping), datadir (the embedded store's data directory)")
	flag.BoolVar(&o.noGiST, "no-gist", false, "drop the GiST index of patrol_pings first, to measure what it costs")
	flag.StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback `address` the server listens on (port 0: a free one)")
	flag.IntVar(&o.committers, "committers", 0, "transactions committing pings at once (0: the store's default)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (server and clients) to `file`")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	o.modes = strings.Split(modes, ",")
	if err := loopbackOnly(o.db); err != nil {
		return err
	}
	ds, err := lantian.Load()
	if err != nil {
		return err
	}
	// The servers under test follow a store of the county, as serve does.
	grids, err := memory.New(ds)
	if err != nil {
		return err
	}
	live := new(geo.Live)
	if err := follow.New(grids, live, nil).Load(context.Background()); err != nil {
		return err
	}
	fmt.Printf("ingestion through the HTTP API: %d clients, %d pings per request, %s per mode\n", o.clients, o.batch, o.duration)
	rates := map[string]float64{}
	for _, mode := range o.modes {
		r, err := measure(o, mode, live)
		if err != nil {
			return fmt.Errorf("%s: %w", mode, err)
		}
		rates[mode] = r
	}
	if rates["copy"] > 0 && rates["rows"] > 0 {
		fmt.Printf("copy / rows: %.1fx\n", rates["copy"]/rates["rows"])
	}
	if rates["copy"] > 0 && rates["datadir"] > 0 {
		fmt.Printf("datadir / copy: %.2fx\n", rates["datadir"]/rates["copy"])
	}
	return nil
}

func loopbackOnly(dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil || u.Hostname() == "" {
		return errors.New("-db must be a postgres:// URL with a host")
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil || len(ips) == 0 || !ips[0].IsLoopback() {
		return fmt.Errorf("-db host %s is not a loopback address", u.Hostname())
	}
	return nil
}

// measure runs one mode and returns its acknowledged pings per second.
func measure(o options, mode string, live *geo.Live) (float64, error) {
	if mode == "datadir" {
		return measureDataDir(o, live)
	}
	ix := live.Load()
	ctx := context.Background()
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	schema := "bench_pings_" + mode + "_" + hex.EncodeToString(suffix[:])
	st, err := postgis.Open(ctx, o.db, postgis.Options{Schema: schema})
	if err != nil {
		return 0, err
	}
	defer dropSchema(o.db, schema)
	defer st.Close()
	now := time.Now()
	if _, err := st.EnsurePartitions(ctx, now.AddDate(0, -1, 0), now.AddDate(0, 1, 0)); err != nil {
		return 0, err
	}
	if o.noGiST {
		if _, err := st.Pool().Exec(ctx, "drop index patrol_pings_location_gix"); err != nil {
			return 0, err
		}
	}
	patrols := postgis.NewPatrols(st, postgis.PatrolOptions{Committers: o.committers})
	defer patrols.Close()
	var store data.PatrolStore = patrols
	var popts api.PatrolOptions
	switch mode {
	case "rows":
		store = &rowStore{PatrolStore: patrols, st: st}
	case "copy-nofence":
		popts.FenceKinds = []geo.AreaKind{}
	case "copy":
	default:
		return 0, fmt.Errorf("unknown mode %q (want copy, copy-nofence, rows or datadir)", mode)
	}
	srv := &http.Server{
		Handler:      api.New(api.Config{Index: live, Patrols: store, PatrolOptions: popts, Logger: slog.New(slog.DiscardHandler)}).Handler(),
		ReadTimeout:  60 * time.Second,
		WriteTimeout: 60 * time.Second,
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return 0, err
	}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	officers := policeOfficers(ix)
	pgCPU := postgresCPU(ctx, st)
	pg0, self0 := pgCPU(), selfCPU()
	res := drive(base, o, officers, ix)
	pgUsed, selfUsed := pgCPU()-pg0, selfCPU()-self0
	var stored int64
	if err := st.Pool().QueryRow(ctx, "select count(*) from patrol_pings").Scan(&stored); err != nil {
		return 0, err
	}
	var events int64
	_ = st.Pool().QueryRow(ctx, "select count(*) from patrol_events").Scan(&events)
	rate := float64(res.acked) / res.elapsed.Seconds()
	slices.Sort(res.latencies)
	pct := func(p float64) time.Duration {
		if len(res.latencies) == 0 {
			return 0
		}
		return res.latencies[int(p*float64(len(res.latencies)-1))]
	}
	fmt.Printf("%-5s %9.0f pings/s  %7.0f requests/s  p50 %-8v p99 %-8v  acknowledged %d, stored %d, events %d, failed requests %d\n",
		mode, rate, float64(len(res.latencies))/res.elapsed.Seconds(), pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), res.acked, stored, events, res.failed)
	if pgUsed > 0 && res.acked > 0 {
		// CPU time per ping does not depend on what else the machine runs:
		// it says how fast the two cores could go with nothing else on them.
		perPing := (pgUsed + selfUsed).Seconds() / float64(res.acked)
		fmt.Printf("      CPU per ping: %.1f µs in this process (server and clients), %.1f µs in PostgreSQL; %.0f pings/s per core, %.0f on 2 cores with nothing else running\n",
			selfUsed.Seconds()/float64(res.acked)*1e6, pgUsed.Seconds()/float64(res.acked)*1e6, 1/perPing, 2/perPing)
	}
	if stored != res.acked {
		return rate, fmt.Errorf("stored %d pings but acknowledged %d", stored, res.acked)
	}
	return rate, nil
}

func dropSchema(dbURL, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "drop schema "+pgx.Identifier{schema}.Sanitize()+" cascade")
}

// officer is one simulated device: where it usually is, and where it
// wanders to now and then.
type officer struct {
	id         string
	home, away [2]float64
}

func policeOfficers(ix *geo.Index) []officer {
	var out []officer
	rng := mrand.New(mrand.NewPCG(1, 2))
	grids := ix.Dataset().Grids
	for _, m := range ix.Dataset().Members {
		if !m.Role.IsPolice() || len(m.GridIDs) == 0 {
			continue
		}
		home := m.GridIDs[0]
		if kids := ix.Children(home); len(kids) > 0 {
			home = kids[rng.IntN(len(kids))].ID
		}
		out = append(out, officer{id: m.ID, home: inside(ix, rng, home), away: inside(ix, rng, grids[rng.IntN(len(grids))].ID)})
	}
	return out
}

// inside draws a point of the grid id at least 20 m from its edges (the
// jitter of the positions stays inside), or its bound's centre.
func inside(ix *geo.Index, rng *mrand.Rand, id string) [2]float64 {
	g, _ := ix.Grid(id)
	b := g.Geometry.Bound()
	in := func(p orb.Point) bool {
		h := ix.Lookup(p)
		return h.Community != nil && h.Community.ID == id || h.Community == nil && h.Police != nil && h.Police.ID == id
	}
	const d = 0.0002 // about 20 m
	for range 1000 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if in(p) && in(orb.Point{p[0] - d, p[1] - d}) && in(orb.Point{p[0] + d, p[1] + d}) && in(orb.Point{p[0] - d, p[1] + d}) && in(orb.Point{p[0] + d, p[1] - d}) {
			return p
		}
	}
	return b.Center()
}

type result struct {
	acked     int64
	failed    int64
	elapsed   time.Duration
	latencies []time.Duration
}

// drive runs the clients for the duration. Client c sends the positions of
// the officers c, c+clients, ...: every officer's pings come from one
// client, in time order, 1 ms apart; one in 500 is in another grid.
func drive(base string, o options, officers []officer, ix *geo.Index) result {
	var res result
	var mu sync.Mutex
	var acked, failed atomic.Int64
	start := time.Now()
	stop := start.Add(o.duration)
	t0 := start.Add(-time.Hour)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients}, Timeout: time.Minute}
	var wg sync.WaitGroup
	for c := range o.clients {
		wg.Go(func() {
			var mine []officer
			for i := c; i < len(officers); i += o.clients {
				mine = append(mine, officers[i])
			}
			if len(mine) == 0 {
				mine = []officer{officers[c%len(officers)]}
			}
			rng := mrand.New(mrand.NewPCG(uint64(c), 3))
			seq := 0
			var body bytes.Buffer
			var lat []time.Duration
			for n := 0; time.Now().Before(stop); n++ {
				body.Reset()
				body.WriteString(`{"pings":[`)
				for i := range o.batch {
					if i > 0 {
						body.WriteByte(',')
					}
					off := mine[(seq)%len(mine)]
					at := t0.Add(time.Duration(seq/len(mine)) * time.Millisecond).Add(time.Duration(c) * time.Microsecond)
					pos := off.home
					if rng.IntN(500) == 0 {
						pos = off.away
					}
					fmt.Fprintf(&body, `{"officer":%q,"at":%q,"lon":%.6f,"lat":%.6f,"speed_mps":%.1f,"heading_deg":%d}`,
						off.id, at.UTC().Format(time.RFC3339Nano), pos[0]+(rng.Float64()-0.5)*1e-4, pos[1]+(rng.Float64()-0.5)*1e-4, rng.Float64()*10, rng.IntN(360))
					seq++
				}
				body.WriteString(`]}`)
				req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/patrols/pings", bytes.NewReader(body.Bytes()))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d", c, n))
				sent := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				var pr patrolling.PingResponse
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &pr) != nil {
					failed.Add(1)
					if failed.Load() < 3 {
						fmt.Fprintf(os.Stderr, "a request failed: %d %s\n", resp.StatusCode, raw[:min(len(raw), 300)])
					}
					continue
				}
				lat = append(lat, time.Since(sent))
				acked.Add(int64(pr.Accepted))
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.acked, res.failed = acked.Load(), failed.Load()
	return res
}

// rowStore is the baseline: each request's pings go in with one INSERT per
// ping, in one transaction per request.
type rowStore struct {
	data.PatrolStore
	st *postgis.Store
}

func (s *rowStore) RecordPings(ctx context.Context, b data.PingBatch) (data.PingResult, error) {
	tx, err := s.st.Pool().Begin(ctx)
	if err != nil {
		return data.PingResult{}, fmt.Errorf("bench: %w: %w", data.ErrUnavailable, err)
	}
	defer tx.Rollback(context.Background())
	for _, p := range b.Pings {
		if _, err := tx.Exec(ctx, `insert into patrol_pings (officer_id, at, location, speed_mps, heading_deg, grid_id)
			values ($1, $2, st_setsrid(st_makepoint($3, $4), 4326), $5, $6, nullif($7, ''))`,
			p.OfficerID, p.At, p.Location[0], p.Location[1], p.SpeedMPS, p.HeadingDeg, p.GridID); err != nil {
			return data.PingResult{}, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return data.PingResult{}, err
	}
	return data.PingResult{}, nil
}

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// postgresCPU returns a function that reads the CPU time of the database
// server (the postmaster and all its processes, exited ones included), found
// through /proc from a backend's pid; it reads 0 when that is not possible
// (another machine, no /proc).
func postgresCPU(ctx context.Context, st *postgis.Store) func() time.Duration {
	var backend int
	if err := st.Pool().QueryRow(ctx, "select pg_backend_pid()").Scan(&backend); err != nil {
		return func() time.Duration { return 0 }
	}
	f, err := procStat(backend)
	if err != nil || len(f) < 2 {
		return func() time.Duration { return 0 }
	}
	postmaster := int(f[1])
	tick := 100.0 // USER_HZ on Linux
	return func() time.Duration {
		total := 0.0
		pm, err := procStat(postmaster)
		if err != nil {
			return 0
		}
		total += pm[11] + pm[12] + pm[13] + pm[14] // own and reaped children's time
		kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", postmaster, postmaster))
		for _, k := range strings.Fields(string(kids)) {
			pid, _ := strconv.Atoi(k)
			if c, err := procStat(pid); err == nil {
				total += c[11] + c[12]
			}
		}
		return time.Duration(total / tick * float64(time.Second))
	}
}

// procStat reads /proc/PID/stat as numbers, from the field after the
// command name (state as 0): [1] is the parent, [11]..[14] utime, stime,
// cutime, cstime in clock ticks.
func procStat(pid int) ([]float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return nil, errors.New("bad stat")
	}
	var out []float64
	for _, f := range strings.Fields(string(raw[i+1:])) {
		v, _ := strconv.ParseFloat(f, 64)
		out = append(out, v)
	}
	return out, nil
}

// measureDataDir runs the datadir mode: the embedded store in a new
// temporary data directory, its pings counted back through Track.
func measureDataDir(o options, live *geo.Live) (float64, error) {
	ix := live.Load()
	dir, err := os.MkdirTemp("", "jingge-bench-datadir-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	// No ping may be trimmed, or stored could not be checked against
	// acknowledged.
	d, err := memory.OpenDir(dir, memory.DirOptions{Patrols: memory.PatrolOptions{MaxPingsPerOfficer: 1 << 30}})
	if err != nil {
		return 0, err
	}
	defer d.Close()
	srv := &http.Server{
		Handler:      api.New(api.Config{Index: live, Patrols: d.Patrols, Logger: slog.New(slog.DiscardHandler)}).Handler(),
		ReadTimeout:  60 * time.Second,
		WriteTimeout: 60 * time.Second,
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return 0, err
	}
	go srv.Serve(ln)
	defer srv.Close()
	officers := policeOfficers(ix)
	self0 := selfCPU()
	res := drive("http://"+ln.Addr().String(), o, officers, ix)
	selfUsed := selfCPU() - self0
	var stored int64
	seen := map[string]bool{}
	for _, off := range officers {
		if seen[off.id] {
			continue
		}
		seen[off.id] = true
		pings, _, err := d.Patrols.Track(context.Background(), off.id, time.Now().Add(-2*time.Hour), time.Now().Add(time.Hour), -1)
		if err != nil {
			return 0, err
		}
		stored += int64(len(pings))
	}
	last, _ := d.Patrols.LastEventID(context.Background())
	rate := float64(res.acked) / res.elapsed.Seconds()
	slices.Sort(res.latencies)
	pct := func(p float64) time.Duration {
		if len(res.latencies) == 0 {
			return 0
		}
		return res.latencies[int(p*float64(len(res.latencies)-1))]
	}
	fmt.Printf("%-7s %9.0f pings/s  %7.0f requests/s  p50 %-8v p99 %-8v  acknowledged %d, stored %d, events %d, failed requests %d\n",
		"datadir", rate, float64(len(res.latencies))/res.elapsed.Seconds(), pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), res.acked, stored, last, res.failed)
	if res.acked > 0 {
		perPing := selfUsed.Seconds() / float64(res.acked)
		fmt.Printf("        CPU per ping: %.1f µs in this process (server, clients, journal); %.0f pings/s on 2 cores with nothing else running\n", perPing*1e6, 2/perPing)
	}
	if stored != res.acked {
		return rate, fmt.Errorf("stored %d pings but acknowledged %d", stored, res.acked)
	}
	return rate, nil
}
