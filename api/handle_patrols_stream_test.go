package api

import (
	"bufio"
	"encoding/json"
	"io"
	"jingge/api/httpx"
	"net/http"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/patrolling"
)

// openPositions opens GET /api/v1/patrols/stream on a live server.
func openPositions(t *testing.T, url string) *sseClient {
	t.Helper()
	resp, err := http.Get(url + "/api/v1/patrols/stream")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != httpx.ContentTypeEventStream {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("positions stream: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	c := &sseClient{resp: resp, lines: make(chan string, 1024)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return c
}

// nextFrame returns the next positions frame, skipping heartbeats.
func nextFrame(t *testing.T, c *sseClient) patrolling.PatrolFrame {
	t.Helper()
	for {
		ev, ok := c.next(30 * time.Second)
		if !ok {
			t.Fatal("the positions stream ended or sent nothing within 30 s")
		}
		if ev.name == "" {
			continue // a comment
		}
		if ev.name != "positions" || ev.id != "" {
			t.Fatalf("event %+v, want one named positions without an id", ev)
		}
		var f patrolling.PatrolFrame
		if err := json.Unmarshal([]byte(ev.data), &f); err != nil {
			t.Fatalf("frame %s: %v", ev.data, err)
		}
		return f
	}
}

func TestPatrolStreamSendsChangesOnly(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{PositionInterval: 5 * time.Millisecond})
	ls := startLive(t, s, nil)
	ls.post(t, pingJSON("m1", 0, apitest.InCommunity, `,"speed_mps":1.5`), pingJSON("m5", 0, apitest.InPoliceOnly, ""))

	c := openPositions(t, ls.URL)
	full := nextFrame(t, c)
	if !full.Full || len(full.Officers) != 2 {
		t.Fatalf("first frame %+v, want every officer (2), full", full)
	}
	for _, o := range full.Officers {
		if o.Name == "" || o.Station == "" || o.Grid == "" || o.Status == "" {
			t.Errorf("full frame officer %+v: names, grid and status wanted", o)
		}
	}

	// Only m1 moves: the next frame carries m1 alone, without the names
	// the client already holds.
	ls.post(t, pingJSON("m1", 10, apitest.InCommunityB, `,"speed_mps":1.5`))
	delta := nextFrame(t, c)
	if delta.Full || len(delta.Officers) != 1 || delta.Officers[0].Officer != "m1" {
		t.Fatalf("delta %+v, want m1 alone", delta)
	}
	o := delta.Officers[0]
	if o.Name != "" || o.Station != "" {
		t.Errorf("delta repeats the names: %+v", o)
	}
	if o.Lon != apitest.InCommunityB[0] || o.Lat != apitest.InCommunityB[1] || o.Grid != apitest.CommunityB {
		t.Errorf("delta %+v, want m1 at %v in %s", o, apitest.InCommunityB, apitest.CommunityB)
	}

	// A reconnecting client starts from a full frame again.
	again := nextFrame(t, openPositions(t, ls.URL))
	if !again.Full || len(again.Officers) != 2 || again.Officers[0].Name == "" {
		t.Errorf("a new stream's first frame %+v, want both officers named", again)
	}
}

func TestPatrolStreamWithoutPatrols(t *testing.T) {
	s := newTestServer(t, nil, Config{Patrols: nil})
	s.patrols.store = nil
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols/stream", ""), http.StatusServiceUnavailable)
}
