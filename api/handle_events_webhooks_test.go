package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/patrolling"
	"jingge/api/patrolling/webhook"
	"jingge/api/patrolling/webhook/webhooktest"
	"jingge/geo/patrol"
)

func fastHooks(url string) webhook.Options {
	return webhook.Options{URLs: []string{url}, Secret: "s3cret", MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 4}
}

// TestWebhooksFromServer: events of the pings a server takes, and the
// silences it notices, reach the webhook; a stuck receiver does not slow
// ingestion.
func TestWebhooksFromServer(t *testing.T) {
	rc := webhooktest.NewReceiver(t)
	now := testNow
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, _ := newPatrolServer(t, PatrolOptions{Webhooks: fastHooks(rc.URL()), SilentAfter: time.Minute, SweepInterval: 10 * time.Millisecond, Now: clock})
	startLive(t, s, nil)
	postPings(t, s, pingBody(pingJSON("m1", 0, apitest.InCommunity, "")), http.StatusOK)
	got := rc.Wait(t, 1)
	var body patrolling.WebhookBody
	if err := json.Unmarshal(got[0].Body, &body); err != nil || len(body.Events) != 1 || body.Events[0].Name != "王警官" || body.Events[0].Kind != patrol.GridEnter {
		t.Fatalf("webhook body %s", got[0].Body)
	}
	mu.Lock()
	now = testNow.Add(2 * time.Minute)
	mu.Unlock()
	got = rc.Wait(t, 2)
	if err := json.Unmarshal(got[1].Body, &body); err != nil || body.Events[0].Kind != patrol.Silent {
		t.Fatalf("no silent event by webhook: %s", got[1].Body)
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
