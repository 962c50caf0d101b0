package api

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"jingge/api/httpx"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/patrolling"
	"jingge/data/memory"
)

func TestEventsList(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	postPings(t, s, pingBody(pingJSON("m1", 0, apitest.InCommunity, ""), pingJSON("m1", 5, apitest.InCommunityB, ""), pingJSON("m5", 0, apitest.InPoliceOnly, "")), http.StatusOK)
	var list patrolling.EventList
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/events", ""), &list)
	if len(list.Events) != 4 || list.Last != 4 || list.Events[0].ID != 1 {
		t.Fatalf("events: %+v", list)
	}
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/events?after=1&limit=2", ""), &list)
	if len(list.Events) != 2 || list.Events[0].ID != 2 || list.Last != 3 {
		t.Errorf("after=1&limit=2: %+v", list)
	}
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/events?limit=1", ""), &list)
	if len(list.Events) != 1 || list.Events[0].ID != 4 {
		t.Errorf("the newest event: %+v", list)
	}
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/events?after=4", ""), &list)
	if len(list.Events) != 0 || list.Last != 4 {
		t.Errorf("nothing after the last: %+v", list)
	}
	for _, bad := range []string{"?after=-1", "?after=x", "?limit=0", "?limit=1001"} {
		expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/events"+bad, ""), http.StatusBadRequest)
	}
	rec := get(t, s.Handler(), "/api/v1/events", "Last-Event-ID", "nope", "Accept", httpx.ContentTypeEventStream)
	if p := expectProblem(t, rec, http.StatusBadRequest); p.InvalidParams[0].Name != "Last-Event-ID" {
		t.Errorf("bad Last-Event-ID: %+v", p)
	}
}

// liveServer runs s (with Run) behind a real HTTP server.
type liveServer struct {
	*httptest.Server
	api    *Server
	ctx    context.Context
	cancel context.CancelFunc // ends Run
	// done closes when Run returns; nil until run.
	done chan struct{}
}

func startLive(t *testing.T, s *Server, configure func(*http.Server)) *liveServer {
	t.Helper()
	ls := startServing(t, s, configure)
	ls.run()
	return ls
}

// startServing serves s behind a real HTTP server without starting Run,
// as a server is while its patrol loop has not gone live yet.
func startServing(t *testing.T, s *Server, configure func(*http.Server)) *liveServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ls := &liveServer{api: s, ctx: ctx, cancel: cancel}
	ls.Server = httptest.NewUnstartedServer(s.Handler())
	if configure != nil {
		configure(ls.Server.Config)
	}
	ls.Server.Config.RegisterOnShutdown(s.CloseStreams)
	ls.Server.Start()
	t.Cleanup(func() {
		s.CloseStreams()
		ls.Server.Close()
		cancel()
		if ls.done != nil {
			<-ls.done
		}
	})
	return ls
}

// run starts s.Run, once.
func (ls *liveServer) run() {
	ls.done = make(chan struct{})
	go func() { defer close(ls.done); ls.api.Run(ls.ctx) }()
}

// post sends pings to the live server.
func (ls *liveServer) post(t *testing.T, pings ...string) patrolling.PingResponse {
	t.Helper()
	_, resp := postPings(t, ls.api, pingBody(pings...), http.StatusOK)
	return resp
}

// sseClient reads one event stream.
type sseClient struct {
	resp  *http.Response
	lines chan string
}

// sseEvent is what a client parsed from the stream.
type sseEvent struct {
	id      string
	name    string
	data    string
	comment string
}

