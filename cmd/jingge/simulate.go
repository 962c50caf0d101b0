package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"jingge/api/patrolling"
	"jingge/geo"
	"jingge/geo/crs"
	"jingge/geo/patrol"
)

func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return simulateCommand(ctx, args, stdout, stderr, openStore)
}

// simulateOptions are the settings of `jingge simulate patrols`.
type simulateOptions struct {
	server   string
	officers int
	interval time.Duration
	duration time.Duration
	speedup  float64
	seed     uint64
	crs      crs.CRS
	token    string
	dbURL    string
}

func parseSimulateFlags(args []string, stderr io.Writer) (simulateOptions, error) {
	fs := flag.NewFlagSet("jingge simulate patrols", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: jingge simulate patrols [--server URL] [--officers N] [--interval 5s] [--duration D] [--speedup X]\n\nMoves officers along plausible routes inside their own police grids (now and then into a\nneighbouring grid), at foot, e-bike or car speeds slowed by the terrain, and posts their\npositions to a running server every interval, so the live map moves and geofence events flow.\nFlags:")
		fs.PrintDefaults()
	}
	var o simulateOptions
	fs.StringVar(&o.server, "server", envOr("JINGGE_SERVER", "http://127.0.0.1:8080"), "base `URL` of the jingge server (env JINGGE_SERVER)")
	fs.IntVar(&o.officers, "officers", 0, "how many officers to move (0: every community and auxiliary officer)")
	fs.DurationVar(&o.interval, "interval", 5*time.Second, "time between two positions of an officer")
	fs.DurationVar(&o.duration, "duration", 0, "stop after this long (0: until interrupted)")
	fs.Float64Var(&o.speedup, "speedup", 1, "simulated seconds per real second, to make the map move faster (reported speeds stay real)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the routes; the same seed moves the same officers the same way")
	crsName := fs.String("crs", "wgs84", "coordinate `system` the positions are sent in: wgs84, gcj02 or bd09")
	fs.StringVar(&o.token, "token", os.Getenv("JINGGE_TOKEN"), "bearer `token` sent as Authorization, for a server that requires sign-in (env JINGGE_TOKEN)")
	dbFlagVar(fs, &o.dbURL, "reads the grids and officers as the server does; empty uses the bundled Lantian dataset")
	if len(args) == 0 || args[0] != "patrols" {
		fs.Usage()
		return o, fmt.Errorf("%w: simulate what? the only simulation is: jingge simulate patrols", errUsage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return o, flagError(err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: simulate patrols takes no arguments, got %q", errUsage, fs.Args())
	}
	var err error
	if o.crs, err = crs.Parse(*crsName); err != nil {
		return o, fmt.Errorf("%w: --crs: %v", errUsage, err)
	}
	switch u, err := url.Parse(o.server); {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return o, fmt.Errorf("%w: --server must be an http:// or https:// URL, got %q", errUsage, o.server)
	case o.interval <= 0 || o.duration < 0 || o.officers < 0 || o.speedup <= 0 || math.IsInf(o.speedup, 0):
		return o, fmt.Errorf("%w: --interval and --speedup must be positive, --duration and --officers not negative", errUsage)
	}
	o.server = strings.TrimRight(o.server, "/")
	return o, nil
}

func simulateCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	o, err := parseSimulateFlags(args, stderr)
	if err != nil {
		return err
	}
	store, err := open(ctx, o.dbURL, cliLogger(stderr))
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	ds, err := store.Snapshot(ctx)
	store.Close()
	if err != nil {
		return fmt.Errorf("reading the dataset: %w", err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return err
	}
	datum, err := crs.Parse(cmp.Or(ds.Meta.Datum, "wgs84"))
	if err != nil {
		return fmt.Errorf("dataset %q: datum: %w", ds.Meta.Name, err)
	}
	w := newWalker(ix, o.officers, o.seed)
	if len(w.officers) == 0 {
		return errors.New("the dataset has no community or auxiliary officers with grids to move")
	}
	sim := &simulator{o: o, w: w, datum: datum, out: stdout, client: &http.Client{Timeout: max(o.interval, 10*time.Second)}, kinds: map[patrol.EventKind]int{}}
	fmt.Fprintf(stdout, "simulate: moving %d officers of %q, a position every %s, posting to %s\n", len(w.officers), ds.Meta.Name, o.interval, o.server)
	return sim.run(ctx)
}

// simulator posts the walker's positions to the server.
type simulator struct {
	o      simulateOptions
	w      *walker
	datum  crs.CRS
	out    io.Writer
	client *http.Client
	run0   string // random prefix of this run's idempotency keys
	ticks  int
	pings  int
	kinds  map[patrol.EventKind]int
	failed int
}

// reportEvery is how many ticks pass between two progress lines.
const reportEvery = 12

func (s *simulator) run(ctx context.Context) error {
	var b [6]byte
	_, _ = rand.Read(b[:])
	s.run0 = hex.EncodeToString(b[:])
	// The duration ends the rounds, not a round being posted.
	rounds := ctx
	if s.o.duration > 0 {
		var cancel context.CancelFunc
		rounds, cancel = context.WithTimeout(ctx, s.o.duration)
		defer cancel()
	}
	tick := time.NewTicker(s.o.interval)
	defer tick.Stop()
	last := time.Now()
	for {
		if err := s.post(ctx, last); err != nil {
			return err
		}
		if s.ticks%reportEvery == 0 {
			s.report()
		}
		select {
		case <-rounds.Done():
			s.report()
			return nil
		case <-tick.C:
		}
		// Move by the time that really passed (a round may come late), so
		// positions and their times agree; after a long stall, move as
		// for a few rounds rather than jump across the county.
		now := time.Now()
		elapsed := min(now.Sub(last), 5*s.o.interval)
		last = now
		s.w.step(time.Duration(float64(elapsed) * s.o.speedup))
	}
}

func (s *simulator) report() {
	var parts []string
	for _, k := range patrol.EventKinds {
		if n := s.kinds[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	msg := fmt.Sprintf("simulate: %d rounds, %d positions sent", s.ticks, s.pings)
	if len(parts) > 0 {
		msg += "; events: " + strings.Join(parts, ", ")
	}
	if s.failed > 0 {
		msg += fmt.Sprintf("; %d rounds not delivered", s.failed)
	}
	fmt.Fprintln(s.out, msg)
}

// post sends every officer's position at now in one batch. A batch that
// fails for a reason that may pass (no connection, 5xx, 429) is sent again
// with the same key until the next round is due; a 4xx ends the simulation.
func (s *simulator) post(ctx context.Context, now time.Time) error {
	s.ticks++
	body := patrolling.PingBody{CRS: string(s.o.crs), Pings: make([]patrolling.PingInput, len(s.w.officers))}
	at := now.UTC().Format(time.RFC3339Nano)
	for i, o := range s.w.officers {
		pt := crs.Convert(o.pos, s.datum, s.o.crs)
		lon, lat := math.Round(pt[0]*1e7)/1e7, math.Round(pt[1]*1e7)/1e7
		speed := math.Round(o.speed*10) / 10
		heading := math.Round(o.heading*10) / 10
		if heading >= 360 {
			heading = 0
		}
		body.Pings[i] = patrolling.PingInput{Officer: o.id, At: at, Lon: &lon, Lat: &lat, SpeedMPS: &speed, HeadingDeg: &heading}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	key := "sim-" + s.run0 + "-" + strconv.Itoa(s.ticks)
	deadline := now.Add(s.o.interval)
	backoff := 100 * time.Millisecond
	for {
		resp, retry, err := s.send(ctx, key, raw)
		if err == nil {
			s.pings += resp.Accepted
			for _, e := range resp.Events {
				s.kinds[e.Kind]++
			}
			return nil
		}
		if !retry {
			return err
		}
		if ctx.Err() != nil || time.Now().Add(backoff).After(deadline) {
			s.failed++
			fmt.Fprintf(s.out, "simulate: round %d not delivered: %v\n", s.ticks, err)
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

// send posts one batch; retry says whether sending it again may help.
func (s *simulator) send(ctx context.Context, key string, body []byte) (patrolling.PingResponse, bool, error) {
	var out patrolling.PingResponse
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.server+"/api/v1/patrols/pings", bytes.NewReader(body))
	if err != nil {
		return out, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if s.o.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.o.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return out, true, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return out, true, err
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		if err := json.Unmarshal(raw, &out); err != nil {
			return out, false, fmt.Errorf("the server's answer is not a ping response: %w", err)
		}
		return out, false, nil
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests:
		return out, true, fmt.Errorf("the server answered %s: %s", resp.Status, problemText(raw))
	}
	return out, false, fmt.Errorf("the server refused the positions (%s): %s", resp.Status, problemText(raw))
}

// problemText is the detail of a problem document, or the body itself.
func problemText(body []byte) string {
	var p struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &p) == nil && p.Detail != "" {
		return p.Detail
	}
	return strings.TrimSpace(string(body[:min(len(body), 300)]))
}
