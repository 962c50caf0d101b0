package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
)

// kill9Server is a `jingge serve` process on the embedded store of a data
// directory, started again on the same address after each kill.
type kill9Server struct {
	t    *testing.T
	bin  string
	dir  string
	addr string
	logs *os.File
	cmd  *exec.Cmd
}

func (s *kill9Server) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "serve", "--addr", s.addr, "--data-dir", s.dir, "--log-format", "json", "--rate", "1000000", "--burst", "1000000")
	s.cmd.Env = append(os.Environ(), "JINGGE_AUTH_FILE=", "DATABASE_URL=")
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + s.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the server was not ready within a minute; see %s", s.logs.Name())
		}
	}
}

func (s *kill9Server) kill() {
	s.cmd.Process.Kill() // SIGKILL
	s.cmd.Wait()
}

// kill9Client sends writes as the admin and retries a write that got no
// answer or a 503 with the same Idempotency-Key until it is answered.
type kill9Client struct {
	base, token string
	http        *http.Client
}

// do sends the request until it gets an answer other than 503 or a
// network error, or gives up after a minute; it returns the status and
// body of that answer.
func (c *kill9Client) do(method, path, key string, body []byte, retry bool) (int, []byte) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := c.http.Do(req)
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode != http.StatusServiceUnavailable {
				return resp.StatusCode, b
			}
		}
		if !retry {
			return 0, nil
		}
	}
	return 0, nil
}

// acked is what the server acknowledged during the run.
type acked struct {
	mu         sync.Mutex
	incidents  []string
	pings      map[string]int // officer -> pings
	events     map[int64]string
	population int // the last population acknowledged for the edited grid
	edits      int
	plans      []string
	planTries  int
}

