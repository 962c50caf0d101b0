// Command tileload measures warm vector tiles over HTTP against a running
// jingge server, beside /healthz on the same server as the baseline of the
// same run, as recorded in docs/performance.md ("Vector tiles").
//
//	go run ./scripts/bench/tileload -url http://127.0.0.1:18300 -token TOKEN [-c 64] [-d 10s] [-rounds 3] [-zooms 12-14] [-targets healthz,combined,community_grids]
//
// A target is /healthz, the combined tile (combined) or one layer's tiles
// (its id); by default /healthz, the combined tile and every layer the
// server's /tiles.json lists. Tile targets request, in turn, every tile
// over the county (the bounds of /tiles.json) at the zooms given, with
// Accept-Encoding: gzip as browsers send it; each client starts at another
// tile. Before timing, one pass over every tile of every target fills the
// server's cache (warm tiles are the subject). Then, -rounds times, each
// target runs for -d right after a run of /healthz of the same length, so
// each target has a baseline measured beside it and load from elsewhere on
// the machine, which drifts over seconds, falls on both halves of a pair
// alike. A target's ratio to /healthz is the median over rounds of its
// pairs' ratios; its rate and latencies are its median round. It prints
// requests/s, p50 and p99 latency and the ratios, and fails if any answer
// is not 200 or 204.
//
// The clients run in this process on the same machine: they take CPU the
// server could use, the same for every target. On a machine busy with
// other work the rates move with that work; with -pid (the server's
// process id, Linux) tileload also reads the server's CPU time per answer
// from /proc, which does not stretch with other people's load, and gives
// its ratio: healthz's CPU per answer over the target's, the rate ratio
// of a machine running nothing but the server.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type options struct {
	url, token string
	clients    int
	duration   time.Duration
	rounds     int
	zmin, zmax int
	targets    []string
	// pid is the server's process id, for its CPU time; 0 for none.
	pid int
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tileload:", err)
		os.Exit(1)
	}
}

func run() error {
	o, targets, err := parseFlags()
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: o.clients,
		MaxConnsPerHost:     o.clients,
		// The clients ask for gzip themselves and count the bytes as sent;
		// the transport must not inflate them.
		DisableCompression: true,
	}}
	tj, err := fetchTileJSON(client, o)
	if err != nil {
		return err
	}
	if targets != "" {
		o.targets = strings.Split(targets, ",")
	} else {
		o.targets = []string{"healthz", "combined"}
		for _, l := range tj.VectorLayers {
			o.targets = append(o.targets, l.ID)
		}
	}
	paths := map[string][]string{}
	for _, t := range o.targets {
		if paths[t], err = targetPaths(t, tj.Bounds, o.zmin, o.zmax); err != nil {
			return err
		}
	}

	fmt.Printf("tileload: %s, %d connections, %s per target, %d rounds, zooms %d-%d, %d tiles per layer\n",
		o.url, o.clients, o.duration, o.rounds, o.zmin, o.zmax, len(paths["combined"]))
	for _, t := range o.targets {
		if t == "healthz" {
			continue
		}
		if _, err := load(client, o, paths[t], 0, len(paths[t])); err != nil {
			return fmt.Errorf("filling the cache (%s): %w", t, err)
		}
	}
	results := map[string][]result{}
	pairs := map[string][]pair{}
	run := func(round int, t string) (result, error) {
		res, err := load(client, o, paths[t], o.duration, 0)
		if err != nil {
			return res, fmt.Errorf("%s: %w", t, err)
		}
		results[t] = append(results[t], res)
		fmt.Printf("round %d %-16s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %7.0f B/answer  server CPU %6.1f µs/answer\n",
			round+1, t, res.rate, ms(res.p50), ms(res.p99), res.bytesPer, res.cpuPer)
		return res, nil
	}
	for r := 0; r < o.rounds; r++ {
		for _, t := range o.targets {
			if t == "healthz" {
				continue
			}
			base, err := run(r, "healthz")
			if err != nil {
				return err
			}
			res, err := run(r, t)
			if err != nil {
				return err
			}
			pairs[t] = append(pairs[t], pairOf(base, res))
		}
	}
	report(o.targets, results, pairs)
	return nil
}

// pair is a target's ratios to the /healthz run just before it: by rate,
// and by the server's CPU time per answer (0 without -pid).
type pair struct{ rate, cpu float64 }

func pairOf(base, res result) pair {
	var p pair
	if base.rate > 0 {
		p.rate = res.rate / base.rate
	}
	if res.cpuPer > 0 {
		p.cpu = base.cpuPer / res.cpuPer
	}
	return p
}

