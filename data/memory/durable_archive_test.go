package memory_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/patrol"
)

// history is a workload older than any memory window: pings of days long
// past and of now, events and audit entries.
type history struct {
	rules  *patrol.Rules
	ix     *geo.Index
	now    time.Time
	pings  map[string][]geo.Ping
	events []patrol.Event
	audit  int
}

func newHistory(t testing.TB) *history {
	t.Helper()
	ix, err := geo.NewIndex(storetest.Small())
	if err != nil {
		t.Fatal(err)
	}
	return &history{rules: patrol.NewRules(ix, patrol.Options{}), ix: ix, now: time.Now().Truncate(time.Millisecond).UTC(), pings: map[string][]geo.Ping{}}
}

// cell is the middle of community grid C<i>-<j> of Small().
func (h *history) cell(i, j int) geo.Ping {
	g, ok := h.ix.Grid(fmt.Sprintf("C%d-%d", i, j))
	if !ok {
		panic("no grid")
	}
	p := geo.Ping{Location: g.Geometry.Bound().Center(), SpeedMPS: 1, HeadingDeg: 45}
	p.GridID = patrol.GridAt(h.ix, p.Location)
	return p
}

// day records n pings of officer m-P0-0 (moving between two cells, so
// events follow) and of m-P1-1, starting daysAgo days before now.
func (h *history) day(t testing.TB, pt data.PatrolStore, daysAgo, n int) {
	t.Helper()
	var batch []geo.Ping
	start := h.now.Add(-time.Duration(daysAgo) * 24 * time.Hour)
	for i := range n {
		for k, o := range []string{"m-P0-0", "m-P1-1"} {
			p := h.cell(i%2, k)
			p.OfficerID, p.At = o, start.Add(time.Duration(i)*time.Second)
			batch = append(batch, p)
			h.pings[o] = append(h.pings[o], p)
		}
	}
	res, err := pt.RecordPings(context.Background(), data.PingBatch{Pings: batch, Rules: h.rules})
	if err != nil {
		t.Fatal(err)
	}
	h.events = append(h.events, res.Events...)
}

