package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"jingge/geo/patrol"
)

// deliver posts one batch, retrying with backoff, and returns the last
// error once MaxAttempts have failed or the receiver refused the batch.
func (q *Queue) deliver(ctx context.Context, url string, evs []patrol.Event) error {
	body, err := json.Marshal(q.render(evs))
	if err != nil {
		return err
	}
	delivery := newDeliveryID()
	backoff := q.opts.MinBackoff
	for attempt := 1; ; attempt++ {
		retryAfter, err := q.post(ctx, url, delivery, body)
		if err == nil {
			return nil
		}
		if _, permanent := err.(permanentError); permanent || attempt >= q.opts.MaxAttempts {
			return fmt.Errorf("attempt %d: %w", attempt, err)
		}
		wait := rand.N(backoff) + time.Millisecond // full jitter
		if retryAfter > 0 {
			wait = min(retryAfter, q.opts.MaxBackoff)
		}
		q.logger.DebugContext(ctx, "webhook attempt failed; retrying", "url", url, "attempt", attempt, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		backoff = min(backoff*2, q.opts.MaxBackoff)
	}
}

// permanentError is a refusal that retrying will not change (a 4xx other
// than 408 and 429).
type permanentError struct{ status int }

func (e permanentError) Error() string {
	return fmt.Sprintf("the receiver refused the batch with status %d", e.status)
}

// post sends one attempt; it returns the receiver's Retry-After, if any.
func (q *Queue) post(ctx context.Context, url, delivery string, body []byte) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, q.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, permanentError{0}
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "jingge-webhook/1")
	req.Header.Set(HeaderDelivery, delivery)
	req.Header.Set(HeaderTimestamp, ts)
	if q.opts.Secret != "" {
		req.Header.Set(HeaderSignature, Sign(q.opts.Secret, ts, body))
	}
	resp, err := q.opts.Client.Do(req)
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
