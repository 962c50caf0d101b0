package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"jingge/api/httpx"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"jingge/geo/patrol"
)

// WebhookOptions configure the webhooks that receive the geofence events
// this server produces (from the pings it took and the silences it
// noticed), so that with several servers each event is delivered by one.
// Delivery is at least once while the server runs: a receiver may see a
// batch twice after a timeout and should skip event ids it has seen. Events
// still queued when the server stops are not delivered; GET /api/v1/events
// has them all.
type WebhookOptions struct {
	// URLs receive POST requests; none disables webhooks.
	URLs []string
	// Secret, when set, signs every request: the header
	// X-Jingge-Signature is "sha256=" and the hex HMAC-SHA256 under Secret
	// of the X-Jingge-Timestamp header's value, a dot, and the body.
	Secret string
	// QueueSize bounds the events waiting per URL (default 10,000). When
	// it is full the oldest are dropped, and the drop is logged: ingestion
	// never waits for a webhook.
	QueueSize int
	// BatchSize is the most events one request carries (default 100).
	BatchSize int
	// MaxAttempts is how many times a batch is tried before it is dropped
	// (default 8).
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait between attempts, which
	// doubles from MinBackoff with full jitter (defaults 500 ms and 1 min);
	// a Retry-After from the receiver is honoured up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// Timeout bounds each request (default 10 s).
	Timeout time.Duration
	// Client sends the requests; nil means a client with Timeout.
	Client *http.Client
}

// Webhook request headers.
const (
	headerWebhookSignature = "X-Jingge-Signature"
	headerWebhookTimestamp = "X-Jingge-Timestamp"
	headerWebhookDelivery  = "X-Jingge-Delivery"
)

// WebhookBody is the JSON body of a webhook request.
type WebhookBody struct {
	Events []Event `json:"events"`
}

// SignWebhook returns the X-Jingge-Signature value for a body sent at
// timestamp (unix seconds, as in X-Jingge-Timestamp) under secret.
// Receivers compute the same and compare with hmac.Equal.
func SignWebhook(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// webhooks delivers events to every configured URL, each from its own
// bounded queue.
type webhooks struct {
	opts    WebhookOptions
	logger  *slog.Logger
	targets []*webhookTarget
	// render names events for the body; set by the server.
	render func([]patrol.Event) []Event
}

// webhookTarget is one URL and its queue.
type webhookTarget struct {
	url     string
	mu      sync.Mutex
	queue   []patrol.Event
	dropped int
	ready   chan struct{} // has a value when the queue may be non-empty
}

func newWebhooks(opts WebhookOptions, logger *slog.Logger) *webhooks {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 10000
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 500 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = time.Minute
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout}
	}
	w := &webhooks{opts: opts, logger: logger}
	for _, u := range opts.URLs {
		w.targets = append(w.targets, &webhookTarget{url: u, ready: make(chan struct{}, 1)})
	}
	return w
}

// enqueue adds events to every URL's queue without waiting.
func (w *webhooks) enqueue(evs []patrol.Event) {
	if len(evs) == 0 {
		return
	}
	for _, t := range w.targets {
		t.mu.Lock()
		t.queue = append(t.queue, evs...)
		if over := len(t.queue) - w.opts.QueueSize; over > 0 {
			t.dropped += over
			t.queue = t.queue[:copy(t.queue, t.queue[over:])]
		}
		t.mu.Unlock()
		select {
		case t.ready <- struct{}{}:
		default:
		}
	}
}

// start runs one delivery loop per URL until ctx ends; the channel closes
// when they have all stopped.
func (w *webhooks) start(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, t := range w.targets {
		wg.Go(func() { w.deliverLoop(ctx, t) })
	}
	go func() { wg.Wait(); close(done) }()
	return done
}

func (w *webhooks) deliverLoop(ctx context.Context, t *webhookTarget) {
	for {
		t.mu.Lock()
		n := min(len(t.queue), w.opts.BatchSize)
		batch := append([]patrol.Event(nil), t.queue[:n]...)
		t.queue = t.queue[:copy(t.queue, t.queue[n:])]
		dropped := t.dropped
		t.dropped = 0
		t.mu.Unlock()
		if dropped > 0 {
			w.logger.WarnContext(ctx, "webhook queue full: dropped the oldest events; GET /api/v1/events has them", "url", t.url, "dropped", dropped)
		}
		if n == 0 {
			select {
			case <-ctx.Done():
				return
			case <-t.ready:
				continue
			}
		}
		if err := w.deliver(ctx, t.url, batch); err != nil {
			if ctx.Err() != nil {
				return
			}
			w.logger.WarnContext(ctx, "webhook delivery failed; events dropped", "url", t.url, "events", len(batch), "first_id", batch[0].ID, "err", err)
		}
	}
}

// deliver posts one batch, retrying with backoff, and returns the last
// error once MaxAttempts have failed or the receiver refused the batch.
func (w *webhooks) deliver(ctx context.Context, url string, evs []patrol.Event) error {
	var rendered []Event
	if w.render != nil {
		rendered = w.render(evs)
	} else {
		rendered = make([]Event, len(evs))
		for i, e := range evs {
			rendered[i] = eventOf(nil, e)
		}
	}
	body, err := json.Marshal(WebhookBody{Events: rendered})
	if err != nil {
		return err
	}
	delivery := newDeliveryID()
	backoff := w.opts.MinBackoff
	for attempt := 1; ; attempt++ {
		retryAfter, err := w.post(ctx, url, delivery, body)
		if err == nil {
			return nil
		}
		if _, permanent := err.(permanentError); permanent || attempt >= w.opts.MaxAttempts {
			return fmt.Errorf("attempt %d: %w", attempt, err)
		}
		wait := rand.N(backoff) + time.Millisecond // full jitter
		if retryAfter > 0 {
			wait = min(retryAfter, w.opts.MaxBackoff)
		}
		w.logger.DebugContext(ctx, "webhook attempt failed; retrying", "url", url, "attempt", attempt, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		backoff = min(backoff*2, w.opts.MaxBackoff)
	}
}

// permanentError is a refusal that retrying will not change (a 4xx other
// than 408 and 429).
type permanentError struct{ status int }

func (e permanentError) Error() string {
	return fmt.Sprintf("the receiver refused the batch with status %d", e.status)
}

// post sends one attempt; it returns the receiver's Retry-After, if any.
func (w *webhooks) post(ctx context.Context, url, delivery string, body []byte) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, w.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, permanentError{0}
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", httpx.ContentTypeJSON)
	req.Header.Set("User-Agent", "jingge-webhook/1")
	req.Header.Set(headerWebhookDelivery, delivery)
	req.Header.Set(headerWebhookTimestamp, ts)
	if w.opts.Secret != "" {
		req.Header.Set(headerWebhookSignature, SignWebhook(w.opts.Secret, ts, body))
	}
	resp, err := w.opts.Client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return 0, nil
	case s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500:
		var after time.Duration
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			after = time.Duration(secs) * time.Second
		}
		return after, fmt.Errorf("the receiver answered %d", s)
	default:
		return 0, permanentError{s}
	}
}

// newDeliveryID names one batch across its attempts, so a receiver can
// tell a retry from a new batch.
func newDeliveryID() string {
	var b [12]byte
	_, _ = crand.Read(b[:])
	return hex.EncodeToString(b[:])
}
