package follow

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/geotest"
)

// fakeGridStore is a fakeStore that names the grids a change touched and
// reads just those (GridSource); it counts those reads and can fail them.
type fakeGridStore struct {
	*fakeStore
	grids     chan []string
	gmu       sync.Mutex
	gridReads int
	gridFail  error
}

func newFakeGridStore(ds *geo.Dataset) *fakeGridStore {
	return &fakeGridStore{fakeStore: newFakeStore(ds), grids: make(chan []string, 1)}
}

func (s *fakeGridStore) WatchGrids(context.Context) (<-chan []string, error) { return s.grids, nil }

func (s *fakeGridStore) GridsNow(_ context.Context, ids []string) ([]geo.Grid, error) {
	s.gmu.Lock()
	s.gridReads++
	fail := s.gridFail
	s.gmu.Unlock()
	if fail != nil {
		return nil, fail
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []geo.Grid
	for _, id := range ids {
		for _, g := range s.ds.Grids {
			if g.ID == id {
				out = append(out, g)
			}
		}
	}
	return out, nil
}

// put puts ds in force and, unless quiet, announces a change to grids
// (nil: to anything), merged with one not yet delivered.
func (s *fakeGridStore) put(ds *geo.Dataset, grids []string, quiet bool) {
	s.mu.Lock()
	s.ds = ds
	s.mu.Unlock()
	if quiet {
		return
	}
	s.gmu.Lock()
	defer s.gmu.Unlock()
	select {
	case prev := <-s.grids:
		if prev == nil {
			grids = nil
		} else if grids != nil {
			grids = mergeIDs(prev, grids)
		}
	default:
	}
	s.grids <- grids
}

func (s *fakeGridStore) counts() (snapshots, gridReads int) {
	s.mu.Lock()
	snapshots = s.snapshots
	s.mu.Unlock()
	s.gmu.Lock()
	defer s.gmu.Unlock()
	return snapshots, s.gridReads
}

func (s *fakeGridStore) current() *geo.Dataset {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ds
}

func startGrids(t *testing.T, st *fakeGridStore) *Follower {
	t.Helper()
	f := New(st, new(geo.Live), nil)
	ctx, cancel := context.WithCancel(context.Background())
	if err := f.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); f.Wait() })
	return f
}

// moved returns a copy of ds whose grid at pos has its second vertex
// moved by d, and that grid's id.
func moved(ds *geo.Dataset, pos int, d float64) (*geo.Dataset, string) {
	out := *ds
	out.Grids = slices.Clone(ds.Grids)
	g := &out.Grids[pos]
	ring := slices.Clone(g.Geometry[0][0])
	ring[1] = orb.Point{ring[1][0] + d, ring[1][1] + d}
	g.Geometry = orb.MultiPolygon{{ring}}
	return &out, g.ID
}

// holds reports whether the index in force has grid id as ds has it.
func holds(f *Follower, ds *geo.Dataset, id string) bool {
	ix := f.Live().Load()
	got, ok := ix.Grid(id)
	if !ok {
		return false
	}
	for _, g := range ds.Grids {
		if g.ID == id {
			return g.Geometry.Equal(got.Geometry) && g.Name == got.Name
		}
	}
	return false
}

// answersAsFresh fails t unless the index in force answers random lookups
// as NewIndex of ds.
func answersAsFresh(t *testing.T, f *Follower, ds *geo.Dataset) {
	t.Helper()
	fresh, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	ix := f.Live().Load()
	rng := rand.New(rand.NewPCG(1, 2))
	b := ds.Grids[0].Geometry.Bound()
	for _, g := range ds.Grids {
		b = b.Union(g.Geometry.Bound())
	}
	for range 2000 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if a, w := ix.Lookup(p), fresh.Lookup(p); a.Community != w.Community && (a.Community == nil || w.Community == nil || a.Community.ID != w.Community.ID) {
			t.Fatalf("Lookup(%v) differs from a fresh index", p)
		}
	}
}

func TestGridEditsAreDerived(t *testing.T) {
	ds := geotest.Lattice(6, 2, 0.01, 3)
	st := newFakeGridStore(ds)
	f := startGrids(t, st)
	published := make(chan *geo.Index, 10)
	f.OnPublish(func(ix *geo.Index) { published <- ix })
	for _, pos := range []int{len(ds.Grids) - 1, len(ds.Grids) - 8, 2} {
		next, id := moved(st.current(), pos, 0.001)
		st.put(next, []string{id}, false)
		eventually(t, "the edited grid is in force", func() bool { return holds(f, next, id) })
		answersAsFresh(t, f, next)
	}
	<-published
	if snaps, reads := st.counts(); snaps != 1 || reads == 0 {
		t.Fatalf("%d snapshots and %d grid reads; want the one of Start and the edits derived", snaps, reads)
	}
	// A change to anything reads the whole dataset.
	st.put(geotest.Lattice(3, 0, 0.01, 1), nil, false)
	eventually(t, "the new dataset is in force", func() bool { return nameOf(f.Live()) == geotest.Lattice(3, 0, 0.01, 1).Meta.Name })
}

