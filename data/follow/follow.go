// Package follow owns "the store changed → this server's index follows":
// on every change a store announces it reads the dataset in force, builds
// a new geo.Index, publishes it to a geo.Live with one atomic store, and
// then calls back (the API brings its tiles and views up to date there),
// so readers never lock and never see a half-built index.
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

// Follower keeps a geo.Live equal to the newest dataset its Source has
// committed. Each reload reads a whole snapshot, so a notification that
// arrives during a reload causes one more, and after any burst the index
// in force is built from a snapshot taken after the burst's last commit.
// A reload that fails leaves the index in force and is logged; the next
// notification tries again.
type Follower struct {
	src    Source
	live   *geo.Live
	logger *slog.Logger

	// published is called after each new index is published.
	published atomic.Pointer[func(*geo.Index)]
	// kick asks the loop for a reload on behalf of Sync.
	kick chan struct{}

	mu sync.Mutex
	// asked counts the Sync calls; done is the value of asked that the
	// last finished reload read before its snapshot, and doneErr its
	// error. A reload covers every Sync counted before it began.
	asked, done uint64
	doneErr     error
	// finished is closed, and replaced, when a reload finishes.
	finished chan struct{}

	// stopped is closed when the loop started by Start has ended.
	stopped chan struct{}
}

// New returns a Follower that publishes src's dataset to live. A nil
// logger discards.
func New(src Source, live *geo.Live, logger *slog.Logger) *Follower {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Follower{src: src, live: live, logger: logger, kick: make(chan struct{}, 1), finished: make(chan struct{})}
}

// Live returns the geo.Live the follower publishes to.
func (f *Follower) Live() *geo.Live { return f.live }

// OnPublish sets fn to be called, from the follower's goroutine, after
// each index it publishes from then on; nil calls nothing. The API's
// Refresh belongs here, so the first request after a reload finds the
// tiles of the new index built. It is safe to call while following. fn
// must not need Sync's callers to wait for it: they are released when the
// index is published, before fn runs, so what fn refreshes must follow
// the index in force by itself when read (tiles.Service does).
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
	changes, err := f.src.Watch(ctx)
	if err != nil {
		cancel()
		return fmt.Errorf("watching the store: %w", err)
	}
	if err := f.Load(ctx); err != nil {
		cancel()
		return fmt.Errorf("loading the dataset: %w", err)
	}
	f.stopped = make(chan struct{})
	go func() {
		defer cancel()
		f.run(ctx, changes)
	}()
	return nil
}

// Wait returns once the loop started by Start has ended (after its ctx
// ended); at once if Start never succeeded.
func (f *Follower) Wait() {
	if f.stopped != nil {
		<-f.stopped
	}
}

// run reloads once per wake-up, whether a notification or a Sync woke it;
// whatever else is pending by then is covered by the same reload.
func (f *Follower) run(ctx context.Context, changes <-chan struct{}) {
	defer close(f.stopped)
	defer f.finish(0, context.Canceled, true)
	for {
		select {
		case _, ok := <-changes:
			if !ok {
				return
			}
		case <-f.kick:
		case <-ctx.Done():
			return
		}
		// One reload answers everything that is pending now.
		drain(changes)
		drain(f.kick)
		f.mu.Lock()
		covers := f.asked
		f.mu.Unlock()
		ix, err := f.publish(ctx)
		if err != nil && ctx.Err() == nil {
			f.logger.Error("reload failed; still serving the previous dataset", "err", err)
		}
		// Sync's callers are released once the index is in force: what
		// OnPublish refreshes (the tiles) follows the index in force on
		// its own when asked before the refresh ends.
		f.finish(covers, err, false)
		if err == nil {
			f.refresh(ix)
		}
	}
}

// drain empties ch of what is queued, without waiting.
func drain(ch <-chan struct{}) {
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		default:
			return
		}
	}
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
func (f *Follower) Sync(ctx context.Context) error {
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