// TestKill9DataDir kills the embedded server with SIGKILL while it takes
// incidents, pings, grid edits and plans, starts it again each time, and
// checks that everything acknowledged is stored and nothing twice; a
// backup taken beside the loaded server holds what was acknowledged
// before it. It
// builds the binary and runs for about half a minute, so it runs only
// when JINGGE_KILL9=1 (scripts/reliability/kill9-datadir.sh).
func TestKill9DataDir(t *testing.T) {
	if os.Getenv("JINGGE_KILL9") == "" {
		t.Skip("set JINGGE_KILL9=1 to kill the embedded server under write load")
	}
	work := t.TempDir()
	bin := filepath.Join(work, "jingge")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logs, _ := os.Create(filepath.Join(work, "server.log"))
	defer logs.Close()
	dir := filepath.Join(work, "data")
	srv := &kill9Server{t: t, bin: bin, dir: dir, addr: addr, logs: logs}
	out, err := exec.Command(bin, "tokens", "create", "--user", demoAdmin, "--auth-file", filepath.Join(dir, "auth.json")).CombinedOutput()
	if err != nil {
		t.Fatalf("tokens create: %v\n%s", err, out)
	}
	token := ""
	for _, f := range strings.Fields(string(out)) {
		if strings.HasPrefix(f, "jgt_") {
			token = f
		}
	}
	srv.start()
	defer func() {
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			t.Logf("server log (tail):\n%s", b[max(0, len(b)-4000):])
		}
	}()
	c := &kill9Client{base: "http://" + addr, token: token, http: &http.Client{Timeout: 10 * time.Second}}

	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	grids := map[string]geo.Grid{}
	for _, g := range ds.Grids {
		grids[g.ID] = g
	}
	var officers []geo.Member
	for _, m := range ds.Members {
		if m.Role.IsPolice() && len(m.GridIDs) >= 2 && len(officers) < 4 {
			officers = append(officers, m)
		}
	}
	var edited geo.Grid
	for _, g := range ds.Grids {
		if g.Level == geo.CommunityLevel {
			edited = g
			break
		}
	}
	start := time.Now().UTC().Truncate(time.Second)
	res := &acked{pings: map[string]int{}, events: map[int64]string{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	run := func(fn func(i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				fn(i)
			}
		}()
	}
	for w, m := range officers {
		run(func(i int) {
			var body bytes.Buffer
			body.WriteString(`{"pings":[`)
			at := time.Now().UTC()
			for k := range 5 {
				if k > 0 {
					body.WriteByte(',')
				}
				p := grids[m.GridIDs[(i+k)%2]].Geometry.Bound().Center()
				fmt.Fprintf(&body, `{"officer":%q,"at":%q,"lon":%.7f,"lat":%.7f,"speed_mps":1,"heading_deg":0}`, m.ID, at.Add(time.Duration(k-5)*time.Millisecond).Format(time.RFC3339Nano), p[0], p[1])
			}
			body.WriteString(`]}`)
			code, b := c.do(http.MethodPost, "/api/v1/patrols/pings", fmt.Sprintf("k9-p-%d-%d", w, i), body.Bytes(), true)
			var pr struct {
				Accepted int `json:"accepted"`
				Replayed bool
				Events   []struct {
					ID      int64  `json:"id"`
					Kind    string `json:"kind"`
					Officer string `json:"officer"`
				} `json:"events"`
			}
			if code != http.StatusOK || json.Unmarshal(b, &pr) != nil {
				t.Errorf("pings: %d %s", code, b)
				return
			}
			res.mu.Lock()
			res.pings[m.ID] += 5
			for _, e := range pr.Events {
				res.events[e.ID] = e.Kind + " " + e.Officer
			}
			res.mu.Unlock()
		})
	}
	for w := range 2 {
		run(func(i int) {
			g := grids[officers[(w+i)%len(officers)].GridIDs[0]]
			p := g.Geometry.Bound().Center()
			body := fmt.Sprintf(`{"occurred_at":%q,"category":"traffic","source":"kill9","location":[%.7f,%.7f]}`, time.Now().UTC().Format(time.RFC3339Nano), p[0], p[1])
			code, b := c.do(http.MethodPost, "/api/v1/incidents", fmt.Sprintf("k9-i-%d-%d", w, i), []byte(body), true)
			var cr struct {
				Incidents []struct {
					ID string `json:"id"`
				} `json:"incidents"`
			}
			if (code != http.StatusCreated && code != http.StatusOK) || json.Unmarshal(b, &cr) != nil || len(cr.Incidents) != 1 {
				t.Errorf("incidents: %d %s", code, b)
				return
			}
			res.mu.Lock()
			res.incidents = append(res.incidents, cr.Incidents[0].ID)
			res.mu.Unlock()
		})
	}
	run(func(i int) {
		pop := 50000 + i
		code, b := c.do(http.MethodPut, "/api/v1/grids/"+edited.ID, "", fmt.Appendf(nil, `{"type":"Feature","properties":{"population":%d}}`, pop), true)
		if code != http.StatusOK {
			t.Errorf("grid edit: %d %s", code, b)
			return
		}
		res.mu.Lock()
		res.population, res.edits = pop, res.edits+1
		res.mu.Unlock()
	})
	run(func(i int) {
		// Plans have no idempotency key: an unanswered proposal is not sent again.
		code, b := c.do(http.MethodPost, "/api/v1/plan/plans", "", fmt.Appendf(nil, `{"note":"k9-%d","iterations":20}`, i), false)
		res.mu.Lock()
		defer res.mu.Unlock()
		res.planTries++
		var pl struct {
			ID string `json:"id"`
		}
		if code == http.StatusOK && json.Unmarshal(b, &pl) == nil {
			res.plans = append(res.plans, pl.ID)
		} else {
			time.Sleep(100 * time.Millisecond) // the server is starting again
		}
	})
	var backedUp backupCheck
	for k, after := range []time.Duration{6 * time.Second, 7 * time.Second, 7 * time.Second} {
		time.Sleep(after)
		if k == 1 {
			backedUp = takeBackup(t, bin, dir, filepath.Join(work, "backup"), res)
		}
		srv.kill()
		t.Logf("killed the server with SIGKILL")
		srv.start()
	}
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()
	srv.kill() // the last state checked is one a crash left
	srv.start()
	defer srv.kill()

	// Incidents: every acknowledged one, and no other of the run.
	for _, id := range res.incidents {
		if code, b := c.do(http.MethodGet, "/api/v1/incidents/"+id, "", nil, true); code != http.StatusOK {
			t.Errorf("acknowledged incident %s: %d %s", id, code, b)
		}
	}
	stored := 0
	// Pages follow the list's rel="next" link until there is none.
	for target := "/api/v1/incidents?limit=1000&from=" + url.QueryEscape(start.Format(time.RFC3339)); target != ""; {
		code, b := c.do(http.MethodGet, target, "", nil, true)
		var page struct {
			Features []json.RawMessage `json:"features"`
			Links    []struct{ Rel, Href string }
		}
		if code != http.StatusOK || json.Unmarshal(b, &page) != nil {
			t.Fatalf("listing incidents: %d %s", code, b)
		}
		stored += len(page.Features)
		target = ""
		for _, l := range page.Links {
			if l.Rel == "next" {
				target = l.Href
			}
		}
	}
	if stored != len(res.incidents) {
		t.Errorf("incidents: acknowledged %d, stored %d", len(res.incidents), stored)
	}
	// Pings: the track of every officer holds exactly the acknowledged.
	storedPings, ackedPings := 0, 0
	for _, m := range officers {
		code, b := c.do(http.MethodGet, fmt.Sprintf("/api/v1/patrols/%s/track?from=%s", m.ID, start.Add(-time.Minute).Format(time.RFC3339)), "", nil, true)
		var tr struct {
			Features []json.RawMessage `json:"features"`
		}
		if code != http.StatusOK || json.Unmarshal(b, &tr) != nil {
			t.Fatalf("track of %s: %d %s", m.ID, code, b)
		}
		n := max(len(tr.Features)-1, 0) // the first feature is the line
		storedPings += n
		ackedPings += res.pings[m.ID]
		if n != res.pings[m.ID] {
			t.Errorf("officer %s: acknowledged %d pings, stored %d", m.ID, res.pings[m.ID], n)
		}
	}
	// Events: consecutive ids from the first, each once (the directory
	// keeps every event, the old ones in its archive), and every
	// acknowledged one among them.
	var ids []int64
	events := map[int64]string{}
	for after := int64(0); ; {
		code, b := c.do(http.MethodGet, fmt.Sprintf("/api/v1/events?after=%d&limit=1000", after), "", nil, true)
		var el struct {
			Events []struct {
				ID      int64  `json:"id"`
				Kind    string `json:"kind"`
				Officer string `json:"officer"`
			} `json:"events"`
			Last int64 `json:"last"`
		}
		if code != http.StatusOK || json.Unmarshal(b, &el) != nil {
			t.Fatalf("events: %d %s", code, b)
		}
		for _, e := range el.Events {
			ids = append(ids, e.ID)
			events[e.ID] = e.Kind + " " + e.Officer
		}
		if len(el.Events) == 0 {
			break
		}
		after = el.Last
	}
	for i, id := range ids {
		if id != int64(i)+1 {
			t.Fatalf("event ids are not consecutive from 1: position %d holds %d", i, id)
		}
	}
	for id, what := range res.events {
		if events[id] != what {
			t.Errorf("acknowledged event %d (%s) is stored as %q", id, what, events[id])
		}
	}
	// Grid edits: the last acknowledged population is in force.
	var feature struct {
		Properties struct {
			Population int `json:"population"`
		} `json:"properties"`
	}
	code, b := c.do(http.MethodGet, "/api/v1/grids/"+edited.ID, "", nil, true)
	if code != http.StatusOK || json.Unmarshal(b, &feature) != nil || feature.Properties.Population != res.population {
		t.Errorf("grid %s: population %d (%d), want the last acknowledged %d", edited.ID, feature.Properties.Population, code, res.population)
	}
	// Plans: every acknowledged one; at most the unanswered tries more.
	code, b = c.do(http.MethodGet, "/api/v1/plan/plans?limit=1000", "", nil, true)
	var plans []struct {
		ID string `json:"id"`
	}
	if code != http.StatusOK || json.Unmarshal(b, &plans) != nil {
		var wrapped struct {
			Plans []struct {
				ID string `json:"id"`
			} `json:"plans"`
		}
		if json.Unmarshal(b, &wrapped) != nil {
			t.Fatalf("plans: %d %s", code, b)
		}
		plans = wrapped.Plans
	}
	var planIDs []string
	for _, p := range plans {
		planIDs = append(planIDs, p.ID)
	}
	// The list shows the newest 1,000 at most, and a quiet machine
	// proposes more: each acknowledged plan is read by its id.
	for _, id := range res.plans {
		if slices.Contains(planIDs, id) {
			continue
		}
		if code, _ := c.do(http.MethodGet, "/api/v1/plan/plans/"+id, "", nil, true); code != http.StatusOK {
			t.Errorf("acknowledged plan %s is not stored (%d)", id, code)
		}
	}
	if len(planIDs) > res.planTries {
		t.Errorf("%d plans stored from %d proposals", len(planIDs), res.planTries)
	}
	backedUp.check(t, officers)
	t.Logf("acknowledged and stored: %d incidents (stored %d), %d pings (stored %d), %d events acknowledged of %d stored (ids from %d, each once), %d grid edits (last population %d in force), %d plans acknowledged of %d proposed (%d in the list, the newest; every acknowledged one read)",
		len(res.incidents), stored, ackedPings, storedPings, len(res.events), len(ids), ids[0], res.edits, res.population, len(res.plans), res.planTries, len(planIDs))
}

