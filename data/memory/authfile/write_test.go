package authfile

import (
	"errors"
	"testing"
)

// faultyFile fails the step named in failAt and records what was called.
type faultyFile struct {
	failAt string
	closed bool
}

var errDiskFull = errors.New("no space left on device")

func (f *faultyFile) Write(b []byte) (int, error) {
	if f.failAt == "write" {
		return len(b) / 2, errDiskFull
	}
	return len(b), nil
}

func (f *faultyFile) Sync() error {
	if f.failAt == "sync" {
		return errDiskFull
	}
	return nil
}

func (f *faultyFile) Close() error {
	f.closed = true
	if f.failAt == "close" {
		return errDiskFull
	}
	return nil
}

// A failed write, sync or close of the new auth file must be reported, or
// the caller would rename a partial file over the good one.
func TestWriteSyncCloseReportsEveryFailure(t *testing.T) {
	for _, step := range []string{"write", "sync", "close"} {
		t.Run(step, func(t *testing.T) {
			f := &faultyFile{failAt: step}
			if err := writeSyncClose(f, []byte(`{"version":1}`)); !errors.Is(err, errDiskFull) {
				t.Errorf("a failed %s gave %v, want %v", step, err, errDiskFull)
			}
			if !f.closed {
				t.Errorf("after a failed %s the file was left open", step)
			}
		})
	}
	if err := writeSyncClose(&faultyFile{}, []byte("{}")); err != nil {
		t.Errorf("a good write: %v", err)
	}
}