func openStream(t *testing.T, url string, lastEventID string) *sseClient {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/api/v1/events", nil)
	req.Header.Set("Accept", httpx.ContentTypeEventStream)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != httpx.ContentTypeEventStream {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("stream: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	c := &sseClient{resp: resp, lines: make(chan string, 1024)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return c
}

// next returns the next event or comment, or ok false when the stream
// ended or nothing came within timeout.
func (c *sseClient) next(timeout time.Duration) (ev sseEvent, ok bool) {
	deadline := time.After(timeout)
	for {
		select {
		case line, open := <-c.lines:
			switch {
			case !open:
				return ev, false
			case line == "":
				if ev != (sseEvent{}) {
					return ev, true
				}
			case strings.HasPrefix(line, ": "):
				ev.comment = line[2:]
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		case <-deadline:
			return ev, false
		}
	}
}

// events reads events (skipping comments) until n arrived.
func (c *sseClient) events(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	// A bound, not a speed check: generous for a loaded machine. It holds
	// for all n events together, since heartbeats keep every single wait
	// short and a stream missing an event would otherwise never fail.
	deadline := time.Now().Add(60 * time.Second)
	for len(ids) < n {
		ev, ok := c.next(time.Until(deadline))
		if !ok {
			t.Fatalf("stream ended or stalled after events %v; want %d", ids, n)
		}
		if ev.id != "" {
			if !strings.Contains(ev.data, `"id":`+ev.id+`,`) {
				t.Fatalf("event id %s with data %s", ev.id, ev.data)
			}
			ids = append(ids, ev.id)
		}
	}
	return ids
}

// quiet fails t if an event arrives within d.
func (c *sseClient) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		ev, ok := c.next(time.Until(deadline))
		if ok && ev.id != "" {
			t.Fatalf("unexpected event %s: %s", ev.id, ev.data)
		}
	}
}

func seq(from, to int) string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return strings.Join(out, ",")
}

// TestStreamResume: a client that saw event 2 reconnects with
// Last-Event-ID and gets exactly the events it missed, then live ones.
func TestStreamResume(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	ls := startLive(t, s, nil)
	ls.post(t, pingJSON("m1", 0, apitest.InCommunity, ""), pingJSON("m1", 5, apitest.InCommunityB, ""), pingJSON("m5", 0, apitest.InPoliceOnly, "")) // events 1..4
	live := openStream(t, ls.URL, "")
	resumed := openStream(t, ls.URL, "2")
	if got := strings.Join(resumed.events(t, 2), ","); got != "3,4" {
		t.Fatalf("resumed after 2: %s, want 3,4", got)
	}
	ls.post(t, pingJSON("m1", 10, apitest.InCommunity, ""), pingJSON("m2", 0, apitest.InCommunity, "")) // events 5..7
	if got := strings.Join(resumed.events(t, 3), ","); got != "5,6,7" {
		t.Errorf("resumed stream live: %s, want 5,6,7", got)
	}
	if got := strings.Join(live.events(t, 3), ","); got != "5,6,7" {
		t.Errorf("a stream without Last-Event-ID starts now: %s, want 5,6,7", got)
	}
	resumed.quiet(t, 200*time.Millisecond)
	again := openStream(t, ls.URL, "0")
	if got := strings.Join(again.events(t, 7), ","); got != seq(1, 7) {
		t.Errorf("from 0: %s", got)
	}
	future := openStream(t, ls.URL, "1000")
	ls.post(t, pingJSON("m2", 5, apitest.InCommunityB, "")) // events 8, 9
	if got := strings.Join(future.events(t, 2), ","); got != "8,9" {
		t.Errorf("a Last-Event-ID from the future: %s, want 8,9", got)
	}
}

