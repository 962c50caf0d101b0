// Command http measures jingge over HTTP from the outside, as recorded in
// docs/performance.md ("The HTTP path"): the real binary, started as
// shipped (access control and the audit on; only the per-token rate limit
// raised so the load is not refused), once on the embedded store and, with
// -db, once on PostGIS, both up at the same time and measured in
// interleaved rounds. Every figure is also printed as a ratio against a
// baseline of the same run: GET /healthz on the same server (the floor of
// the server and its middleware), the same load on the server without a
// database, and, with -db, a PostGIS ST_Covers lookup per point answered
// over HTTP by a minimal server in this program (what a bureau would
// otherwise put behind its GPS gateway).
//
//	go run ./scripts/bench/http -bin BINARY [-db URL] [-duration 5s] [-connections 32] [-rounds 3] [-port 0] [-loads lookup-full,lookup-ids]
//
// Loads, each for -duration with -connections keep-alive connections, as
// fast as the server answers (the client asks for gzip, as browsers and
// phones do):
//
//	healthz            GET /healthz
//	lookup-full        GET /api/v1/lookup at random points of the county: the full answer, with members (audited)
//	lookup-ids         the same with fields=ids: three ids, about 100 bytes (not audited)
//	batch100-ids       POST /api/v1/lookup with 100 points, fields=ids (requests/s; points/s is 100×)
//	tile-community     warm community-grid layer tiles at z14 (/tiles/community_grids/14/x/y.mvt)
//	tile-combined      warm combined tiles at z14 (/tiles/14/x/y.mvt)
//	postgis-covers     with -db: GET /covers?lon&lat on this program's server, one ST_Covers query each
//
// and, once per server in the first round (when -loads is empty or
// names tile-cold-z15), cold z15 tiles: one pass over
// every z15 tile of the county's police-grid layer, each requested once.
//
// The database must be on a loopback address; the program imports the
// bundled Lantian dataset into it (the schema must be empty or absent).
package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"

	"jingge/data/lantian"
	"jingge/geo"
)

type options struct {
	bin         string
	db          string
	duration    time.Duration
	connections int
	rounds      int
	port        int
	loads       []string
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "http:", err)
		os.Exit(1)
	}
}

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", "", "the jingge binary to measure (required; scripts/bench/http.sh builds it)")
	flag.StringVar(&o.db, "db", "", "PostgreSQL URL of an empty loopback database: also measure the server on PostGIS")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "how long each load runs")
	flag.IntVar(&o.connections, "connections", 32, "keep-alive connections of each load")
	flag.IntVar(&o.rounds, "rounds", 3, "interleaved rounds; each figure is the median of the rounds")
	flag.IntVar(&o.port, "port", 0, "first loopback port to listen on (the next ones follow); 0 picks free ports")
	loadList := flag.String("loads", "", "comma-separated loads to run (healthz always runs: it is the baseline); empty runs all")
	flag.Parse()
	if *loadList != "" {
		o.loads = append([]string{"healthz"}, strings.Split(*loadList, ",")...)
	}
	if o.bin == "" {
		return errors.New("-bin is required")
	}
	ds, err := lantian.Load()
	if err != nil {
		return err
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return err
	}
	w := newWorkload(ds, ix)
	ports := newPorts(o.port)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var servers []*server
	embedded, err := startEmbedded(ctx, o.bin, ports.next())
	if err != nil {
		return err
	}
	defer embedded.stop()
	servers = append(servers, embedded)
	var covers *coversServer
	if o.db != "" {
		if err := loopbackOnly(o.db); err != nil {
			return err
		}
		pg, err := startPostGIS(ctx, o.bin, o.db, ports.next())
		if err != nil {
			return err
		}
		defer pg.stop()
		servers = append(servers, pg)
		if covers, err = startCovers(ctx, o.db, ports.next()); err != nil {
			return err
		}
		defer covers.stop()
	}
	fmt.Printf("load before: %s\n", loadAverage())
	fmt.Printf("%d connections, %s per load, %d rounds, GOMAXPROCS of the servers: default\n\n", o.connections, o.duration, o.rounds)

	loads := w.loads()
	if o.loads != nil {
		loads = slices.DeleteFunc(loads, func(l load) bool { return !slices.Contains(o.loads, l.name) })
	}
	results := map[string]map[string][]result{} // server, load -> rounds
	for _, s := range servers {
		results[s.name] = map[string][]result{}
		if err := w.warm(s, o.connections); err != nil {
			return fmt.Errorf("%s: warming: %w", s.name, err)
		}
	}
	cold := map[string]result{}
	for round := range o.rounds {
		for _, l := range loads {
			for _, s := range servers {
				r := drive(s.base, s.token, l, o.connections, o.duration)
				results[s.name][l.name] = append(results[s.name][l.name], r)
			}
			if covers != nil && l.name == "lookup-ids" {
				r := drive(covers.base, "", w.coversLoad(), o.connections, o.duration)
				results["postgis"]["postgis-covers"] = append(results["postgis"]["postgis-covers"], r)
			}
		}
		if round == 0 && (o.loads == nil || slices.Contains(o.loads, "tile-cold-z15")) {
			for _, s := range servers {
				cold[s.name] = w.coldPass(s, o.connections)
			}
		}
	}
	fmt.Printf("load after: %s\n\n", loadAverage())
	report(servers, loads, results, cold)
	return nil
}

