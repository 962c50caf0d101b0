package follow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"jingge/geo"
	"jingge/geo/geotest"
)

// fakeStore is a Source whose dataset the test sets: it notifies like a
// store (one pending value, bursts coalesced), can fail its snapshots, and
// can hold them at a gate to order events.
type fakeStore struct {
	mu        sync.Mutex
	ds        *geo.Dataset
	fail      error
	gate      chan struct{} // when set, Snapshot waits for a value on it
	snapshots int
	changes   chan struct{}
}

func newFakeStore(ds *geo.Dataset) *fakeStore {
	return &fakeStore{ds: ds, changes: make(chan struct{}, 1)}
}

func (s *fakeStore) Snapshot(ctx context.Context) (*geo.Dataset, error) {
	s.mu.Lock()
	ds, fail, gate := s.ds, s.fail, s.gate
	s.snapshots++
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if fail != nil {
		return nil, fail
	}
	return ds, nil
}

func (s *fakeStore) Watch(ctx context.Context) (<-chan struct{}, error) {
	out := make(chan struct{})
	go func() {
		defer close(out)
		for {
			select {
			case <-s.changes:
			case <-ctx.Done():
				return
			}
			select {
			case out <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// commit puts ds in force and announces it.
func (s *fakeStore) commit(ds *geo.Dataset) {
	s.mu.Lock()
	s.ds = ds
	s.mu.Unlock()
	s.notify()
}

// notify announces a change, coalesced with one not yet delivered.
func (s *fakeStore) notify() {
	select {
	case s.changes <- struct{}{}:
	default:
	}
}

func (s *fakeStore) set(f func(*fakeStore)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// dataset returns a small valid dataset named after n.
func dataset(n int) *geo.Dataset { return geotest.Lattice(n, 0, 0.01, 1) }

func nameOf(l *geo.Live) string {
	if ix := l.Load(); ix != nil {
		return ix.Meta().Name
	}
	return ""
}

// eventually waits, with a generous limit, until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func start(t *testing.T, st *fakeStore) (*Follower, context.CancelFunc) {
	t.Helper()
	f := New(st, new(geo.Live), nil)
	ctx, cancel := context.WithCancel(context.Background())
	if err := f.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); f.Wait() })
	return f, cancel
}

func TestFollowsNotifications(t *testing.T) {
	st := newFakeStore(dataset(2))
	f, _ := start(t, st)
	if got := nameOf(f.Live()); got != dataset(2).Meta.Name {
		t.Fatalf("after Start the index is %q", got)
	}
	published := make(chan *geo.Index, 10)
	f.OnPublish(func(ix *geo.Index) { published <- ix })
	st.commit(dataset(3))
	eventually(t, "the new dataset is in force", func() bool { return nameOf(f.Live()) == dataset(3).Meta.Name })
	select {
	case ix := <-published:
		if ix.Meta().Name != dataset(3).Meta.Name {
			t.Errorf("published %q", ix.Meta().Name)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("OnPublish was not called")
	}
}

func TestFailedLoadKeepsTheIndex(t *testing.T) {
	st := newFakeStore(dataset(2))
	f, _ := start(t, st)
	before := f.Live().Load()
	st.set(func(s *fakeStore) { s.fail = errors.New("connection refused") })
	st.commit(dataset(3))
	if err := f.Sync(context.Background()); err == nil {
		t.Fatal("Sync over a failing store returned nil")
	}
	if f.Live().Load() != before {
		t.Fatal("a failed load replaced the index in force")
	}
	// A dataset no index can be built of keeps it too.
	bad := dataset(3)
	bad.Grids = append(bad.Grids, bad.Grids[0])
	st.set(func(s *fakeStore) { s.fail = nil })
	st.commit(bad)
	if err := f.Sync(context.Background()); err == nil {
		t.Fatal("Sync over an invalid dataset returned nil")
	}
	if f.Live().Load() != before {
		t.Fatal("an invalid dataset replaced the index in force")
	}
	// The next change is followed again.
	st.commit(dataset(4))
	eventually(t, "the follower recovers", func() bool { return nameOf(f.Live()) == dataset(4).Meta.Name })
}

// TestReconnectRereads: a store that lost its connection may have missed
// notifications; it announces one when it is back, and the follower
// reads the dataset again.
func TestReconnectRereads(t *testing.T) {
	st := newFakeStore(dataset(2))
	f, _ := start(t, st)
	// Committed while the listener was down: no notification.
	st.set(func(s *fakeStore) { s.ds = dataset(5) })
	// The store is back and wakes its watchers.
	st.notify()
	eventually(t, "the change made while disconnected is in force", func() bool { return nameOf(f.Live()) == dataset(5).Meta.Name })
}

// TestNotificationDuringReload: a change committed while a reload reads
// an older snapshot is followed by one more reload, so the last commit
// ends in force, never the older one.
func TestNotificationDuringReload(t *testing.T) {
	st := newFakeStore(dataset(2))
	f, _ := start(t, st)
	gate := make(chan struct{})
	st.set(func(s *fakeStore) { s.gate = gate })
	st.commit(dataset(3))
	eventually(t, "the reload reads its snapshot", func() bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.snapshots >= 2
	})
	st.commit(dataset(4)) // while the reload of 3 waits at the gate
	st.set(func(s *fakeStore) { s.gate = nil })
	close(gate)
	eventually(t, "the last commit is in force", func() bool { return nameOf(f.Live()) == dataset(4).Meta.Name })
	// Nothing older comes after it.
	if err := f.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := nameOf(f.Live()); got != dataset(4).Meta.Name {
		t.Fatalf("after the reloads %q is in force", got)
	}
}

// TestSyncSeesEarlierWrites: after Sync returns, the index in force holds
// every commit made before it was called, even without a notification.
func TestSyncSeesEarlierWrites(t *testing.T) {
	st := newFakeStore(dataset(2))
	f, _ := start(t, st)
	for n := 3; n < 8; n++ {
		st.set(func(s *fakeStore) { s.ds = dataset(n) })
		if err := f.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got, want := nameOf(f.Live()), dataset(n).Meta.Name; got != want {
			t.Fatalf("after Sync %q is in force, want %q", got, want)
		}
	}
	// Many at once share reloads and all return.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() { errs <- f.Sync(context.Background()) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestShutdown(t *testing.T) {
	st := newFakeStore(dataset(2))
	f := New(st, new(geo.Live), nil)
	if err := f.Sync(context.Background()); !errors.Is(err, ErrNotFollowing) {
		t.Fatalf("Sync before Start: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := f.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// A reload held at the gate when ctx ends is abandoned, and a Sync
	// waiting for it is released.
	gate := make(chan struct{})
	st.set(func(s *fakeStore) { s.gate = gate })
	synced := make(chan error, 1)
	go func() { synced <- f.Sync(context.Background()) }()
	eventually(t, "the reload reads its snapshot", func() bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.snapshots >= 2
	})
	cancel()
	f.Wait()
	select {
	case err := <-synced:
		if !errors.Is(err, ErrNotFollowing) {
			t.Errorf("Sync during shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Sync still waits after the follower stopped")
	}
	if err := f.Sync(context.Background()); !errors.Is(err, ErrNotFollowing) {
		t.Errorf("Sync after the stop: %v", err)
	}
	if got := nameOf(f.Live()); got != dataset(2).Meta.Name {
		t.Errorf("after the stop %q is in force", got)
	}
}

func TestStartFails(t *testing.T) {
	st := newFakeStore(dataset(2))
	st.fail = fmt.Errorf("no such database")
	f := New(st, new(geo.Live), nil)
	if err := f.Start(context.Background()); err == nil {
		t.Fatal("Start over a failing store returned nil")
	}
	if f.Live().Load() != nil {
		t.Error("an index was published")
	}
	f.Wait()
}
