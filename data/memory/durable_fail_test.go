package memory

import (
	"context"
	"errors"
	"testing"

	"jingge/data"
)

// A change the directory cannot store is not acknowledged: the caller
// gets ErrUnavailable (503, retry), never a success.
func TestDurableWriteThatCannotBeStoredIsUnavailable(t *testing.T) {
	d, err := OpenDir(t.TempDir(), DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := d.Auth.AppendAudit(ctx, []data.AuditEntry{{Action: "before"}}); err != nil {
		t.Fatalf("a write to a working directory: %v", err)
	}
	d.dir.Close() // as a failed disk would leave it: nothing more is written
	err = d.Auth.AppendAudit(ctx, []data.AuditEntry{{Action: "after"}})
	if !errors.Is(err, data.ErrUnavailable) {
		t.Fatalf("a write that could not be stored: %v, want ErrUnavailable", err)
	}
	_, err = d.SavePlan(ctx, data.Plan{Dataset: "x", Document: []byte("{}")})
	if !errors.Is(err, data.ErrUnavailable) {
		t.Fatalf("a plan that could not be stored: %v, want ErrUnavailable", err)
	}
}
