// Command loadgen sends a fixed-rate mix of jingge requests (lookups,
// tiles, patrol pings, queries) to a server on loopback, for a bounded time
// and count, and reports throughput, latency percentiles, errors and the
// server's memory over time. It is open-loop: requests leave on schedule
// whether or not earlier ones have been answered, and latency is measured
// from the scheduled time, so a stalled server cannot hide its stalls.
//
//	go run ./scripts/loadgen -url http://127.0.0.1:8080 -credentials creds.txt \
//	    -rate 5000 -duration 10m -pid $(pidof jingge) -out load.csv
//
// The credentials file holds one credential per line: "ROLE TOKEN
// [OFFICER_ID]". Officers send lookups and their own pings, viewers tiles
// and queries. Pings carry an Idempotency-Key; with -ping-retry a ping
// batch that got no answer or a 503 is sent again with the same key until
// it is acknowledged, so after a fault the count of stored pings must equal
// the count acknowledged, which loadgen prints (acked_pings).
//
// It refuses any target that is not a loopback address.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type credential struct {
	role, token, officer string
}

type options struct {
	base        string
	creds       []credential
	rate        float64
	duration    time.Duration
	maxRequests int64
	workers     int
	mix         map[string]int
	pid         int
	out         string
	every       time.Duration
	pingRetry   time.Duration
	pingsPerReq int
	seed        uint64
	timeout     time.Duration
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	var o options
	var credFile, mix string
	flag.StringVar(&o.base, "url", "http://127.0.0.1:8080", "the server's base `URL` (loopback only)")
	flag.StringVar(&credFile, "credentials", "", "`file` of credentials, one \"ROLE TOKEN [OFFICER_ID]\" a line")
	flag.Float64Var(&o.rate, "rate", 1000, "requests per second")
	flag.DurationVar(&o.duration, "duration", time.Minute, "how long to send")
	flag.Int64Var(&o.maxRequests, "max-requests", 10_000_000, "stop after this many requests")
	flag.IntVar(&o.workers, "workers", 512, "most requests in flight; a request due when all are busy counts as late")
	flag.StringVar(&mix, "mix", "lookup=45,tile=25,ping=15,query=15", "the share of each kind of request")
	flag.IntVar(&o.pid, "pid", 0, "the server's process id, to sample its memory (VmRSS)")
	flag.StringVar(&o.out, "out", "", "write one CSV line per interval to this `file`")
	flag.DurationVar(&o.every, "every", 10*time.Second, "report interval")
	flag.DurationVar(&o.pingRetry, "ping-retry", 0, "resend an unanswered ping batch with its key for up to this long (0: never)")
	flag.IntVar(&o.pingsPerReq, "pings-per-request", 10, "pings in one POST")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	flag.Parse()
	if err := checkLoopback(o.base); err != nil {
		return err
	}
	var err error
	if o.creds, err = readCredentials(credFile); err != nil {
		return err
	}
	if o.mix, err = parseMix(mix); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return newRunner(o).run(ctx)
}

// checkLoopback refuses a base URL whose host is not a loopback address.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	host := u.Hostname()
	ips, err := net.LookupIP(host)
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address; loadgen only loads local servers", host)
		}
	}
	return nil
}

func readCredentials(path string) ([]credential, error) {
	if path == "" {
		return nil, errors.New("give -credentials FILE")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []credential
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		c := credential{role: fields[0], token: fields[1]}
		if len(fields) > 2 {
			c.officer = fields[2]
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no credentials", path)
	}
	return out, sc.Err()
}

func parseMix(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 || !slices.Contains([]string{"lookup", "tile", "ping", "query"}, k) {
			return nil, fmt.Errorf("bad -mix part %q: want lookup|tile|ping|query=N", part)
		}
		out[k] = n
	}
	return out, nil
}

