package webhook

import (
	"crypto/hmac"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"jingge/api/patrolling/webhook/webhooktest"
	"jingge/geo/patrol"
)

// tbWriter sends a logger's lines to the test log.
type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Helper()
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func fastHooks(url string) Options {
	return Options{URLs: []string{url}, Secret: "s3cret", MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 4}
}

// testBody is the body the tests render: the events' ids.
type testBody struct {
	Events []struct {
		ID int64 `json:"id"`
	} `json:"events"`
}

func render(evs []patrol.Event) any {
	var b testBody
	b.Events = make([]struct {
		ID int64 `json:"id"`
	}, len(evs))
	for i, e := range evs {
		b.Events[i].ID = e.ID
	}
	return b
}

func testHooks(t *testing.T, opts Options) *Queue {
	w := New(opts, slog.New(slog.NewTextHandler(tbWriter{t}, nil)), render)
	ctx := t.Context()
	done := w.Start(ctx)
	t.Cleanup(func() { <-done })
	return w
}

func TestWebhookRetriesAndSigns(t *testing.T) {
	rc := webhooktest.NewReceiver(t, http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusOK)
	w := testHooks(t, fastHooks(rc.URL()))
	w.Enqueue([]patrol.Event{{ID: 7, Kind: patrol.GridEnter, Officer: "m1", At: time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)}})
	got := rc.Wait(t, 3)
	delivery := got[0].Header.Get(HeaderDelivery)
	for i, h := range got {
		if h.Header.Get(HeaderDelivery) != delivery || delivery == "" {
			t.Errorf("attempt %d: delivery id %q, want %q throughout", i, h.Header.Get(HeaderDelivery), delivery)
		}
		ts := h.Header.Get(HeaderTimestamp)
		if sig := h.Header.Get(HeaderSignature); !hmac.Equal([]byte(sig), []byte(Sign("s3cret", ts, h.Body))) || !strings.HasPrefix(sig, "sha256=") {
			t.Errorf("attempt %d: signature %q does not verify", i, sig)
		}
		var body testBody
		if err := json.Unmarshal(h.Body, &body); err != nil || len(body.Events) != 1 || body.Events[0].ID != 7 {
			t.Errorf("attempt %d: body %s", i, h.Body)
		}
	}
	if Sign("s3cret", "1", []byte("x")) == Sign("other", "1", []byte("x")) {
		t.Error("the signature ignores the secret")
	}
}

func TestWebhookGivesUp(t *testing.T) {
	rc := webhooktest.NewReceiver(t, http.StatusBadRequest, 500, 500, 500, 500)
	w := testHooks(t, fastHooks(rc.URL()))
	w.Enqueue([]patrol.Event{{ID: 1}})
	rc.Wait(t, 1)
	w.Enqueue([]patrol.Event{{ID: 2}})
	// The 400 is not retried; the next batch is tried MaxAttempts (4) times.
	got := rc.Wait(t, 5)
	time.Sleep(50 * time.Millisecond)
	if n := len(rc.Wait(t, 5)); n != 5 {
		t.Errorf("%d requests, want 5 (1 refused, then 4 attempts)", n)
	}
	if !strings.Contains(string(got[0].Body), `"id":1`) || !strings.Contains(string(got[1].Body), `"id":2`) {
		t.Errorf("batches out of order: %s, %s", got[0].Body, got[1].Body)
	}
}

func TestWebhookQueueIsBounded(t *testing.T) {
	w := New(Options{URLs: []string{"http://127.0.0.1:1/"}, QueueSize: 3}, slog.New(slog.DiscardHandler), render)
	for id := int64(1); id <= 5; id++ {
		w.Enqueue([]patrol.Event{{ID: id}})
	}
	tg := w.targets[0]
	if len(tg.queue) != 3 || tg.queue[0].ID != 3 || tg.dropped != 2 {
		t.Errorf("queue %+v, dropped %d; want the newest 3 and 2 dropped", tg.queue, tg.dropped)
	}
}
