package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/patrolling"
	"jingge/api/patrolling/webhook"
	"jingge/geo/patrol"
)

// receiver is a webhook endpoint that answers with statuses in turn (200
// once they run out) and records what it got.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []receivedHook
	srv      *httptest.Server
	arrived  chan struct{}
}

type receivedHook struct {
	header http.Header
	body   []byte
	status int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses, arrived: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		rc.got = append(rc.got, receivedHook{header: r.Header.Clone(), body: body, status: status})
		rc.mu.Unlock()
		w.WriteHeader(status)
		rc.arrived <- struct{}{}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// wait waits for n requests.
func (rc *receiver) wait(t *testing.T, n int) []receivedHook {
	t.Helper()
	for {
		rc.mu.Lock()
		got := len(rc.got)
		rc.mu.Unlock()
		if got >= n {
			break
		}
		select {
		case <-rc.arrived:
		case <-time.After(30 * time.Second):
			t.Fatalf("%d webhook requests within 30 s, want %d", got, n)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]receivedHook(nil), rc.got...)
}

func fastHooks(url string) webhook.Options {
	return webhook.Options{URLs: []string{url}, Secret: "s3cret", MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 4}
}

// TestWebhooksFromServer: events of the pings a server takes, and the
// silences it notices, reach the webhook; a stuck receiver does not slow
// ingestion.
func TestWebhooksFromServer(t *testing.T) {
	rc := newReceiver(t)
	now := testNow
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, _ := newPatrolServer(t, PatrolOptions{Webhooks: fastHooks(rc.srv.URL), SilentAfter: time.Minute, SweepInterval: 10 * time.Millisecond, Now: clock})
	startLive(t, s, nil)
	postPings(t, s, pingBody(pingJSON("m1", 0, apitest.InCommunity, "")), http.StatusOK)
	got := rc.wait(t, 1)
	var body patrolling.WebhookBody
	if err := json.Unmarshal(got[0].body, &body); err != nil || len(body.Events) != 1 || body.Events[0].Name != "王警官" || body.Events[0].Kind != patrol.GridEnter {
		t.Fatalf("webhook body %s", got[0].body)
	}
	mu.Lock()
	now = testNow.Add(2 * time.Minute)
	mu.Unlock()
	got = rc.wait(t, 2)
	if err := json.Unmarshal(got[1].body, &body); err != nil || body.Events[0].Kind != patrol.Silent {
		t.Fatalf("no silent event by webhook: %s", got[1].body)
	}
}

func TestWebhookNeverBlocksIngestion(t *testing.T) {
	block := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	t.Cleanup(func() { close(block); stuck.Close() })
	opts := fastHooks(stuck.URL)
	opts.QueueSize = 2
	s, _ := newPatrolServer(t, PatrolOptions{Webhooks: opts})
	startLive(t, s, nil)
	start := time.Now()
	for i := range 50 {
		pt := apitest.InCommunity
		if i%2 == 1 {
			pt = apitest.InCommunityB
		}
		postPings(t, s, pingBody(pingJSON("m1", i, pt, "")), http.StatusOK)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("50 batches took %v with a stuck webhook", d)
	}
}