// runner holds the state of one run.
type runner struct {
	o        options
	client   *http.Client
	officers []credential
	viewers  []credential
	kinds    []string // one entry per share point, for weighted choice
	points   [][2]float64
	tiles    []string

	mu        sync.Mutex
	latencies []float64 // ms, of this interval
	all       []float64 // ms, whole run
	byKind    map[string]*kindStats

	sent, ok, errs, late atomic.Int64
	ackedPings, unknown  atomic.Int64
	statuses             sync.Map // status -> *atomic.Int64
}

type kindStats struct {
	n, errs int64
	lat     []float64 // ms
}

func newRunner(o options) *runner {
	tr := &http.Transport{MaxIdleConns: o.workers, MaxIdleConnsPerHost: o.workers, IdleConnTimeout: time.Minute}
	r := &runner{o: o, client: &http.Client{Transport: tr, Timeout: o.timeout}, byKind: map[string]*kindStats{}}
	for _, c := range o.creds {
		if c.role == "officer" && c.officer != "" {
			r.officers = append(r.officers, c)
		} else {
			r.viewers = append(r.viewers, c)
		}
	}
	for _, k := range []string{"lookup", "tile", "ping", "query"} {
		for range o.mix[k] {
			r.kinds = append(r.kinds, k)
		}
		r.byKind[k] = &kindStats{}
	}
	return r
}

// prepare learns where the stations are (lookups and pings go near them,
// so most land in a grid) and which tiles cover them.
func (r *runner) prepare(ctx context.Context) error {
	if len(r.viewers)+len(r.officers) == 0 {
		return errors.New("no credentials")
	}
	c := append(r.viewers, r.officers...)[0]
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.o.base+"/api/v1/stations", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("GET /api/v1/stations: %s: %s", resp.Status, b)
	}
	var body struct {
		Features []struct {
			Geometry struct {
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("stations: %w", err)
	}
	for _, f := range body.Features {
		r.points = append(r.points, f.Geometry.Coordinates)
	}
	if len(r.points) == 0 {
		return errors.New("the server has no stations")
	}
	for _, p := range r.points {
		for z := 9; z <= 14; z++ {
			x, y := tileOf(p[0], p[1], z)
			r.tiles = append(r.tiles, fmt.Sprintf("/tiles/%d/%d/%d.mvt", z, x, y))
		}
	}
	return nil
}

func tileOf(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	x := int((lon + 180) / 360 * n)
	rad := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(rad)+1/math.Cos(rad))/math.Pi) / 2 * n)
	return x, y
}

func (r *runner) run(ctx context.Context) error {
	if err := r.prepare(ctx); err != nil {
		return err
	}
	var csv *os.File
	if r.o.out != "" {
		var err error
		if csv, err = os.Create(r.o.out); err != nil {
			return err
		}
		defer csv.Close()
		fmt.Fprintln(csv, "elapsed_s,sent,ok,errors,late,rps,p50_ms,p99_ms,max_ms,rss_mb")
	}
	fmt.Printf("loadgen: %s at %.0f req/s for %s (at most %d requests), mix %v, %d officer and %d other credentials\n",
		r.o.base, r.o.rate, r.o.duration, r.o.maxRequests, r.o.mix, len(r.officers), len(r.viewers))
	fmt.Println("elapsed   sent      ok        errors  late    req/s    p50 ms  p99 ms  max ms  rss MB")

	runCtx, cancel := context.WithTimeout(ctx, r.o.duration)
	defer cancel()
	sem := make(chan struct{}, r.o.workers)
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / r.o.rate)
	rng := rand.New(rand.NewPCG(r.o.seed, r.o.seed^0x9e3779b97f4a7c15))
	report := time.NewTicker(r.o.every)
	defer report.Stop()
	var lastSent, lastOK int64
	lastReport := start
	var rssSamples []float64
	next := start
