package webhook

import (
	"context"
	"log/slog"
	"sync"

	"jingge/geo/patrol"
)

// Queue delivers events to every configured URL, each from its own
// bounded queue.
type Queue struct {
	opts    Options
	logger  *slog.Logger
	targets []*target
	// render makes the body of a batch.
	render func([]patrol.Event) any
}

// target is one URL and its queue.
type target struct {
	url     string
	mu      sync.Mutex
	queue   []patrol.Event
	dropped int
	ready   chan struct{} // has a value when the queue may be non-empty
}

// New returns a queue for the URLs of opts; render makes the JSON body
// of each batch.
func New(opts Options, logger *slog.Logger, render func([]patrol.Event) any) *Queue {
	opts = opts.withDefaults()
	q := &Queue{opts: opts, logger: logger, render: render}
	for _, u := range opts.URLs {
		q.targets = append(q.targets, &target{url: u, ready: make(chan struct{}, 1)})
	}
	return q
}

// Enqueue adds events to every URL's queue without waiting.
func (q *Queue) Enqueue(evs []patrol.Event) {
	if len(evs) == 0 {
		return
	}
	for _, t := range q.targets {
		t.mu.Lock()
		t.queue = append(t.queue, evs...)
		if over := len(t.queue) - q.opts.QueueSize; over > 0 {
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

// Start runs one delivery loop per URL until ctx ends; the channel closes
// when they have all stopped.
func (q *Queue) Start(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, t := range q.targets {
		wg.Go(func() { q.deliverLoop(ctx, t) })
	}
	go func() { wg.Wait(); close(done) }()
	return done
}

func (q *Queue) deliverLoop(ctx context.Context, t *target) {
	for {
		t.mu.Lock()
		n := min(len(t.queue), q.opts.BatchSize)
		batch := append([]patrol.Event(nil), t.queue[:n]...)
		t.queue = t.queue[:copy(t.queue, t.queue[n:])]
		dropped := t.dropped
		t.dropped = 0
		t.mu.Unlock()
		if dropped > 0 {
			q.logger.WarnContext(ctx, "webhook queue full: dropped the oldest events; GET /api/v1/events has them", "url", t.url, "dropped", dropped)
		}
		if n == 0 {
			select {
			case <-ctx.Done():
				return
			case <-t.ready:
				continue
			}
		}
		if err := q.deliver(ctx, t.url, batch); err != nil {
			if ctx.Err() != nil {
				return
			}
			q.logger.WarnContext(ctx, "webhook delivery failed; events dropped", "url", t.url, "events", len(batch), "first_id", batch[0].ID, "err", err)
		}
	}
}
