package auditspool_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jingge/data"
	"jingge/data/auditspool"
	"jingge/data/memory"
)

// strict is a flaky audit log that, like PostgreSQL, refuses a whole batch
// holding text it cannot store, or (standing in for any other refusal) an
// entry whose action is "refused".
type strict struct{ flaky }

func (s *strict) AppendAudit(ctx context.Context, es []data.AuditEntry) error {
	if s.down.Load() {
		return fmt.Errorf("test: %w", data.ErrUnavailable)
	}
	for _, e := range es {
		if !data.ValidText(e.Target) || e.Action == "refused" {
			return errors.New("test: invalid byte sequence for encoding UTF8: 0x00")
		}
	}
	return s.Auth.AppendAudit(ctx, es)
}

// TestPoisonedSpoolDrains spools, during an outage, an entry with a NUL
// (GET /api/v1/grids/x%00), one the log refuses for another reason, and
// good entries around them; after a restart and the log's return every
// entry moves on: the NUL one in a safe form, the refused one set aside.
func TestPoisonedSpoolDrains(t *testing.T) {
	ctx := context.Background()
	p := &strict{flaky{Auth: memory.NewAuth(0)}}
	p.down.Store(true)
	path := filepath.Join(t.TempDir(), "spool.jsonl")
	// A spool left by an older version, which kept the NUL as \u0000.
	if err := os.WriteFile(path, []byte(`{"Action":"getGrid","Target":"/api/v1/grids/old\u0000","RequestID":"old"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := auditspool.Open(p, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	batch := entries(0, 5)
	batch[1].Target = "/api/v1/grids/x\x00"
	batch[3].Action = "refused"
	if err := l.AppendAudit(ctx, batch); err != nil {
		t.Fatalf("append while down: %v", err)
	}
	l.Close()
	l, err = auditspool.Open(p, path, nil)
	if err != nil || l.Spooled() != 6 {
		t.Fatalf("reopen: %d, %v", l.Spooled(), err)
	}
	p.down.Store(false)
	if n, err := l.Drain(ctx); err != nil || n != 6 || l.Spooled() != 0 {
		t.Fatalf("drain: %d moved, %d left, %v", n, l.Spooled(), err)
	}
	if got := fmt.Sprint(stored(t, &p.flaky)); got != "[old 0 1 2 4]" {
		t.Errorf("stored %s", got)
	}
	got, _ := p.QueryAudit(ctx, data.AuditQuery{Limit: 10})
	for _, e := range got {
		if strings.ContainsRune(e.Target, 0) || e.RequestID == "1" && e.Target != `/api/v1/grids/x\x00` {
			t.Errorf("entry %s stored as %q", e.RequestID, e.Target)
		}
	}
	rejected, err := os.ReadFile(auditspool.RejectedPath(path))
	if err != nil || bytes.Count(rejected, []byte("\n")) != 1 || !bytes.Contains(rejected, []byte(`"RequestID":"3"`)) {
		t.Errorf("set aside: %q, %v", rejected, err)
	}
	// The log is in use again: the next entry goes straight to it.
	if err := l.AppendAudit(ctx, entries(5, 1)); err != nil || l.Spooled() != 0 {
		t.Errorf("after the drain: %v, %d spooled", err, l.Spooled())
	}
}