loop:
	for i := int64(0); i < r.o.maxRequests; i++ {
		due := next
		next = next.Add(interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-runCtx.Done():
				break loop
			case <-time.After(d):
			case now := <-report.C:
				rssSamples = append(rssSamples, r.report(csv, start, now, &lastSent, &lastOK, &lastReport))
				time.Sleep(time.Until(due))
			}
		} else if runCtx.Err() != nil {
			break
		}
		select {
		case now := <-report.C:
			rssSamples = append(rssSamples, r.report(csv, start, now, &lastSent, &lastOK, &lastReport))
		default:
		}
		kind := r.kinds[rng.IntN(len(r.kinds))]
		seed := rng.Uint64()
		select {
		case sem <- struct{}{}:
		default:
			r.late.Add(1)
			continue
		}
		r.sent.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r.one(ctx, kind, seed, due)
		}()
	}
	wg.Wait()
	rssSamples = append(rssSamples, r.report(csv, start, time.Now(), &lastSent, &lastOK, &lastReport))
	return r.summary(time.Since(start), rssSamples)
}

// one sends one request of kind and records its outcome.
func (r *runner) one(ctx context.Context, kind string, seed uint64, due time.Time) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var req *http.Request
	var c credential
	pings := 0
	switch kind {
	case "lookup", "ping":
		if len(r.officers) == 0 {
			c = r.viewers[rng.IntN(len(r.viewers))]
		} else {
			c = r.officers[rng.IntN(len(r.officers))]
		}
		p := r.near(rng)
		if kind == "lookup" || c.officer == "" {
			req, _ = http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/lookup?lon=%.6f&lat=%.6f", r.o.base, p[0], p[1]), nil)
			kind = "lookup"
			break
		}
		var body bytes.Buffer
		body.WriteString(`{"pings":[`)
		at := time.Now().UTC()
		for i := range r.o.pingsPerReq {
			if i > 0 {
				body.WriteByte(',')
			}
			q := r.near(rng)
			fmt.Fprintf(&body, `{"officer":%q,"at":%q,"lon":%.6f,"lat":%.6f,"speed_mps":%.1f,"heading_deg":%.0f}`,
				c.officer, at.Add(time.Duration(i-r.o.pingsPerReq)*time.Second).Format(time.RFC3339Nano), q[0], q[1], rng.Float64()*15, rng.Float64()*359)
		}
		body.WriteString(`]}`)
		req, _ = http.NewRequest(http.MethodPost, r.o.base+"/api/v1/patrols/pings", bytes.NewReader(body.Bytes()))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("lg-%d-%x", r.o.seed, seed))
		pings = r.o.pingsPerReq
	case "tile":
		c = r.viewers[rng.IntN(len(r.viewers))]
		req, _ = http.NewRequest(http.MethodGet, r.o.base+r.tiles[rng.IntN(len(r.tiles))], nil)
	case "query":
		c = r.viewers[rng.IntN(len(r.viewers))]
		p := r.near(rng)
		req, _ = http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/grids?bbox=%.4f,%.4f,%.4f,%.4f&level=police", r.o.base, p[0]-0.01, p[1]-0.01, p[0]+0.01, p[1]+0.01), nil)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	status, err := r.send(ctx, req, pings > 0)
	elapsed := float64(time.Since(due).Microseconds()) / 1000
	good := err == nil && (status < 400 || status == 404 && kind == "lookup")
	r.mu.Lock()
	r.latencies = append(r.latencies, elapsed)
	ks := r.byKind[kind]
	ks.n++
	ks.lat = append(ks.lat, elapsed)
	if !good {
		ks.errs++
	}
	r.mu.Unlock()
	key := status
	if err != nil {
		key = -1
	}
	v, _ := r.statuses.LoadOrStore(key, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	if good {
		r.ok.Add(1)
		if pings > 0 {
			r.ackedPings.Add(int64(pings))
		}
	} else {
		r.errs.Add(1)
		if pings > 0 {
			r.unknown.Add(int64(pings))
		}
	}
}

// send does req; a ping batch (retry) is resent with the same body and key
// while the answer is missing or a 503, for up to -ping-retry.
func (r *runner) send(ctx context.Context, req *http.Request, retry bool) (int, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	deadline := time.Now().Add(r.o.pingRetry)
	backoff := 50 * time.Millisecond
	for {
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err := r.client.Do(req.WithContext(ctx))
		status := 0
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status = resp.StatusCode
		}
		transient := err != nil || status == 503 || status == 502 || status == 429
		if !retry || !transient || r.o.pingRetry <= 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return status, err
		}
		time.Sleep(backoff)
		backoff = min(backoff*2, time.Second)
	}
}

