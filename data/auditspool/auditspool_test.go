package auditspool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"jingge/data"
	"jingge/data/auditspool"
	"jingge/data/memory"
)

// flaky is an audit log that is unavailable while down is set.
type flaky struct {
	*memory.Auth
	down atomic.Bool
}

func (f *flaky) AppendAudit(ctx context.Context, es []data.AuditEntry) error {
	if f.down.Load() {
		return fmt.Errorf("test: %w", data.ErrUnavailable)
	}
	return f.Auth.AppendAudit(ctx, es)
}

func entries(from, n int) []data.AuditEntry {
	out := make([]data.AuditEntry, n)
	for i := range out {
		out[i] = data.AuditEntry{Action: "a", RequestID: fmt.Sprint(from + i)}
	}
	return out
}

// stored returns the request ids in the primary, oldest first.
func stored(t *testing.T, p *flaky) []string {
	t.Helper()
	got, err := p.QueryAudit(context.Background(), data.AuditQuery{Limit: data.MaxAuditLimit})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(got))
	for i, e := range got {
		ids[len(got)-1-i] = e.RequestID
	}
	return ids
}

func TestSpoolWhileDownAndDrainInOrder(t *testing.T) {
	ctx := context.Background()
	p := &flaky{Auth: memory.NewAuth(0)}
	path := filepath.Join(t.TempDir(), "spool.jsonl")
	l, err := auditspool.Open(p, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AppendAudit(ctx, entries(0, 2)); err != nil {
		t.Fatal(err)
	}
	p.down.Store(true)
	if err := l.AppendAudit(ctx, entries(2, 3)); err != nil {
		t.Fatalf("append while down: %v", err)
	}
	p.down.Store(false)
	// Still spooling: order is kept until the spool is drained.
	if err := l.AppendAudit(ctx, entries(5, 1)); err != nil {
		t.Fatal(err)
	}
	if l.Spooled() != 4 {
		t.Fatalf("spooled %d", l.Spooled())
	}
	p.down.Store(true)
	if _, err := l.Drain(ctx); !errors.Is(err, data.ErrUnavailable) {
		t.Fatalf("drain while down: %v", err)
	}
	p.down.Store(false)
	if n, err := l.Drain(ctx); err != nil || n != 4 {
		t.Fatalf("drain: %d, %v", n, err)
	}
	if got := fmt.Sprint(stored(t, p)); got != "[0 1 2 3 4 5]" {
		t.Errorf("stored %s", got)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("spool file left: %v", err)
	}
	if err := l.AppendAudit(ctx, entries(6, 1)); err != nil || l.Spooled() != 0 {
		t.Errorf("after draining: %v, %d spooled", err, l.Spooled())
	}
}

func TestSpoolSurvivesRestartAndTornLine(t *testing.T) {
	ctx := context.Background()
	p := &flaky{Auth: memory.NewAuth(0)}
	p.down.Store(true)
	path := filepath.Join(t.TempDir(), "spool.jsonl")
	l, err := auditspool.Open(p, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AppendAudit(ctx, entries(0, 3)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	// A crash in the middle of an unacknowledged write.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	f.WriteString(`{"Action":"a","Reque`)
	f.Close()
	l, err = auditspool.Open(p, path, nil)
	if err != nil || l.Spooled() != 3 {
		t.Fatalf("reopen: %d, %v", l.Spooled(), err)
	}
	if err := l.AppendAudit(ctx, entries(3, 1)); err != nil {
		t.Fatal(err)
	}
	p.down.Store(false)
	if n, err := l.Drain(ctx); err != nil || n != 4 {
		t.Fatalf("drain: %d, %v", n, err)
	}
	if got := fmt.Sprint(stored(t, p)); got != "[0 1 2 3]" {
		t.Errorf("stored %s", got)
	}
}

func TestOtherErrorsAreNotSpooled(t *testing.T) {
	p := &struct{ *memory.Auth }{memory.NewAuth(0)}
	l, err := auditspool.Open(failing{p.Auth}, filepath.Join(t.TempDir(), "s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AppendAudit(context.Background(), entries(0, 1)); !errors.Is(err, data.ErrInvalid) || l.Spooled() != 0 {
		t.Errorf("%v, %d spooled", err, l.Spooled())
	}
}

type failing struct{ *memory.Auth }

func (failing) AppendAudit(context.Context, []data.AuditEntry) error { return data.ErrInvalid }
