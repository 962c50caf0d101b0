// Package follow owns "the store changed → this server's index follows":
// on every change a store announces it reads the dataset in force, builds
// a new geo.Index, publishes it to a geo.Live with one atomic store, and
// then calls back (the API brings its tiles and views up to date there),
// so readers never lock and never see a half-built index. When the store
// says a change touched only some grids (GridSource), it reads just those
// and derives the new index from the one in force (geo.Index.WithGrids),
// falling back to the whole dataset where that cannot be done.
//
// It imports only geo and geo/crs; the store is seen through the two
// methods it needs (Source), which data.Store has. It sits below api and
// cmd: serve, the command line and the benchmarks use it, nothing in it
// knows of HTTP.
package follow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"jingge/geo"
	"jingge/geo/crs"
)

// Source is what a Follower reads: the dataset in force and a
// notification after every committed change (data.Store has both).
type Source interface {
	// Snapshot returns the dataset in force now; the caller owns it.
	Snapshot(ctx context.Context) (*geo.Dataset, error)
	// Watch returns a channel that receives a value after every committed
	// change, bursts possibly coalesced, closed when ctx ends. A store
	// that loses and regains its connection sends one too, since changes
	// may have been missed meanwhile.
	Watch(ctx context.Context) (<-chan struct{}, error)
}

// GridSource is a Source that says which grids a change touched and reads
// just those (data.GridWatcher; both stores offer it). See
// data.GridWatcher for what the values of WatchGrids mean.
type GridSource interface {
	Source
	// WatchGrids is Watch with the ids of the grids a change touched,
	// nil when it may have touched anything.
	WatchGrids(ctx context.Context) (<-chan []string, error)
	// GridsNow returns the grids in force with the given ids, in that
	// order, leaving out ids without one.
	GridsNow(ctx context.Context, ids []string) ([]geo.Grid, error)
}

// Follower keeps a geo.Live equal to the newest dataset its Source has
// committed. A reload reads a whole snapshot, or, for a change to some
// grids of a GridSource, those grids as they are now; so a notification
// that arrives during a reload causes one more, and after any burst the
// index in force holds every change up to the burst's last commit. A
// reload that fails leaves the index in force and is logged; the next
// notification tries again.
type Follower struct {
	src    Source
	live   *geo.Live
	logger *slog.Logger

	// published is called after each new index is published.
	published atomic.Pointer[func(*geo.Index)]
	// toRefresh is the newest index published and not yet passed to
	// published; refreshKick wakes the goroutine that passes it.
	toRefresh   atomic.Pointer[geo.Index]
	refreshKick chan struct{}
	// kick asks the loop for a reload on behalf of Sync.
	kick chan struct{}

	mu sync.Mutex
	// asked counts the Sync and SyncGrids calls; done is the value of
	// asked that the last finished reload read before its snapshot, and
	// doneErr its error. A reload covers every call counted before it
	// began: askedAll says one of them was a Sync, which only a whole
	// snapshot answers, askedGrids are the grids the others named.
	asked, done uint64
	askedAll    bool
	askedGrids  []string
	doneErr     error
	// finished is closed, and replaced, when a reload finishes.
	finished chan struct{}

	// stopped is closed when the loop started by Start has ended,
	// refreshed when its refreshing goroutine has.
	stopped, refreshed chan struct{}
	// readAll makes the loop's next reload read the whole dataset: the
	// last one failed, so the grids it was to read are not in force and
	// the next notification may name others.
	readAll bool
}

// New returns a Follower that publishes src's dataset to live. A nil
// logger discards.
func New(src Source, live *geo.Live, logger *slog.Logger) *Follower {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Follower{src: src, live: live, logger: logger, kick: make(chan struct{}, 1), refreshKick: make(chan struct{}, 1), finished: make(chan struct{})}
}

// Live returns the geo.Live the follower publishes to.
func (f *Follower) Live() *geo.Live { return f.live }

// OnPublish sets fn to be called after each index the follower publishes
// from then on; nil calls nothing. The API's Refresh belongs here, so the
// first request after a reload finds the tiles of the new index built. It
// is safe to call while following. While following, fn runs on a
// goroutine of its own, one call at a time, so a slow fn (the tiles'
// refresh costs the county's size) delays neither the next reload nor
// Sync's callers; indexes published while it runs are passed to it once,
// as the newest of them. fn must not need Sync's callers to wait for it:
// they are released when the index is published, before fn runs, so what
// fn refreshes must follow the index in force by itself when read
// (tiles.Service does).
func (f *Follower) OnPublish(fn func(*geo.Index)) {
	if fn == nil {
		f.published.Store(nil)
		return
	}
	f.published.Store(&fn)
}

