package auth

import (
	"context"
	"errors"
	"sync"

	"jingge/data"
)

// maxAuditBatch caps how many entries one append carries.
const maxAuditBatch = 512

// maxAuditQueue is how many entries may wait for the log; past it requests
// are refused (503) rather than queued without end.
const maxAuditQueue = 8192

// Appends run one at a time while the queue is short; once a few entries
// wait behind an append in flight, another starts with them, up to
// maxAuditFlushers at once, each taking what is waiting. A request then
// waits for about one commit rather than for the one in flight and then
// its own: with 32 clients of audited lookups on PostGIS this took them
// from 890 to 1,626 per second (scripts/bench/http.sh, docs/performance.md),
// still committing several entries per transaction.
const (
	maxAuditFlushers  = 4
	auditPileUpLength = 8
)

// AuditWriter appends audit entries with group commit: a request's entry
// is stored (committed) before the request runs, and the entries of
// requests arriving while an append is in flight go together in the next
// ones, so a busy server makes few, large appends instead of one per
// request. Flushing goroutines run only while entries are waiting.
type AuditWriter struct {
	log data.AuditLog

	mu       sync.Mutex
	pending  []*auditItem
	flushers int // appending goroutines running
}

type auditItem struct {
	entry data.AuditEntry
	done  chan error // buffered: the flusher never blocks on it
}

// NewAuditWriter returns a writer appending to log.
func NewAuditWriter(log data.AuditLog) *AuditWriter { return &AuditWriter{log: log} }

// Append stores e durably and returns once it is stored; on failure (an
// AuditUnavailable refusal, or ctx's error) the request must not run.
func (w *AuditWriter) Append(ctx context.Context, e data.AuditEntry) error {
	it := &auditItem{entry: e, done: make(chan error, 1)}
	w.mu.Lock()
	if len(w.pending) >= maxAuditQueue {
		w.mu.Unlock()
		return &Refusal{Reason: AuditUnavailable, Detail: "the audit log is falling behind; retry in a moment", RetryAfterSeconds: 1}
	}
	w.pending = append(w.pending, it)
	if w.flushers == 0 || w.flushers < maxAuditFlushers && len(w.pending) >= auditPileUpLength {
		w.flushers++
		go w.flush(context.WithoutCancel(ctx))
	}
	w.mu.Unlock()
	select {
	case err := <-it.done:
		if err != nil {
			return &Refusal{Reason: AuditUnavailable, Detail: "this request must be audited and the audit log cannot be written now; retry later", Cause: err}
		}
		return nil
	case <-ctx.Done():
		// The entry may still be stored; the request does not run.
		return ctx.Err()
	}
}

// Pending is how many entries wait for an append.
func (w *AuditWriter) Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending)
}

// flush appends pending entries until none are left, then steps down.
func (w *AuditWriter) flush(ctx context.Context) {
	for {
		w.mu.Lock()
		if len(w.pending) == 0 {
			w.flushers--
			w.mu.Unlock()
			return
		}
		n := min(len(w.pending), maxAuditBatch)
		batch := w.pending[:n:n]
		w.pending = w.pending[n:]
		w.mu.Unlock()
		entries := make([]data.AuditEntry, len(batch))
		for i, it := range batch {
			// Defensive: the edge refuses text a store cannot hold, but an
			// entry that slipped through must not fail its batch.
			entries[i] = it.entry.Storable()
		}
		err := w.log.AppendAudit(ctx, entries)
		if err != nil && len(batch) > 1 && !errors.Is(err, data.ErrUnavailable) {
			// The log is up but refused the batch: something in one entry.
			// Append them one by one so that entry fails its own request
			// only, and the other requests of the batch go on.
			for i, it := range batch {
				it.done <- w.log.AppendAudit(ctx, entries[i:i+1])
			}
			continue
		}
		for _, it := range batch {
			it.done <- err
		}
	}
}
