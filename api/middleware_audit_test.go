package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"jingge/data"
)

// strictAudit is an audit log that, like PostgreSQL, refuses a whole batch
// when one entry holds text it cannot store, or (as a stand-in for any
// other refusal) an entry whose action is "refused".
type strictAudit struct {
	data.AuditLog
	mu     sync.Mutex
	stored []data.AuditEntry
}

var errRefused = errors.New("test: invalid byte sequence for encoding UTF8: 0x00")

func (s *strictAudit) AppendAudit(_ context.Context, es []data.AuditEntry) error {
	for _, e := range es {
		if !data.ValidText(e.Target) || !data.ValidText(e.Actor) || e.Action == "refused" {
			return errRefused
		}
	}
	s.mu.Lock()
	s.stored = append(s.stored, es...)
	s.mu.Unlock()
	return nil
}

// flushBatch runs one flush of entries queued together, as concurrent
// requests are, and returns each entry's result.
func flushBatch(w *auditWriter, entries []data.AuditEntry) []error {
	items := make([]*auditItem, len(entries))
	for i, e := range entries {
		items[i] = &auditItem{entry: e, done: make(chan error, 1)}
	}
	w.mu.Lock()
	w.pending = append(w.pending, items...)
	w.flushers++
	w.mu.Unlock()
	w.flush(context.Background())
	out := make([]error, len(items))
	for i, it := range items {
		out[i] = <-it.done
	}
	return out
}

// TestAuditPoisonedEntry checks that one entry a store refuses fails at
// most its own request: an entry with a NUL (GET /api/v1/grids/x%00) is
// stored in a safe form, an entry refused for another reason fails alone,
// and the other entries of the batch are stored.
func TestAuditPoisonedEntry(t *testing.T) {
	log := &strictAudit{}
	w := newAuditWriter(log)
	var batch []data.AuditEntry
	for i := range 6 {
		batch = append(batch, data.AuditEntry{Actor: "viewer1", Action: "getGrid", Target: fmt.Sprintf("/api/v1/grids/%d", i), RequestID: fmt.Sprint(i)})
	}
	batch[2].Target = "/api/v1/grids/x\x00"
	batch[4].Action = "refused"
	errs := flushBatch(w, batch)
	for i, err := range errs {
		if (err != nil) != (i == 4) {
			t.Errorf("entry %d: %v", i, err)
		}
	}
	if len(log.stored) != 5 {
		t.Fatalf("%d entries stored, want 5: %+v", len(log.stored), log.stored)
	}
	for _, e := range log.stored {
		if e.RequestID == "2" && e.Target != `/api/v1/grids/x\x00` {
			t.Errorf("the NUL entry is stored as %q", e.Target)
		}
	}
	// The log keeps working for the requests after.
	if err := w.append(context.Background(), data.AuditEntry{Action: "getGrid", Target: "/api/v1/grids/1"}); err != nil {
		t.Errorf("the next entry: %v", err)
	}
}