func (h *history) appendAudit(t testing.TB, a data.AuditLog, n int) {
	t.Helper()
	var batch []data.AuditEntry
	for range n {
		batch = append(batch, data.AuditEntry{At: h.now, Actor: "a", Action: "lookupPoint", RequestID: fmt.Sprintf("r%d", h.audit)})
		h.audit++
	}
	if err := a.AppendAudit(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

// check fails t unless d answers with the whole history.
func (h *history) check(t testing.TB, d *memory.Durable) {
	t.Helper()
	ctx := context.Background()
	for o, want := range h.pings {
		want = slices.SortedStableFunc(slices.Values(want), func(x, y geo.Ping) int { return x.At.Compare(y.At) })
		got, _, err := d.Patrols.Track(ctx, o, h.now.Add(-400*24*time.Hour), h.now.Add(time.Hour), -1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("track of %s: %d pings, want %d", o, len(got), len(want))
		}
		for i := range got {
			if !got[i].At.Equal(want[i].At) {
				t.Fatalf("track of %s: ping %d at %v, want %v", o, i, got[i].At, want[i].At)
			}
		}
	}
	evs, err := d.Patrols.EventsAfter(ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(h.events) {
		t.Fatalf("%d events, want %d", len(evs), len(h.events))
	}
	for i := range evs {
		if evs[i].ID != h.events[i].ID {
			t.Fatalf("event %d has id %d, want %d", i, evs[i].ID, h.events[i].ID)
		}
	}
	seen, before := 0, int64(0)
	for {
		page, err := d.Auth.QueryAudit(ctx, data.AuditQuery{Before: before, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if want := fmt.Sprintf("r%d", h.audit-1-seen); e.RequestID != want {
				t.Fatalf("audit entry %d is %s, want %s", seen, e.RequestID, want)
			}
			seen++
		}
		if len(page) < 1000 {
			break
		}
		before = page[len(page)-1].Seq
	}
	if seen != h.audit {
		t.Fatalf("%d audit entries, want %d", seen, h.audit)
	}
}

func segments(t testing.TB, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "archive", "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// A compaction moves what left the memory windows into archive segments:
// memory holds the windows only, every read still sees everything, and
// so does a reopened store.
func TestArchiveKeepsMemoryToTheWindows(t *testing.T) {
	dir := t.TempDir()
	o := historyWindows
	d := openDurable(t, dir, o)
	h := newHistory(t)
	for _, ago := range []int{40, 3, 2, 0} {
		h.day(t, d.Patrols, ago, 30)
		h.appendAudit(t, d.Auth, 15)
	}
	if err := d.Compact(); err != nil {
		t.Fatal(err)
	}
	pings, events, audit := d.HeldInMemory()
	if pings > 2*5 || events > 10 || audit > 10 {
		t.Errorf("memory holds %d pings, %d events, %d audit entries; the windows are 5 pings an officer, 10 events, 10 entries", pings, events, audit)
	}
	if len(segments(t, dir)) != 3 {
		t.Errorf("segments %v, want one each of pings, events and audit", segments(t, dir))
	}
	h.check(t, d)
	// A second round seals only what is new.
	h.day(t, d.Patrols, 1, 30)
	h.appendAudit(t, d.Auth, 15)
	if err := d.Compact(); err != nil {
		t.Fatal(err)
	}
	h.check(t, d)
	d.Close()
	d = openDurable(t, dir, o)
	h.check(t, d)
	// Wider windows at the next start hold the archive where it is.
	d.Close()
	d = openDurable(t, dir, memory.DirOptions{})
	h.check(t, d)
}

// 100,000 audit entries are the default window; the entries before them
// are listed as the newest are.
func TestArchiveListsAuditBeyondTheDefaultWindow(t *testing.T) {
	dir := t.TempDir()
	d := openDurable(t, dir, memory.DirOptions{})
	h := newHistory(t)
	for range 101 {
		h.appendAudit(t, d.Auth, 1000)
	}
	d.Close()
	d = openDurable(t, dir, memory.DirOptions{})
	if _, _, audit := d.HeldInMemory(); audit != memory.DefaultAuditCapacity {
		t.Errorf("memory holds %d audit entries, want the window of %d", audit, memory.DefaultAuditCapacity)
	}
	page, err := d.Auth.QueryAudit(context.Background(), data.AuditQuery{Before: 6, Limit: 10})
	if err != nil || len(page) != 5 || page[0].RequestID != "r4" || page[4].RequestID != "r0" {
		t.Fatalf("the 5 oldest entries: %+v, %v", page, err)
	}
	h.check(t, d)
}

// Opening a directory reads no segment: a damaged one is found only by a
// read that needs it, which says which file and what to do.
func TestArchiveIsNotReadAtOpen(t *testing.T) {
	dir := t.TempDir()
	d := openDurable(t, dir, historyWindows)
	h := newHistory(t)
	h.day(t, d.Patrols, 3, 30)
	h.day(t, d.Patrols, 0, 3)
	if err := d.Compact(); err != nil {
		t.Fatal(err)
	}
	d.Close()
	for _, name := range segments(t, dir) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i := 8; i < len(b)-12; i += 7 { // every record
			b[i] ^= 0xff
		}
		if err := os.WriteFile(name, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d = openDurable(t, dir, historyWindows)
	ctx := context.Background()
	if got, _, err := d.Patrols.Track(ctx, "m-P0-0", h.now.Add(-time.Hour), h.now.Add(time.Hour), -1); err != nil || len(got) != 3 {
		t.Errorf("today's track: %d pings, %v; want 3", len(got), err)
	}
	_, _, err := d.Patrols.Track(ctx, "m-P0-0", h.now.Add(-4*24*time.Hour), h.now, -1)
	if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "backup") {
		t.Errorf("a track from a damaged segment: %v; want an error naming the damage and the backup", err)
	}
}

// Prune removes archived pings under the PostGIS rule (every ping before
// the cutoff), in whole segments or by rewriting one the cutoff cuts;
// events and the audit log stay whole.
func TestArchivePrune(t *testing.T) {
	dir := t.TempDir()
	d := openDurable(t, dir, historyWindows)
	h := newHistory(t)
	for _, ago := range []int{40, 35} {
		h.day(t, d.Patrols, ago, 20)
		h.appendAudit(t, d.Auth, 15)
		if err := d.Compact(); err != nil { // one segment each
			t.Fatal(err)
		}
	}
	h.day(t, d.Patrols, 0, 3)
	old := segments(t, dir)
	ctx := context.Background()
	cutoff := h.now.Add(-35*24*time.Hour + 10*time.Second) // inside the second day
	dry, err := d.Prune(ctx, memory.PruneOptions{PingsBefore: cutoff, DryRun: true})
	if err != nil || dry.Pings != 2*(20+10) {
		t.Fatalf("dry run: %+v, %v; want %d pings", dry, err, 2*(20+10))
	}
	res, err := d.Prune(ctx, memory.PruneOptions{PingsBefore: cutoff})
	if err != nil || res != dry {
		t.Fatalf("prune: %+v, %v; want %+v", res, err, dry)
	}
	for o, list := range h.pings {
		var kept []geo.Ping
		for _, p := range list {
			if !p.At.Before(cutoff) {
				kept = append(kept, p)
			}
		}
		h.pings[o] = kept
	}
	h.check(t, d)
	for _, name := range old {
		if strings.Contains(filepath.Base(name), "pings-") {
			if _, err := os.Stat(name); err == nil {
				t.Errorf("the ping segment %s the prune cut is still on disk", name)
			}
		}
	}
	if again, err := d.Prune(ctx, memory.PruneOptions{PingsBefore: cutoff, DryRun: true}); err != nil || again.Pings != 0 {
		t.Errorf("a second prune would remove %+v, %v", again, err)
	}
	d.Close()
	d = openDurable(t, dir, historyWindows)
	h.check(t, d)
}

// The dump `jingge import --data-dir` moves into PostGIS and a backup
// both hold the archived history.
func TestArchiveInDumpAndBackup(t *testing.T) {
	dir := t.TempDir()
	d := openDurable(t, dir, historyWindows)
	h := newHistory(t)
	h.day(t, d.Patrols, 5, 20)
	h.appendAudit(t, d.Auth, 25)
	h.day(t, d.Patrols, 0, 4)
	if err := d.Compact(); err != nil {
		t.Fatal(err)
	}
	dump, err := d.Dump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(dump.Pings) != 2*24 || len(dump.Events) != len(h.events) || len(dump.Audit) != h.audit {
		t.Errorf("the dump holds %d pings, %d events, %d audit entries; want %d, %d, %d",
			len(dump.Pings), len(dump.Events), len(dump.Audit), 2*24, len(h.events), h.audit)
	}
	for i := 1; i < len(dump.Events); i++ {
		if dump.Events[i].ID <= dump.Events[i-1].ID {
			t.Fatalf("dump events out of order at %d", i)
		}
	}
	for i := 1; i < len(dump.Audit); i++ {
		if dump.Audit[i].Seq <= dump.Audit[i-1].Seq {
			t.Fatalf("dump audit out of order at %d", i)
		}
	}
	copyDir := filepath.Join(t.TempDir(), "copy")
	info, err := memory.Backup(dir, copyDir, memory.DirOptions{})
	if err != nil || info.Segments != 3 {
		t.Fatalf("backup: %+v, %v; want 3 segments copied", info, err)
	}
	d.Close()
	h.check(t, openDurable(t, copyDir, historyWindows))
}

// Compactions that seal records while writers add more and readers read
// lose and double nothing, and every read sees each record once.
func TestArchiveSealsWhileServing(t *testing.T) {
	dir := t.TempDir()
	o := historyWindows
	o.CompactAfterBytes = 1 << 40
	d := openDurable(t, dir, o)
	h := newHistory(t)
	ctx := context.Background()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, _, err := d.Patrols.Track(ctx, "m-P0-0", h.now.Add(-400*24*time.Hour), h.now.Add(time.Hour), -1)
				if err != nil {
					t.Error(err)
					return
				}
				for i := 1; i < len(got); i++ {
					if !got[i].At.After(got[i-1].At) {
						t.Errorf("a track read during a compaction holds %v twice or out of order", got[i].At)
						return
					}
				}
				if _, err := d.Auth.QueryAudit(ctx, data.AuditQuery{Limit: 1000}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	compacted := make(chan error, 1)
	go func() {
		for range 20 {
			if err := d.Compact(); err != nil {
				compacted <- err
				return
			}
		}
		compacted <- nil
	}()
	for ago := 60; ago > 0; ago-- {
		h.day(t, d.Patrols, ago, 5)
		h.appendAudit(t, d.Auth, 7)
	}
	if err := <-compacted; err != nil {
		t.Fatal(err)
	}
	close(stop)
	readers.Wait()
	h.check(t, d)
	d.Close()
	h.check(t, openDurable(t, dir, o))
}