// ports hands out loopback ports: from a first one given, or free ones.
type ports struct{ first, n int }

func newPorts(first int) *ports { return &ports{first: first} }

func (p *ports) next() int {
	if p.first > 0 {
		p.n++
		return p.first + p.n - 1
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func loopbackOnly(dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-db: %s is not a loopback address; this benchmark writes into the database", host)
	}
	return nil
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ") + " (1, 5, 15 min)"
}

// load is one kind of request sent over and over.
type load struct {
	name string
	// request returns the i-th request's method, path and body.
	request func(i int) (method, path string, body []byte)
}

// result is what one run of a load measured.
type result struct {
	ok, failed int
	elapsed    time.Duration
	p50, p99   time.Duration
	firstError string
}

func (r result) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// drive runs l against base with conns connections for d.
func drive(base, token string, l load, conns int, d time.Duration) result {
	client := newClient(conns)
	defer client.CloseIdleConnections()
	var next atomic.Int64
	var failed atomic.Int64
	var firstError atomic.Value
	lat := make([][]time.Duration, conns)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				i := int(next.Add(1))
				method, path, body := l.request(i)
				t0 := time.Now()
				err := do(client, method, base+path, token, body)
				if err != nil {
					failed.Add(1)
					firstError.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	return summarize(lat, time.Since(start), int(failed.Load()), firstError.Load())
}

func summarize(lat [][]time.Duration, elapsed time.Duration, failed int, firstError any) result {
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := result{ok: len(all), failed: failed, elapsed: elapsed}
	if s, ok := firstError.(string); ok {
		r.firstError = s
	}
	if len(all) > 0 {
		r.p50 = all[len(all)/2]
		r.p99 = all[min(len(all)-1, len(all)*99/100)]
	}
	return r
}

func newClient(conns int) *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute,
	}}
}

// do sends one request and reads the whole answer; a status other than
// 200 or 204 is an error.
func do(client *http.Client, method, target, token string, body []byte) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("%s %s: %d %.200s", method, target, resp.StatusCode, b)
	}
	return nil
}

// workload is the points and tiles the loads cycle through.
type workload struct {
	points     []orb.Point // inside grids, uniformly over the county
	batch      [][]byte    // bodies of 100 points
	warmTiles  []maptile.Tile
	coldTiles  []maptile.Tile
	pointPaths []string
}

func newWorkload(ds *geo.Dataset, ix *geo.Index) *workload {
	var county orb.Bound
	for i, g := range ds.Grids {
		if i == 0 {
			county = g.Geometry.Bound()
		}
		county = county.Union(g.Geometry.Bound())
	}
	rng := rand.New(rand.NewPCG(15, 6))
	w := &workload{}
	for len(w.points) < 10000 {
		pt := orb.Point{county.Min[0] + rng.Float64()*(county.Max[0]-county.Min[0]), county.Min[1] + rng.Float64()*(county.Max[1]-county.Min[1])}
		if ix.Lookup(pt).Found() {
			w.points = append(w.points, pt)
			w.pointPaths = append(w.pointPaths, fmt.Sprintf("lon=%.6f&lat=%.6f", pt[0], pt[1]))
		}
	}
	for i := 0; i+100 <= 2000; i += 100 {
		var b strings.Builder
		b.WriteString(`{"points":[`)
		for j, pt := range w.points[i : i+100] {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "[%.6f,%.6f]", pt[0], pt[1])
		}
		b.WriteString("]}")
		w.batch = append(w.batch, []byte(b.String()))
	}
	cover := func(z maptile.Zoom) []maptile.Tile {
		set, _ := tilecover.Geometry(county.ToPolygon(), z) // a polygon always covers
		out := make([]maptile.Tile, 0, len(set))
		for t := range set {
			out = append(out, t)
		}
		slices.SortFunc(out, func(a, b maptile.Tile) int { return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.Y, b.Y)) })
		return out
	}
	w.warmTiles, w.coldTiles = cover(14), cover(15)
	return w
}