// Load reads the dataset in force once, publishes its index and then calls
// the OnPublish function. On an error (the store, a dataset no index can
// be built of) the index in force stays as it was.
func (f *Follower) Load(ctx context.Context) error {
	ix, err := f.publish(ctx)
	if err != nil {
		return err
	}
	f.refresh(ix)
	return nil
}

// publish reads the dataset in force, builds its index and publishes it.
func (f *Follower) publish(ctx context.Context) (*geo.Index, error) {
	start := time.Now()
	ds, err := f.src.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the dataset: %w", err)
	}
	if _, err := crs.Parse(ds.Meta.Datum); err != nil {
		return nil, fmt.Errorf("dataset %q: datum: %w", ds.Meta.Name, err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, err
	}
	first := f.live.Load() == nil
	f.live.Store(ix)
	msg := "dataset reloaded"
	if first {
		msg = "dataset loaded"
	}
	f.logger.Info(msg, "dataset", ds.Meta.Name, "grids", len(ds.Grids), "stations", len(ds.Stations), "members", len(ds.Members), "duration", time.Since(start))
	return ix, nil
}

// refresh calls the OnPublish function, if any, with ix.
func (f *Follower) refresh(ix *geo.Index) {
	if fn := f.published.Load(); fn != nil {
		(*fn)(ix)
	}
}

// Start watches the source, loads the dataset in force (the watch begins
// first, so no change committed in between is missed) and, until ctx
// ends, reloads after every notification. An error watching or loading
// the first time is returned and nothing keeps running. Stop waits for the
// loop to end after ctx has.
func (f *Follower) Start(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var changes <-chan struct{}
	var gridChanges <-chan []string
	var err error
	if gs, ok := f.src.(GridSource); ok {
		gridChanges, err = gs.WatchGrids(ctx)
	} else {
		changes, err = f.src.Watch(ctx)
	}
	if err != nil {
		cancel()
		return fmt.Errorf("watching the store: %w", err)
	}
	if err := f.Load(ctx); err != nil {
		cancel()
		return fmt.Errorf("loading the dataset: %w", err)
	}
	f.stopped, f.refreshed = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(f.refreshed)
		f.refreshLoop(ctx)
	}()
	go func() {
		defer cancel()
		f.run(ctx, changes, gridChanges)
	}()
	return nil
}

// Wait returns once the loop started by Start has ended (after its ctx
// ended), the OnPublish function included; at once if Start never
// succeeded.
func (f *Follower) Wait() {
	if f.stopped != nil {
		<-f.stopped
		<-f.refreshed
	}
}

// refreshLoop passes the newest index published to the OnPublish
// function whenever run asks (refreshSoon), until ctx ends.
func (f *Follower) refreshLoop(ctx context.Context) {
	for {
		select {
		case <-f.refreshKick:
		case <-ctx.Done():
			return
		}
		if ix := f.toRefresh.Swap(nil); ix != nil {
			f.refresh(ix)
		}
	}
}

// refreshSoon has refreshLoop pass ix to the OnPublish function, or a
// newer index if one is published before it does.
func (f *Follower) refreshSoon(ix *geo.Index) {
	f.toRefresh.Store(ix)
	select {
	case f.refreshKick <- struct{}{}:
	default: // a refresh is asked for already; it takes the newest
	}
}

// run reloads once per wake-up, whether a notification or a Sync woke it;
// whatever else is pending by then is covered by the same reload. Of the
// two channels one is nil: changes for a Source, grids for a GridSource.
func (f *Follower) run(ctx context.Context, changes <-chan struct{}, grids <-chan []string) {
	defer close(f.stopped)
	defer f.finish(0, context.Canceled, true)
	for {
		// touched are the grids the pending changes touched, when they
		// touched nothing else (derivable).
		var touched []string
		derivable := false
		select {
		case _, ok := <-changes:
			if !ok {
				return
			}
		case ids, ok := <-grids:
			if !ok {
				return
			}
			touched, derivable = ids, ids != nil
		case <-f.kick:
			derivable = true
		case <-ctx.Done():
			return
		}
		// One reload answers everything that is pending now.
		if drain(changes) {
			derivable = false
		}
		touched, derivable = drainGrids(grids, touched, derivable)
		drain(f.kick)
		f.mu.Lock()
		covers, all, asked := f.asked, f.askedAll, f.askedGrids
		f.askedAll, f.askedGrids = false, nil
		f.mu.Unlock()
		if all {
			derivable = false
		}
		touched = mergeIDs(touched, asked)
		if derivable && len(touched) == 0 {
			// A kick whose asks an earlier reload covered.
			f.finish(covers, nil, false)
			continue
		}
		if !derivable || f.readAll {
			touched = nil
		}
		ix, err := f.reload(ctx, touched)
		f.readAll = err != nil
		if err != nil && ctx.Err() == nil {
			f.logger.Error("reload failed; still serving the previous dataset", "err", err)
		}
		// Sync's callers are released once the index is in force: what
		// OnPublish refreshes (the tiles) follows the index in force on
		// its own when asked before the refresh ends.
		f.finish(covers, err, false)
		if err == nil {
			f.refreshSoon(ix)
		}
	}
}