// backupCheck is a backup taken by `jingge backup` in its own process
// beside the loaded server, and what was acknowledged before it started.
type backupCheck struct {
	dir       string
	incidents []string
	pings     map[string]int
}

func takeBackup(t *testing.T, bin, dataDir, dst string, res *acked) backupCheck {
	t.Helper()
	res.mu.Lock()
	b := backupCheck{dir: dst, incidents: slices.Clone(res.incidents), pings: maps.Clone(res.pings)}
	res.mu.Unlock()
	out, err := exec.Command(bin, "backup", "--data-dir", dataDir, "--auth-file", filepath.Join(dataDir, "auth.json"), "-o", dst).CombinedOutput()
	if err != nil {
		t.Fatalf("jingge backup beside the loaded server: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
	return b
}

// check opens the backup and finds in it every incident and ping
// acknowledged before it started.
func (b backupCheck) check(t *testing.T, officers []geo.Member) {
	t.Helper()
	d, err := memory.OpenDir(b.dir, memory.DirOptions{})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer d.Close()
	ctx := context.Background()
	for _, id := range b.incidents {
		if _, err := d.Incident(ctx, id); err != nil {
			t.Errorf("incident %s, acknowledged before the backup, is not in it: %v", id, err)
		}
	}
	pings := 0
	for _, m := range officers {
		track, _, err := d.Patrols.Track(ctx, m.ID, time.Now().Add(-time.Hour), time.Now(), -1)
		if err != nil || len(track) < b.pings[m.ID] {
			t.Errorf("officer %s: the backup holds %d pings (%v), %d were acknowledged before it", m.ID, len(track), err, b.pings[m.ID])
		}
		pings += b.pings[m.ID]
	}
	t.Logf("the backup taken under load holds the %d incidents and %d pings acknowledged before it", len(b.incidents), pings)
}