func TestUnderivableGridEditReadsAll(t *testing.T) {
	ds := geotest.Lattice(4, 0, 0.01, 1)
	st := newFakeGridStore(ds)
	f := startGrids(t, st)
	// The last community grid retired: GridsNow leaves it out.
	next := *ds
	next.Grids = ds.Grids[:len(ds.Grids)-1]
	gone := ds.Grids[len(ds.Grids)-1].ID
	st.put(&next, []string{gone}, false)
	eventually(t, "the retired grid is gone", func() bool { _, ok := f.Live().Load().Grid(gone); return !ok })
	if snaps, _ := st.counts(); snaps != 2 {
		t.Fatalf("%d snapshots; want one more than Start's", snaps)
	}
}

func TestSyncGridsDerives(t *testing.T) {
	ds := geotest.Lattice(4, 1, 0.01, 2)
	st := newFakeGridStore(ds)
	f := startGrids(t, st)
	next, id := moved(ds, len(ds.Grids)-1, 0.002)
	st.put(next, nil, true) // committed, not yet announced
	if err := f.SyncGrids(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if !holds(f, next, id) {
		t.Fatal("after SyncGrids the edited grid is not in force")
	}
	if snaps, reads := st.counts(); snaps != 1 || reads != 1 {
		t.Fatalf("%d snapshots and %d grid reads; want SyncGrids to read just the grid", snaps, reads)
	}
	answersAsFresh(t, f, next)
	if err := f.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if snaps, _ := st.counts(); snaps != 2 {
		t.Fatalf("%d snapshots; Sync must still read the whole dataset", snaps)
	}
}

func TestFailedGridReadReadsAllNext(t *testing.T) {
	ds := geotest.Lattice(4, 1, 0.01, 4)
	st := newFakeGridStore(ds)
	f := startGrids(t, st)
	broken := errors.New("connection lost")
	st.gmu.Lock()
	st.gridFail = broken
	st.gmu.Unlock()
	st.set(func(s *fakeStore) { s.fail = broken })
	first, a := moved(ds, len(ds.Grids)-1, 0.002)
	st.put(first, nil, true)
	if err := f.SyncGrids(context.Background(), a); !errors.Is(err, broken) {
		t.Fatalf("SyncGrids = %v, want the store's error", err)
	}
	st.gmu.Lock()
	st.gridFail = nil
	st.gmu.Unlock()
	st.set(func(s *fakeStore) { s.fail = nil })
	// The next change names another grid only; the first must not be lost.
	second, b := moved(first, 2, 0.001)
	st.put(second, []string{b}, false)
	eventually(t, "the second edit is in force", func() bool { return holds(f, second, b) })
	if !holds(f, second, a) {
		t.Fatal("the edit whose reload failed was lost")
	}
}

// TestSlowRefreshDoesNotHoldReloads: while the OnPublish function is busy
// (the tiles' refresh costs the county's size), edits are still followed
// and SyncGrids answers; the function then gets the newest index.
func TestSlowRefreshDoesNotHoldReloads(t *testing.T) {
	ds := geotest.Lattice(4, 1, 0.01, 6)
	st := newFakeGridStore(ds)
	f := startGrids(t, st)
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the follower's: Wait waits for the refresh
	got := make(chan *geo.Index, 10)
	f.OnPublish(func(ix *geo.Index) {
		got <- ix
		<-release
	})
	first, a := moved(ds, len(ds.Grids)-1, 0.002)
	st.put(first, []string{a}, false)
	<-got // the refresh of the first edit runs, and is held
	second, b := moved(first, 2, 0.001)
	st.put(second, nil, true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := f.SyncGrids(ctx, b); err != nil {
		t.Fatalf("SyncGrids while the refresh is held: %v", err)
	}
	if !holds(f, second, b) {
		t.Fatal("the second edit is not in force")
	}
	free()
	select {
	case ix := <-got:
		if ix != f.Live().Load() {
			t.Fatal("the refresh after the held one did not get the newest index")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no refresh after the held one")
	}
}