// medianPair is the median of each of ps's ratios.
func medianPair(ps []pair) pair {
	rates, cpus := make([]float64, 0, len(ps)), make([]float64, 0, len(ps))
	for _, p := range ps {
		rates, cpus = append(rates, p.rate), append(cpus, p.cpu)
	}
	return pair{medianOf(rates), medianOf(cpus)}
}

// medianOf is the median of v (the mean of the middle two for an even
// count), 0 for none.
func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

// parseFlags reads the command line into options, and the -targets list.
func parseFlags() (options, string, error) {
	var o options
	var zooms, targets string
	flag.StringVar(&o.url, "url", "", "base `URL` of the jingge server, e.g. http://127.0.0.1:18300")
	flag.StringVar(&o.token, "token", os.Getenv("JINGGE_TOKEN"), "bearer `token` of a user who may read the grids (env JINGGE_TOKEN); empty sends none")
	flag.IntVar(&o.clients, "c", 64, "concurrent `connections`")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "`duration` of each target in each round")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds over all targets")
	flag.StringVar(&zooms, "zooms", "12-14", "tile `zooms` MIN-MAX")
	flag.IntVar(&o.pid, "pid", 0, "the server's process `id`, to report its CPU time per answer (Linux /proc); 0 for none")
	flag.StringVar(&targets, "targets", "", "comma-separated `targets`: healthz, combined, or layer ids; empty is healthz, combined and every layer of /tiles.json")
	flag.Parse()
	if o.url == "" || flag.NArg() > 0 {
		flag.Usage()
		return o, "", errors.New("-url is required and no arguments are taken")
	}
	o.url = strings.TrimRight(o.url, "/")
	lo, hi, ok := strings.Cut(zooms, "-")
	var err1, err2 error
	o.zmin, err1 = strconv.Atoi(lo)
	o.zmax, err2 = strconv.Atoi(hi)
	if !ok || err1 != nil || err2 != nil || o.zmin < 0 || o.zmax < o.zmin || o.zmax > 22 {
		return o, "", fmt.Errorf("-zooms %q: give MIN-MAX between 0 and 22, e.g. 12-14", zooms)
	}
	if o.clients < 1 || o.rounds < 1 || o.duration <= 0 {
		return o, "", errors.New("-c, -rounds and -d must be positive")
	}
	return o, targets, nil
}

// report prints each target's median round and the median of its pairs'
// ratios to /healthz (pairs), the spread of those ratios over the rounds
// beside them.
func report(targets []string, results map[string][]result, pairs map[string][]pair) {
	fmt.Printf("\n%-16s %10s %9s %9s %10s %12s %14s %14s %12s\n", "target", "req/s", "p50 ms", "p99 ms", "vs healthz", "(rounds)", "server µs/ans", "CPU vs healthz", "(rounds)")
	for _, t := range targets {
		m := median(results[t])
		ratio, spread, cpuRatio, cpuSpread := "1.00", "", "1.00", ""
		if t != "healthz" {
			p := medianPair(pairs[t])
			ratio, cpuRatio = fmt.Sprintf("%.2f", p.rate), "-"
			spread = spreadOf(pairs[t], func(p pair) float64 { return p.rate })
			if p.cpu > 0 {
				cpuRatio = fmt.Sprintf("%.2f", p.cpu)
				cpuSpread = spreadOf(pairs[t], func(p pair) float64 { return p.cpu })
			}
		}
		fmt.Printf("%-16s %10.0f %9.2f %9.2f %10s %12s %14.1f %14s %12s\n", t, m.rate, ms(m.p50), ms(m.p99), ratio, spread, medianCPU(results[t]), cpuRatio, cpuSpread)
	}
}

// spreadOf is the lowest and highest of one ratio over the rounds.
func spreadOf(ps []pair, ratio func(pair) float64) string {
	if len(ps) == 0 {
		return ""
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		lo, hi = min(lo, ratio(p)), max(hi, ratio(p))
	}
	return fmt.Sprintf("%.2f–%.2f", lo, hi)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// tileJSON is what tileload reads of the server's /tiles.json.
type tileJSON struct {
	Bounds       []float64 `json:"bounds"`
	VectorLayers []struct {
		ID string `json:"id"`
	} `json:"vector_layers"`
}

func fetchTileJSON(client *http.Client, o options) (*tileJSON, error) {
	req, err := http.NewRequest(http.MethodGet, o.url+"/tiles.json", nil)
	if err != nil {
		return nil, err
	}
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return nil, fmt.Errorf("GET /tiles.json: %s: %s", resp.Status, body)
	}
	var tj tileJSON
	if err := json.NewDecoder(resp.Body).Decode(&tj); err != nil {
		return nil, fmt.Errorf("GET /tiles.json: %w", err)
	}
	if len(tj.Bounds) != 4 {
		return nil, errors.New("GET /tiles.json: no bounds")
	}
	return &tj, nil
}

