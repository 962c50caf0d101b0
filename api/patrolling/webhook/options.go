package webhook

import (
	"net/http"
	"time"
)

// Options configure the webhooks that receive the geofence events
// this server produces (from the pings it took and the silences it
// noticed), so that with several servers each event is delivered by one.
// Delivery is at least once while the server runs: a receiver may see a
// batch twice after a timeout and should skip event ids it has seen. Events
// still queued when the server stops are not delivered; GET /api/v1/events
// has them all.
type Options struct {
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

func (o Options) withDefaults() Options {
	if o.QueueSize <= 0 {
		o.QueueSize = 10000
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Minute
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout}
	}
	return o
}
