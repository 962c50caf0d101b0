package journal

import (
	"testing"
	"time"
)

// While writes are held a record appended stays off the disk and Wait
// for it waits; once released, it is written and Wait returns.
func TestHoldWrites(t *testing.T) {
	d, _, _, _ := load(t, t.TempDir())
	defer d.Close()
	release := d.HoldWrites()
	defer release()
	seq, err := d.Append(record(1))
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- d.Wait(seq) }()
	deadline := time.Now().Add(time.Minute)
	for {
		d.mu.Lock()
		writing, durable := d.writing, d.durable
		d.mu.Unlock()
		if durable >= seq {
			t.Fatal("a record appended while writes are held reached the disk")
		}
		if writing {
			break // the writer took the record and is held before writing it
		}
		if time.Now().After(deadline) {
			t.Fatal("the writer never took the record")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-waited:
		t.Fatalf("Wait returned (%v) while the record was held off the disk", err)
	default:
	}
	release()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("Wait once released: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Wait never returned once writes were released")
	}
}