// drain empties ch of what is queued, without waiting, and reports
// whether anything was.
func drain(ch <-chan struct{}) bool {
	got := false
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return got
			}
			got = true
		default:
			return got
		}
	}
}

// drainGrids merges what grids has queued into touched; a nil value (a
// change to anything) makes the reload not derivable.
func drainGrids(grids <-chan []string, touched []string, derivable bool) ([]string, bool) {
	for {
		select {
		case ids, ok := <-grids:
			if !ok {
				return touched, derivable
			}
			derivable = derivable && ids != nil
			touched = mergeIDs(touched, ids)
		default:
			return touched, derivable
		}
	}
}

// mergeIDs returns the ids of a and then those of b not in a.
func mergeIDs(a, b []string) []string {
	out := slices.Clone(a)
	for _, id := range b {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// finish records a reload that covered the Sync calls up to covers and
// wakes those waiting. At the end of the loop (final) it releases every
// waiter with err.
func (f *Follower) finish(covers uint64, err error, final bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if final {
		covers = f.asked
	}
	f.done, f.doneErr = covers, err
	close(f.finished)
	f.finished = make(chan struct{})
}

// ErrNotFollowing is returned by Sync when the follower is not (or no
// longer) following its store.
var ErrNotFollowing = errors.New("follow: not following the store")

// Sync returns once the index in force was built from a snapshot read
// after Sync was called (published; the OnPublish function may still be
// running), so whatever the store committed before the call
// is in it: a write that has returned is seen by this server's reads after
// Sync returns (read-your-writes). It asks for a reload of its own rather
// than waiting for the store's notification, which may have been handled
// by a reload that began before the write committed. It returns the error
// of that reload when it failed, ErrNotFollowing when no loop runs, or
// ctx's error.
func (f *Follower) Sync(ctx context.Context) error { return f.sync(ctx, true, nil) }

// SyncGrids returns once the index in force holds the grids ids as they
// were in force when it was called, or later, together with whatever an
// earlier reload held: a grid edit that has returned is seen by this
// server's reads after SyncGrids returns (read-your-writes for the
// writer of those grids). Unlike Sync it does not wait for other changes
// committed meanwhile: for a GridSource it reads just those grids and
// derives the index from the one in force, which costs the size of the
// edit rather than of the dataset (falling back to a whole snapshot where
// geo.Index.WithGrids cannot derive). For a plain Source it is Sync. Its
// errors are Sync's.
func (f *Follower) SyncGrids(ctx context.Context, ids ...string) error {
	if _, ok := f.src.(GridSource); !ok || len(ids) == 0 {
		return f.sync(ctx, true, nil)
	}
	return f.sync(ctx, false, ids)
}

// sync is Sync (all) or SyncGrids.
func (f *Follower) sync(ctx context.Context, all bool, ids []string) error {
	if f.stopped == nil {
		return ErrNotFollowing
	}
	select {
	case <-f.stopped:
		return ErrNotFollowing
	default:
	}
	f.mu.Lock()
	f.asked++
	mine := f.asked
	if all {
		f.askedAll = true
	} else {
		f.askedGrids = mergeIDs(f.askedGrids, ids)
	}
	f.mu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default: // a reload is asked for already and has not begun
	}
	for {
		f.mu.Lock()
		done, err, finished := f.done, f.doneErr, f.finished
		f.mu.Unlock()
		if done >= mine {
			if err != nil && errors.Is(err, context.Canceled) {
				return ErrNotFollowing
			}
			return err
		}
		select {
		case <-finished:
		case <-f.stopped:
			// The loop's last finish has covered every Sync counted so
			// far; one counted after it is answered here.
			f.mu.Lock()
			covered := f.done >= mine
			f.mu.Unlock()
			if !covered {
				return ErrNotFollowing
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
