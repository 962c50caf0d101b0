package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/data"
)

// flushBatch runs one flush of entries queued together, as concurrent
// requests are, and returns each entry's result.
func flushBatch(w *AuditWriter, entries []data.AuditEntry) []error {
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
	log := &apitest.StrictAudit{}
	w := NewAuditWriter(log)
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
	if len(log.Stored()) != 5 {
		t.Fatalf("%d entries stored, want 5: %+v", len(log.Stored()), log.Stored())
	}
	for _, e := range log.Stored() {
		if e.RequestID == "2" && e.Target != `/api/v1/grids/x\x00` {
			t.Errorf("the NUL entry is stored as %q", e.Target)
		}
	}
	// The log keeps working for the requests after.
	if err := w.Append(context.Background(), data.AuditEntry{Action: "getGrid", Target: "/api/v1/grids/1"}); err != nil {
		t.Errorf("the next entry: %v", err)
	}
}

// gatedAudit holds its first append until released and fails the next
// one, so requests that arrive meanwhile share a batch that fails.
type gatedAudit struct {
	data.AuditLog
	started chan struct{} // closed when the first append begins
	release chan struct{}
	mu      sync.Mutex
	calls   int
	stored  []data.AuditEntry
	failed  [][]data.AuditEntry
}

func (g *gatedAudit) AppendAudit(_ context.Context, es []data.AuditEntry) error {
	g.mu.Lock()
	g.calls++
	call := g.calls
	g.mu.Unlock()
	if call == 1 {
		close(g.started)
		<-g.release
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if call == 2 {
		g.failed = append(g.failed, slices.Clone(es))
		return fmt.Errorf("test: the commit failed: %w", data.ErrUnavailable)
	}
	g.stored = append(g.stored, es...)
	return nil
}

// TestAuditBatchFailureFailsEveryRequest appends audit entries while an
// append is in flight, so they are committed together, and makes that
// commit fail: every request of the batch is refused (503), none is
// served without its entry, and the request before them, whose append
// succeeded, is served with its entry stored.
func TestAuditBatchFailureFailsEveryRequest(t *testing.T) {
	g := &gatedAudit{started: make(chan struct{}), release: make(chan struct{})}
	svc := New(Config{Audit: g}, nil)
	var ran atomic.Int64 // requests whose entry was stored: they are served
	call := func(id string) int {
		err := svc.Audit(context.Background(), svc.Entry("person", Principal{User: data.User{Name: "officer1", Role: data.RoleOfficer}}, Request{Method: "GET", Target: "/person", RequestID: id}))
		var rf *Refusal
		switch {
		case err == nil:
			ran.Add(1)
			return http.StatusOK
		case errors.As(err, &rf) && rf.Reason == AuditUnavailable:
			return http.StatusServiceUnavailable
		}
		t.Errorf("%s: %v", id, err)
		return 0
	}
	first := make(chan int, 1)
	go func() { first <- call("first") }()
	<-g.started
	const n = auditPileUpLength - 1 // one flusher, one batch
	codes := make(chan int, n)
	for i := range n {
		go func() { codes <- call(fmt.Sprintf("batch-%d", i)) }()
	}
	waitFor(t, func() bool { return svc.AuditWriter().Pending() == n })
	close(g.release)
	if code := <-first; code != http.StatusOK {
		t.Errorf("the request before the batch: %d", code)
	}
	for range n {
		if code := <-codes; code != http.StatusServiceUnavailable {
			t.Errorf("a request of the failed batch: %d, want 503", code)
		}
	}
	if len(g.failed) != 1 || len(g.failed[0]) != n {
		t.Fatalf("failed appends %d, want one of %d entries", len(g.failed), n)
	}
	if ran := ran.Load(); ran != 1 {
		t.Errorf("%d handlers ran, want only the first request's", ran)
	}
	if len(g.stored) != 1 || g.stored[0].RequestID != "first" {
		t.Errorf("stored %+v", g.stored)
	}
	// The log is back: the next requests are served, each with its entry.
	for i := range 3 {
		if code := call(fmt.Sprintf("after-%d", i)); code != http.StatusOK {
			t.Errorf("after the failure: %d", code)
		}
	}
	if len(g.stored) != 4 || int(ran.Load()) != len(g.stored) {
		t.Errorf("%d entries stored for %d requests served", len(g.stored), ran.Load())
	}
}

// blockingAudit holds every append until released and counts those
// running.
type blockingAudit struct {
	data.AuditLog
	release chan struct{}
	running atomic.Int32
	stored  atomic.Int32
}

func (b *blockingAudit) AppendAudit(_ context.Context, es []data.AuditEntry) error {
	b.running.Add(1)
	<-b.release
	b.stored.Add(int32(len(es)))
	return nil
}

// TestAuditAppendsOverlap checks entries that pile up behind an append in
// flight do not wait for it: once a few (eight) wait, a second append
// starts with them, so a request waits for about one commit, not two.
func TestAuditAppendsOverlap(t *testing.T) {
	b := &blockingAudit{release: make(chan struct{})}
	w := NewAuditWriter(b)
	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Append(context.Background(), data.AuditEntry{Action: "first"}) })
	waitFor(t, func() bool { return b.running.Load() == 1 })
	const waiting = 8
	for i := range waiting {
		wg.Go(func() { _ = w.Append(context.Background(), data.AuditEntry{Action: fmt.Sprint(i)}) })
	}
	waitFor(t, func() bool { return b.running.Load() == 2 })
	close(b.release)
	wg.Wait()
	if got := b.stored.Load(); got != waiting+1 {
		t.Errorf("%d entries stored, want %d", got, waiting+1)
	}
}

// slowAudit is an audit log whose appends take a while, counting how many
// run at once.
type slowAudit struct {
	data.AuditLog
	running, most atomic.Int64
	entries       atomic.Int64
}

func (s *slowAudit) AppendAudit(ctx context.Context, es []data.AuditEntry) error {
	n := s.running.Add(1)
	for {
		m := s.most.Load()
		if n <= m || s.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond)
	s.entries.Add(int64(len(es)))
	s.running.Add(-1)
	return nil
}

// TestAuditGroupCommit checks concurrent audited requests share appends,
// that a pile-up gets more than one append at a time but never more than
// maxAuditFlushers, and that every entry is stored.
func TestAuditGroupCommit(t *testing.T) {
	slow := &slowAudit{}
	w := NewAuditWriter(slow)
	const n = 2000
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Append(context.Background(), data.AuditEntry{Action: fmt.Sprint(i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := slow.entries.Load(); got != n {
		t.Errorf("%d entries stored, want %d", got, n)
	}
	if m := slow.most.Load(); m < 1 || m > maxAuditFlushers {
		t.Errorf("%d appends at once", m)
	}
}

// waitFor waits until cond holds, failing the test after 30 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