// TestStreamResumeBeforeRun is TestStreamResume with the server's patrol
// loop going live only after events 5 to 7 were written, as when its
// goroutine is held up on a loaded machine (or the store is slow to
// answer at startup): both streams had replayed up to 4, and Run, which
// publishes what comes after the newest event it finds, never published
// 5 to 7.
func TestStreamResumeBeforeRun(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	ls := startServing(t, s, nil)
	ls.post(t, pingJSON("m1", 0, apitest.InCommunity, ""), pingJSON("m1", 5, apitest.InCommunityB, ""), pingJSON("m5", 0, apitest.InPoliceOnly, "")) // events 1..4
	live := openStream(t, ls.URL, "")
	resumed := openStream(t, ls.URL, "2")
	if got := strings.Join(resumed.events(t, 2), ","); got != "3,4" {
		t.Fatalf("resumed after 2: %s, want 3,4", got)
	}
	ls.post(t, pingJSON("m1", 10, apitest.InCommunity, ""), pingJSON("m2", 0, apitest.InCommunity, "")) // events 5..7
	ls.run()
	if got := strings.Join(resumed.events(t, 3), ","); got != "5,6,7" {
		t.Errorf("resumed stream: %s, want 5,6,7", got)
	}
	if got := strings.Join(live.events(t, 3), ","); got != "5,6,7" {
		t.Errorf("live stream: %s, want 5,6,7", got)
	}
	ls.post(t, pingJSON("m2", 5, apitest.InCommunityB, "")) // events 8, 9
	for name, c := range map[string]*sseClient{"resumed": resumed, "live": live} {
		if got := strings.Join(c.events(t, 2), ","); got != "8,9" {
			t.Errorf("%s stream once Run is live: %s, want 8,9", name, got)
		}
	}
}

func TestStreamHeartbeat(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{Heartbeat: 30 * time.Millisecond})
	ls := startLive(t, s, nil)
	c := openStream(t, ls.URL, "")
	beats := 0
	for beats < 3 {
		ev, ok := c.next(10 * time.Second)
		if !ok {
			t.Fatalf("no heartbeat within 10 s (got %d)", beats)
		}
		if ev.comment == "heartbeat" {
			beats++
		}
	}
}

// TestStreamOutlivesServerTimeouts: a stream lasts far longer than the
// server's ReadTimeout and WriteTimeout.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{Heartbeat: 50 * time.Millisecond})
	ls := startLive(t, s, func(hs *http.Server) {
		hs.ReadTimeout = 150 * time.Millisecond
		hs.WriteTimeout = 150 * time.Millisecond
	})
	c := openStream(t, ls.URL, "")
	time.Sleep(600 * time.Millisecond)
	ls.post(t, pingJSON("m1", 0, apitest.InCommunity, ""))
	if got := c.events(t, 1); got[0] != "1" {
		t.Errorf("event after the timeouts: %v", got)
	}
}

// TestStreamSlowClient: a client whose buffer overflows is caught up from
// the store; it still gets every event once, in order, and publishing
// never waited for it.
func TestStreamSlowClient(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{StreamBuffer: 1})
	ls := startLive(t, s, nil)
	c := openStream(t, ls.URL, "")
	for i := range 40 {
		pt := apitest.InCommunity
		if i%2 == 1 {
			pt = apitest.InCommunityB
		}
		start := time.Now()
		resp := ls.post(t, pingJSON("m1", i, pt, ""))
		if time.Since(start) > time.Second {
			t.Errorf("a write waited %v for a slow stream", time.Since(start))
		}
		_ = resp
	}
	// Events: 1 enter, then a leave and an enter per move.
	if got := strings.Join(c.events(t, 79), ","); got != seq(1, 79) {
		t.Errorf("slow client got %s", got)
	}
	c.quiet(t, 100*time.Millisecond)
}

// TestStreamShutdown: shutting the server down ends every stream with a
// goodbye, and Shutdown does not wait for its timeout.
func TestStreamShutdown(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	ls := startLive(t, s, nil)
	c := openStream(t, ls.URL, "")
	ls.post(t, pingJSON("m1", 0, apitest.InCommunity, ""))
	c.events(t, 1)
	// Shutdown must not wait for its timeout (the streams would hold it
	// to the end); half of it is a bound no loaded machine reaches.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	if err := ls.Config.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Shutdown took %v: it waited for the streams", d)
	}
	sawBye := false
	for {
		ev, ok := c.next(10 * time.Second)
		if !ok {
			break
		}
		sawBye = sawBye || strings.Contains(ev.comment, "shutting down")
	}
	if !sawBye {
		t.Error("the stream ended without a goodbye")
	}
	rec := get(t, s.Handler(), "/api/v1/events", "Accept", httpx.ContentTypeEventStream)
	expectProblem(t, rec, http.StatusServiceUnavailable)
}