// targetPaths lists the request paths of a target: /healthz, or every
// tile over bounds (west, south, east, north) at zmin..zmax.
func targetPaths(target string, bounds []float64, zmin, zmax int) ([]string, error) {
	if target == "healthz" {
		return []string{"/healthz"}, nil
	}
	if target == "" || strings.ContainsAny(target, "/?#%") {
		return nil, fmt.Errorf("target %q is not healthz, combined or a layer id", target)
	}
	prefix := "/tiles/"
	if target != "combined" {
		prefix += target + "/"
	}
	var out []string
	for z := zmin; z <= zmax; z++ {
		x0, x1 := tileX(bounds[0], z), tileX(bounds[2], z)
		y0, y1 := tileY(bounds[3], z), tileY(bounds[1], z)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				out = append(out, fmt.Sprintf("%s%d/%d/%d.mvt", prefix, z, x, y))
			}
		}
	}
	return out, nil
}

func tileX(lon float64, z int) int {
	return int(math.Floor((lon + 180) / 360 * math.Exp2(float64(z))))
}

func tileY(lat float64, z int) int {
	r := lat * math.Pi / 180
	return int(math.Floor((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * math.Exp2(float64(z))))
}

// result is one target's figures in one round.
type result struct {
	rate, bytesPer float64
	p50, p99       time.Duration
	// cpuPer is the server's CPU time per answer in µs; 0 without -pid.
	cpuPer float64
}

// medianCPU is the median server CPU per answer of rs.
func medianCPU(rs []result) float64 {
	v := make([]float64, 0, len(rs))
	for _, r := range rs {
		v = append(v, r.cpuPer)
	}
	return medianOf(v)
}

// processCPU is the CPU time (user and system) of process pid so far, from
// /proc; 0 when it cannot be read.
func processCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(raw), ')')
	if i < 0 {
		return 0
	}
	// After the command name: state, then utime and stime are the 12th
	// and 13th fields, in clock ticks (USER_HZ, 100 on Linux).
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return time.Duration((u + st) / 100 * float64(time.Second))
}

func median(rs []result) result {
	if len(rs) == 0 {
		return result{}
	}
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int {
		switch {
		case a.rate < b.rate:
			return -1
		case a.rate > b.rate:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

// load sends the paths with o.clients connections, each starting at
// another path: for d when d > 0, else until count requests in all have
// been answered. Any answer other than 200 or 204 fails the run.
func load(client *http.Client, o options, paths []string, d time.Duration, count int) (result, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	var (
		sent, bytes atomic.Int64
		mu          sync.Mutex
		latencies   []time.Duration
		firstErr    error
		wg          sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	start, cpu0 := time.Now(), processCPU(o.pid)
	for c := 0; c < o.clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []time.Duration
			defer func() {
				mu.Lock()
				latencies = append(latencies, mine...)
				mu.Unlock()
			}()
			i := c * len(paths) / o.clients
			for ctx.Err() == nil {
				if count > 0 && sent.Add(1) > int64(count) {
					return
				}
				path := paths[i%len(paths)]
				i++
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.url+path, nil)
				if err != nil {
					fail(err)
					return
				}
				req.Header.Set("Accept-Encoding", "gzip")
				if o.token != "" {
					req.Header.Set("Authorization", "Bearer "+o.token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						fail(fmt.Errorf("GET %s: %w", path, err))
					}
					return
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					if ctx.Err() == nil {
						fail(fmt.Errorf("GET %s: reading: %w", path, err))
					}
					return
				}
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
					fail(fmt.Errorf("GET %s: %s", path, resp.Status))
					return
				}
				mine = append(mine, time.Since(t0))
				bytes.Add(n)
			}
		}(c)
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU(o.pid)-cpu0
	if firstErr != nil {
		return result{}, firstErr
	}
	slices.Sort(latencies)
	res := result{rate: float64(len(latencies)) / elapsed.Seconds()}
	if n := len(latencies); n > 0 {
		res.p50, res.p99 = latencies[n/2], latencies[n*99/100]
		res.bytesPer = float64(bytes.Load()) / float64(n)
		res.cpuPer = float64(cpu.Microseconds()) / float64(n)
	}
	return res, nil
}