func tilePath(layer string, t maptile.Tile) string {
	if layer == "" {
		return fmt.Sprintf("/tiles/%d/%d/%d.mvt", t.Z, t.X, t.Y)
	}
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, t.Z, t.X, t.Y)
}

func (w *workload) loads() []load {
	get := func(name string, path func(i int) string) load {
		return load{name: name, request: func(i int) (string, string, []byte) { return http.MethodGet, path(i), nil }}
	}
	return []load{
		get("healthz", func(int) string { return "/healthz" }),
		get("lookup-full", func(i int) string { return "/api/v1/lookup?" + w.pointPaths[i%len(w.pointPaths)] }),
		get("lookup-ids", func(i int) string { return "/api/v1/lookup?fields=ids&" + w.pointPaths[i%len(w.pointPaths)] }),
		{name: "batch100-ids", request: func(i int) (string, string, []byte) {
			return http.MethodPost, "/api/v1/lookup?fields=ids", w.batch[i%len(w.batch)]
		}},
		get("tile-community", func(i int) string { return tilePath("community_grids", w.warmTiles[i%len(w.warmTiles)]) }),
		get("tile-combined", func(i int) string { return tilePath("", w.warmTiles[i%len(w.warmTiles)]) }),
	}
}

func (w *workload) coversLoad() load {
	return load{name: "postgis-covers", request: func(i int) (string, string, []byte) {
		return http.MethodGet, "/covers?" + w.pointPaths[i%len(w.pointPaths)], nil
	}}
}

// warm requests every warm tile once, so the tile loads measure a cache.
func (w *workload) warm(s *server, conns int) error {
	for _, layer := range []string{"community_grids", ""} {
		r := pass(s, conns, len(w.warmTiles), func(i int) string { return tilePath(layer, w.warmTiles[i]) })
		if r.failed > 0 {
			return errors.New(r.firstError)
		}
	}
	return nil
}

// coldPass requests every z15 tile of the police-grid layer once.
func (w *workload) coldPass(s *server, conns int) result {
	return pass(s, conns, len(w.coldTiles), func(i int) string { return tilePath("police_grids", w.coldTiles[i]) })
}

// pass sends n GET requests, each path once, over conns connections.
func pass(s *server, conns, n int, path func(i int) string) result {
	client := newClient(conns)
	defer client.CloseIdleConnections()
	var next atomic.Int64
	var failed atomic.Int64
	var firstError atomic.Value
	lat := make([][]time.Duration, conns)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				if err := do(client, http.MethodGet, s.base+path(i), s.token, nil); err != nil {
					failed.Add(1)
					firstError.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	return summarize(lat, time.Since(start), int(failed.Load()), firstError.Load())
}

// median is the middle round's result by rate.
func median(rs []result) result {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b result) int { return cmp.Compare(a.rate(), b.rate()) })
	return rs[len(rs)/2]
}

func report(servers []*server, loads []load, results map[string]map[string][]result, cold map[string]result) {
	names := make([]string, 0, len(loads)+1)
	for _, l := range loads {
		names = append(names, l.name)
	}
	for _, s := range servers {
		base := median(results[s.name]["healthz"]).rate()
		fmt.Printf("%s (%s)\n", s.name, s.describe)
		fmt.Printf("  %-16s %10s %9s %9s %10s %7s\n", "load", "req/s", "p50", "p99", "×healthz", "errors")
		rows := names
		if _, ok := results[s.name]["postgis-covers"]; ok {
			rows = append(slices.Clone(names), "postgis-covers")
		}
		for _, name := range rows {
			r := median(results[s.name][name])
			fmt.Printf("  %-16s %10.0f %9s %9s %9.2f× %7d\n", name, r.rate(), ms(r.p50), ms(r.p99), r.rate()/base, r.failed)
			if r.firstError != "" {
				fmt.Printf("    first error: %s\n", r.firstError)
			}
		}
		if c, ok := cold[s.name]; ok {
			fmt.Printf("  %-16s %10.0f %9s %9s %10s %7d   (one pass, %d tiles)\n", "tile-cold-z15", c.rate(), ms(c.p50), ms(c.p99), "", c.failed, c.ok+c.failed)
		}
		fmt.Println()
	}
	if len(servers) < 2 {
		return
	}
	a, b := servers[0].name, servers[1].name
	fmt.Printf("%s against %s, same run\n", b, a)
	fmt.Printf("  %-16s %10s %10s %8s\n", "load", a, b, "ratio")
	for _, name := range names {
		ra, rb := median(results[a][name]).rate(), median(results[b][name]).rate()
		fmt.Printf("  %-16s %10.0f %10.0f %7.2f×\n", name, ra, rb, rb/ra)
	}
	if _, ok := cold[a]; ok {
		ca, cb := cold[a].rate(), cold[b].rate()
		fmt.Printf("  %-16s %10.0f %10.0f %7.2f×\n", "tile-cold-z15", ca, cb, cb/ca)
	}
	if cov, ok := results[b]["postgis-covers"]; ok {
		pc := median(cov).rate()
		fmt.Printf("\nlookups against PostGIS ST_Covers over the same HTTP client: %s lookup-full %.1f×, lookup-ids %.1f×\n",
			b, median(results[b]["lookup-full"]).rate()/pc, median(results[b]["lookup-ids"]).rate()/pc)
	}
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + "ms" }