// near returns a point within about 2 km of a station.
func (r *runner) near(rng *rand.Rand) [2]float64 {
	p := r.points[rng.IntN(len(r.points))]
	return [2]float64{p[0] + (rng.Float64()-0.5)*0.04, p[1] + (rng.Float64()-0.5)*0.04}
}

// report prints and writes one interval's line and returns the RSS in MB.
func (r *runner) report(csv *os.File, start, now time.Time, lastSent, lastOK *int64, lastReport *time.Time) float64 {
	r.mu.Lock()
	lat := r.latencies
	r.latencies = nil
	r.all = append(r.all, lat...)
	r.mu.Unlock()
	slices.Sort(lat)
	sent, ok := r.sent.Load(), r.ok.Load()
	secs := now.Sub(*lastReport).Seconds()
	rps := float64(ok-*lastOK) / secs
	*lastSent, *lastOK, *lastReport = sent, ok, now
	rss := rssMB(r.o.pid)
	line := fmt.Sprintf("%7.0fs  %-8d  %-8d  %-6d  %-6d  %7.0f  %6.2f  %6.2f  %6.1f  %6.1f",
		now.Sub(start).Seconds(), sent, ok, r.errs.Load(), r.late.Load(), rps, pct(lat, 50), pct(lat, 99), pct(lat, 100), rss)
	fmt.Println(line)
	if csv != nil {
		fmt.Fprintf(csv, "%.0f,%d,%d,%d,%d,%.0f,%.3f,%.3f,%.3f,%.1f\n", now.Sub(start).Seconds(), sent, ok, r.errs.Load(), r.late.Load(), rps, pct(lat, 50), pct(lat, 99), pct(lat, 100), rss)
	}
	return rss
}

func (r *runner) summary(took time.Duration, rss []float64) error {
	slices.Sort(r.all)
	statuses := map[string]int64{}
	r.statuses.Range(func(k, v any) bool {
		name := strconv.Itoa(k.(int))
		if k.(int) == -1 {
			name = "transport-error"
		}
		statuses[name] = v.(*atomic.Int64).Load()
		return true
	})
	var rssMin, rssMax float64
	for i, v := range rss {
		if i == 0 || v < rssMin {
			rssMin = v
		}
		rssMax = max(rssMax, v)
	}
	kinds := map[string][2]int64{}
	kindLatency := map[string]map[string]float64{}
	for k, s := range r.byKind {
		kinds[k] = [2]int64{s.n, s.errs}
		slices.Sort(s.lat)
		kindLatency[k] = map[string]float64{"p50_ms": pct(s.lat, 50), "p99_ms": pct(s.lat, 99), "max_ms": pct(s.lat, 100)}
	}
	out := map[string]any{
		"duration_s": took.Seconds(), "sent": r.sent.Load(), "ok": r.ok.Load(), "errors": r.errs.Load(), "late": r.late.Load(),
		"throughput_rps": float64(r.ok.Load()) / took.Seconds(),
		"p50_ms":         pct(r.all, 50), "p90_ms": pct(r.all, 90), "p99_ms": pct(r.all, 99), "p999_ms": pct(r.all, 99.9), "max_ms": pct(r.all, 100),
		"statuses": statuses, "by_kind_n_errors": kinds, "by_kind_latency": kindLatency,
		"acked_pings": r.ackedPings.Load(), "unacknowledged_pings": r.unknown.Load(),
		"rss_mb_min": rssMin, "rss_mb_max": rssMax,
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	fmt.Printf("summary %s\n", b)
	return nil
}

// pct is the p-th percentile of sorted samples (nearest rank).
func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// rssMB reads the resident memory of pid from /proc, in MiB; 0 if unknown.
func rssMB(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
