package memory_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/patrol"
)

// acked collects what a store acknowledged, for checks against a copy.
type acked struct {
	mu        sync.Mutex
	incidents []string
	pings     int
}

func (a *acked) copy() ([]string, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.incidents...), a.pings
}

// A backup taken while incidents and pings are written and the directory
// compacts over and over opens as a data directory and holds every write
// acknowledged before the backup started.
func TestDurableBackupWhileWritingAndCompacting(t *testing.T) {
	ds := storetest.Small()
	src := t.TempDir()
	ctx := context.Background()
	d := openDurable(t, src, memory.DirOptions{Seed: seedWith(ds)})
	ix, _ := geo.NewIndex(ds)
	rules := patrol.NewRules(ix, patrol.Options{})
	bound := storetest.Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}.Bound()

	var got acked
	stop := make(chan struct{})
	var wg sync.WaitGroup
	fail := make(chan error, 8)
	for w := range 3 {
		wg.Go(func() {
			for i := uint64(0); ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				batch := storetest.Attribute(t, d, storetest.RandomIncidents(uint64(w)<<32|i, 1, bound, time.Now()))
				res, err := d.AddIncidents(ctx, batch)
				if err != nil {
					fail <- err
					return
				}
				got.mu.Lock()
				got.incidents = append(got.incidents, res.IDs...)
				got.mu.Unlock()
			}
		})
	}
	wg.Go(func() {
		t0 := time.Now().Add(-time.Hour)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p := geo.Ping{OfficerID: "m-P0-0", At: t0.Add(time.Duration(i) * time.Millisecond), Location: ds.Grids[0].Geometry.Bound().Center(), SpeedMPS: 1}
			p.GridID = patrol.GridAt(ix, p.Location)
			if _, err := d.Patrols.RecordPings(ctx, data.PingBatch{Pings: []geo.Ping{p}, Rules: rules}); err != nil {
				fail <- err
				return
			}
			got.mu.Lock()
			got.pings++
			got.mu.Unlock()
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := d.Compact(); err != nil {
				fail <- err
				return
			}
		}
	})
	defer func() {
		close(stop)
		wg.Wait()
	}()

	// waitMore waits until the writers acknowledged more than n incidents.
	waitMore := func(n int) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for {
			ids, _ := got.copy()
			if len(ids) > n {
				return
			}
			select {
			case err := <-fail:
				t.Fatalf("a write failed: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("the writers acknowledged only %d incidents in 2 minutes", len(ids))
			}
			time.Sleep(time.Millisecond)
		}
	}
	seen := 0
	for round := range 10 {
		waitMore(seen + 20)
		ids, pings := got.copy()
		seen = len(ids)
		dst := filepath.Join(t.TempDir(), fmt.Sprintf("backup-%d", round))
		if _, err := memory.Backup(src, dst, memory.DirOptions{}); err != nil {
			t.Fatalf("round %d: Backup: %v", round, err)
		}
		b, err := memory.OpenDir(dst, memory.DirOptions{Seed: func(*memory.Durable) error { t.Fatal("the backup opened as a new directory"); return nil }})
		if err != nil {
			t.Fatalf("round %d: the backup does not open: %v", round, err)
		}
		for _, id := range ids {
			if _, err := b.Incident(ctx, id); err != nil {
				t.Fatalf("round %d: incident %s, acknowledged before the backup, is not in it: %v", round, id, err)
			}
		}
		track, _, err := b.Patrols.Track(ctx, "m-P0-0", time.Now().Add(-2*time.Hour), time.Now(), -1)
		if err != nil || len(track) < pings {
			t.Fatalf("round %d: the backup holds %d pings (%v), %d were acknowledged before it", round, len(track), err, pings)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