// TestStreamClientGone: the handler ends when the client hangs up.
func TestStreamClientGone(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{Heartbeat: 20 * time.Millisecond})
	ls := startLive(t, s, nil)
	conn, err := net.Dial("tcp", ls.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
	buf := make([]byte, 256)
	if _, err := conn.Read(buf); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.patrols.Hub().Clients() == 1 })
	conn.Close()
	waitFor(t, func() bool { return s.patrols.Hub().Clients() == 0 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestStreamManyClients checks every client of a busy stream gets every
// event exactly once.
func TestStreamManyClients(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{StreamBuffer: 4})
	ls := startLive(t, s, nil)
	clients := make([]*sseClient, 5)
	for i := range clients {
		clients[i] = openStream(t, ls.URL, "0")
	}
	var wg sync.WaitGroup
	for _, o := range []string{"m1", "m2"} {
		wg.Go(func() {
			for i := range 25 {
				pt := apitest.InCommunity
				if i%2 == 1 {
					pt = apitest.InCommunityB
				}
				postPings(t, s, pingBody(pingJSON(o, i, pt, "")), http.StatusOK)
			}
		})
	}
	wg.Wait()
	for i, c := range clients {
		if got := strings.Join(c.events(t, 98), ","); got != seq(1, 98) {
			t.Errorf("client %d: %s", i, got)
		}
	}
}

// TestEventStreamHead: HEAD of the event stream answers the stream's
// headers at once instead of starting a stream that never ends.
func TestEventStreamHead(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	ls := startLive(t, s, nil)
	req, _ := http.NewRequest(http.MethodHead, ls.URL+"/api/v1/events", nil)
	req.Header.Set("Accept", httpx.ContentTypeEventStream)
	res, err := (&http.Client{Timeout: 5 * time.Second}).Do(req) // the timeout fails a stream that started
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != httpx.ContentTypeEventStream {
		t.Errorf("HEAD of the event stream: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestEventGap: a store that keeps only recent events (the embedded
// store's ring) tells a client resuming from an older id what it missed,
// in the list and as a "gap" event on the stream, instead of replaying
// silently from the oldest kept.
func TestEventGap(t *testing.T) {
	store := memory.NewPatrols(memory.PatrolOptions{Now: func() time.Time { return testNow }, Retention: 365 * 24 * time.Hour, MaxEvents: 2})
	s := newTestServer(t, nil, Config{Patrols: store, PatrolOptions: PatrolOptions{Now: func() time.Time { return testNow }}})
	ls := startLive(t, s, nil)
	ls.post(t, pingJSON("m1", 0, apitest.InCommunity, ""), pingJSON("m1", 5, apitest.InCommunityB, ""), pingJSON("m5", 0, apitest.InPoliceOnly, "")) // events 1..4; 3 and 4 kept
	list := func(after string) patrolling.EventList {
		t.Helper()
		var l patrolling.EventList
		decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/events?after="+after, ""), &l)
		return l
	}
	if l := list("0"); l.Missed == nil || *l.Missed != (patrolling.EventGap{After: 0, Oldest: 3}) || len(l.Events) != 2 || l.Events[0].ID != 3 {
		t.Errorf("after 0: missed %+v, %d events", l.Missed, len(l.Events))
	}
	if l := list("2"); l.Missed != nil || len(l.Events) != 2 {
		t.Errorf("after 2 nothing is missed: %+v, %d events", l.Missed, len(l.Events))
	}
	c := openStream(t, ls.URL, "1")
	var gap sseEvent
	for gap.name == "" {
		ev, ok := c.next(30 * time.Second)
		if !ok {
			t.Fatal("no gap event on the stream")
		}
		if ev.id != "" {
			t.Fatalf("event %s before the gap was announced", ev.id)
		}
		gap = ev
	}
	if gap.name != "gap" || gap.data != `{"after":1,"oldest":3}` {
		t.Errorf("gap event %q: %s", gap.name, gap.data)
	}
	if got := strings.Join(c.events(t, 2), ","); got != "3,4" {
		t.Errorf("after the gap: %s, want 3,4", got)
	}
}