// server is a running jingge.
type server struct {
	name, describe string
	base, token    string
	cmd            *exec.Cmd
	logs           *lockedBuffer
	dir            string
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		_ = s.cmd.Wait()
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// lockedBuffer keeps a server's output for error messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() < 1<<20 {
		l.b.Write(p)
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve starts the binary with args and waits for /healthz.
func serve(ctx context.Context, bin string, port int, args ...string) (*exec.Cmd, string, *lockedBuffer, error) {
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	logs := &lockedBuffer{}
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--rate", "1000000", "--burst", "1000000", "--log-format", "json"}, args...)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, "", nil, err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd, base, logs, nil
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, "", nil, fmt.Errorf("the server on port %d did not get ready: %v\n%s", port, err, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// command runs the binary once and returns its standard output.
func command(ctx context.Context, bin string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("jingge %s: %w\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), nil
}

func tokenIn(out string) (string, error) {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "jgt_") {
			return strings.TrimSpace(line), nil
		}
	}
	return "", fmt.Errorf("no token in %q", out)
}

// startEmbedded serves the embedded store of a new data directory and
// makes a token for its demo admin.
func startEmbedded(ctx context.Context, bin string, port int) (*server, error) {
	dir, err := os.MkdirTemp("", "jingge-bench-http-")
	if err != nil {
		return nil, err
	}
	cmd, base, logs, err := serve(ctx, bin, port, "--data-dir", dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &server{name: "embedded", describe: "no database: the data directory, journal fsynced", base: base, cmd: cmd, logs: logs, dir: dir}
	out, err := command(ctx, bin, "tokens", "create", "--user", "demo-admin", "--auth-file", filepath.Join(dir, "auth.json"))
	if err == nil {
		s.token, err = tokenIn(out)
	}
	if err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// startPostGIS imports Lantian into dbURL, adds an admin and serves it.
func startPostGIS(ctx context.Context, bin, dbURL string, port int) (*server, error) {
	if _, err := command(ctx, bin, "import", "--lantian", "--db", dbURL); err != nil {
		return nil, err
	}
	if _, err := command(ctx, bin, "users", "add", "bench", "--role", "admin", "--db", dbURL); err != nil {
		return nil, err
	}
	out, err := command(ctx, bin, "tokens", "create", "--user", "bench", "--db", dbURL)
	if err != nil {
		return nil, err
	}
	token, err := tokenIn(out)
	if err != nil {
		return nil, err
	}
	cmd, base, logs, err := serve(ctx, bin, port, "--db", dbURL)
	if err != nil {
		return nil, err
	}
	return &server{name: "postgis", describe: "--db: PostGIS, audit rows committed", base: base, token: token, cmd: cmd, logs: logs}, nil
}

// coversServer answers GET /covers?lon&lat with the grid PostGIS finds
// for the point: the ST_Covers query a lookup without jingge's index runs.
type coversServer struct {
	base string
	srv  *http.Server
	pool *pgxpool.Pool
}

const coversSQL = `
select id from current_grids
where ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
order by level = 'community' desc
limit 1`

func startCovers(ctx context.Context, dbURL string, port int) (*coversServer, error) {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		pool.Close()
		return nil, err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lon, err1 := strconv.ParseFloat(r.URL.Query().Get("lon"), 64)
		lat, err2 := strconv.ParseFloat(r.URL.Query().Get("lat"), 64)
		if err := errors.Join(err1, err2); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var id string
		if err := pool.QueryRow(r.Context(), coversSQL, lon, lat).Scan(&id); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"grid\":%q}\n", id)
	})}
	go func() { _ = srv.Serve(l) }()
	return &coversServer{base: "http://" + l.Addr().String(), srv: srv, pool: pool}, nil
}

func (c *coversServer) stop() {
	_ = c.srv.Close()
	c.pool.Close()
}
