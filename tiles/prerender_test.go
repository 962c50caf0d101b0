package tiles

import (
	"context"
	"errors"
	"testing"
	"time"

	"jingge/geo"
)

// passWait bounds how long a test waits for a pre-render pass: generous,
// for a loaded 2-core machine; no timing is asserted.
const passWait = 5 * time.Minute

// startPrerender runs svc.Prerender until the test ends and returns the
// passes it reports and a channel closed when Prerender has returned.
func startPrerender(t *testing.T, ctx context.Context, svc *Service, maxZoom int) (<-chan PrerenderPass, <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	passes := make(chan PrerenderPass, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Prerender(ctx, PrerenderOptions{MaxZoom: maxZoom, OnPass: func(p PrerenderPass) { passes <- p }})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return passes, done
}

// nextPass waits for a pass of ix.
func nextPass(t *testing.T, passes <-chan PrerenderPass, ix *geo.Index) PrerenderPass {
	t.Helper()
	deadline := time.After(passWait)
	for {
		select {
		case p := <-passes:
			if p.Index == ix {
				return p
			}
		case <-deadline:
			t.Fatalf("no pre-render pass of the index within %s", passWait)
		}
	}
}

// TestPrerenderFillsThePyramidThenOnlyWhatAnEditTouched pre-renders the
// county to z12, edits one border vertex, and checks that the pass after
// the swap renders exactly the tiles the swap purged, that those are the
// only tiles whose ETag changed (the others are the very same cached
// tiles), and that the cache holds the whole pyramid again.
func TestPrerenderFillsThePyramidThenOnlyWhatAnEditTouched(t *testing.T) {
	const maxZoom = 12
	ds := freshLantian(t)
	live := new(geo.Live)
	live.Store(mustIndex(t, ds))
	svc := NewService(live, ServiceOptions{})
	var change *Change
	purged := -1
	svc.onSwap = func(c *Change, n int) { change, purged = c, n }
	lru := svc.Cache().(*LRU)
	passes, _ := startPrerender(t, context.Background(), svc, maxZoom)

	first := nextPass(t, passes, live.Load())
	keys := svc.pyramid(svc.Source(), maxZoom)
	if first.Stopped != nil || first.Tiles != len(keys) || first.Rendered != len(keys) || lru.Len() != len(keys) {
		t.Fatalf("first pass %+v: cache holds %d tiles, the pyramid has %d", first, lru.Len(), len(keys))
	}
	before := map[Key]*Tile{}
	for _, k := range keys {
		before[k], _ = lru.Get(k)
	}

	oldSrc := svc.Source()
	arc, grids := interiorArc(t, oldSrc)
	edited := editArcVertex(t, ds, grids, arc)
	ds2 := freshLantian(t)
	for i := range ds2.Grids {
		if g, ok := edited[ds2.Grids[i].ID]; ok {
			ds2.Grids[i].Geometry = g
		}
	}
	ix2 := mustIndex(t, ds2)
	live.Store(ix2)
	svc.Update(ix2) // as the follower's refresh does
	second := nextPass(t, passes, ix2)
	if second.Stopped != nil || purged <= 0 || second.Rendered != purged || lru.Len() != len(keys) {
		t.Fatalf("pass after the edit %+v: the swap purged %d, the cache holds %d of %d", second, purged, lru.Len(), len(keys))
	}
	changed := 0
	for _, k := range keys {
		now, ok := lru.Get(k)
		if !ok {
			t.Fatalf("%s %s missing after the pass", k.Layer, Path(k.Tile))
		}
		touched := change.Covers(k)
		switch {
		case !touched && now != before[k]:
			t.Errorf("%s %s: not touched by the edit but rendered again", k.Layer, Path(k.Tile))
		case now.ETag != before[k].ETag:
			changed++
			if !touched {
				t.Errorf("%s %s: ETag changed, but the edit did not touch it", k.Layer, Path(k.Tile))
			}
		}
	}
	if changed == 0 {
		t.Error("no tile's ETag changed after the edit")
	}
	t.Logf("pyramid to z%d: %d tiles in %s; the edit purged %d (ETag changed on %d), re-rendered in %s",
		maxZoom, first.Tiles, first.Duration, purged, changed, second.Duration)
}

// TestPrerenderStopsOnShutdown cancels the context during a pass: the pass
// ends at the next tile and Prerender returns.
func TestPrerenderStopsOnShutdown(t *testing.T) {
	live := new(geo.Live)
	live.Store(lantianIndex(t))
	svc := NewService(live, ServiceOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rendered := 0
	svc.onPrerender = func(Key) {
		if rendered++; rendered == 5 {
			cancel()
		}
	}
	passes, done := startPrerender(t, ctx, svc, DefaultPrerenderZoom)
	select {
	case <-done:
	case <-time.After(passWait):
		t.Fatalf("Prerender still running %s after its context ended", passWait)
	}
	p := <-passes
	if !errors.Is(p.Stopped, context.Canceled) || p.Rendered != 5 || svc.Cache().(*LRU).Len() != 5 {
		t.Errorf("pass %+v, cache holds %d tiles; want it stopped after 5", p, svc.Cache().(*LRU).Len())
	}
}

// TestPrerenderFollowsANewerIndex publishes a new index during a pass:
// the pass stops, and the next one renders the new index's pyramid.
func TestPrerenderFollowsANewerIndex(t *testing.T) {
	const maxZoom = 9
	live := new(geo.Live)
	live.Store(lantianIndex(t))
	svc := NewService(live, ServiceOptions{})
	ds2 := freshLantian(t)
	ds2.Grids[0].Name = "改名网格"
	ix2 := mustIndex(t, ds2)
	rendered := 0
	svc.onPrerender = func(Key) {
		if rendered++; rendered == 3 {
			live.Store(ix2)
		}
	}
	passes, _ := startPrerender(t, context.Background(), svc, maxZoom)
	first := nextPass(t, passes, lantianIndex(t))
	if !errors.Is(first.Stopped, ErrSuperseded) || first.Rendered != 3 {
		t.Errorf("first pass %+v: want it superseded after 3 tiles", first)
	}
	second := nextPass(t, passes, ix2)
	keys := svc.pyramid(svc.Source(), maxZoom)
	if second.Stopped != nil || second.Tiles != len(keys) || svc.Served() != ix2 {
		t.Errorf("second pass %+v over %d keys; served the new index: %v", second, len(keys), svc.Served() == ix2)
	}
}

// TestPrerenderStopsWhenTheCacheIsFull gives the service a cache too small
// for the pyramid: the pass stops rather than evict.
func TestPrerenderStopsWhenTheCacheIsFull(t *testing.T) {
	live := new(geo.Live)
	live.Store(lantianIndex(t))
	svc := NewService(live, ServiceOptions{CacheBytes: 64 << 10})
	passes, _ := startPrerender(t, context.Background(), svc, DefaultPrerenderZoom)
	p := nextPass(t, passes, lantianIndex(t))
	lru := svc.Cache().(*LRU)
	if !errors.Is(p.Stopped, ErrCacheFull) || lru.Bytes() > 64<<10 {
		t.Errorf("pass %+v, cache %d bytes", p, lru.Bytes())
	}
}

// TestPrerenderWithoutCache returns at once: with caching off every pass
// would render the pyramid for nothing.
func TestPrerenderWithoutCache(t *testing.T) {
	live := new(geo.Live)
	live.Store(lantianIndex(t))
	svc := NewService(live, ServiceOptions{CacheBytes: -1})
	svc.onPrerender = func(Key) { t.Error("a tile was rendered with caching off") }
	svc.Prerender(context.Background(), PrerenderOptions{}) // returns, or the test times out
}
