package tiles

import (
	"context"
	"errors"
	"math"
	"runtime"
	"time"

	"github.com/paulmach/orb/maptile"

	"jingge/geo"
)

// DefaultPrerenderZoom is the deepest zoom a Service pre-renders when the
// options leave MaxZoom zero: at z14 a tile is about 2 km wide, a few
// community grids; deeper tiles are many and each is quick to render on
// demand.
const DefaultPrerenderZoom = 14

// PrerenderOptions configures Service.Prerender.
type PrerenderOptions struct {
	// MaxZoom is the deepest zoom rendered; zero means
	// DefaultPrerenderZoom. It is capped at MaxZoom of the package.
	MaxZoom int
	// OnPass, when set, is called after each pass with what it did.
	OnPass func(PrerenderPass)
}

// PrerenderPass says what one pass over the pyramid of an index did.
type PrerenderPass struct {
	// Index is the index whose tiles the pass rendered.
	Index *geo.Index
	// Tiles counts the cacheable tiles of the pyramid (combined and per
	// layer) the pass looked at; Rendered those it rendered because the
	// cache did not hold them. After an edit only the tiles the swap
	// purged are missing, so Rendered is what the edit touched.
	Tiles, Rendered int
	// Duration is the wall time of the pass, yields included.
	Duration time.Duration
	// Stopped says why a pass ended early: ErrSuperseded when a newer
	// index came into force, the context's error on shutdown,
	// ErrCacheFull when the cache could not hold the pyramid without
	// evicting tiles clients asked for, or a render's error. Nil for a
	// pass that covered the whole pyramid.
	Stopped error
}

// ErrSuperseded ends a pre-render pass whose index is no longer in force;
// the next pass renders the new one.
var ErrSuperseded = errors.New("tiles: a newer index came into force")

// ErrCacheFull ends a pre-render pass when the cache is three quarters
// full: the rest of the pyramid would push out tiles clients asked for.
var ErrCacheFull = errors.New("tiles: the tile cache is too small to hold the pre-rendered pyramid")

// Prerender keeps the cache holding the pyramid of the index in force, to
// opts.MaxZoom, until ctx ends: every cacheable tile (the combined tile
// and each index layer's, within the layer's zooms) over the grids'
// bounds, lowest zoom first. It renders the pyramid once the first index
// is in force and again after each swap, when only the tiles the swap
// purged (those the change touched) are missing and rendered. It runs on
// the calling goroutine, one tile at a time, yielding the processor
// between tiles so requests are not starved; a pass stops at the next
// tile when ctx ends or a newer index comes into force. Prerender returns
// when ctx ends, or at once when the service caches nothing
// (CacheBytes < 0).
func (s *Service) Prerender(ctx context.Context, opts PrerenderOptions) {
	if _, off := s.cache.(noCache); off {
		return
	}
	if opts.MaxZoom <= 0 {
		opts.MaxZoom = DefaultPrerenderZoom
	}
	opts.MaxZoom = min(opts.MaxZoom, MaxZoom)
	for {
		// A swap signalled before this point is covered by the pass
		// below, which renders the source in force now.
		select {
		case <-s.swapped:
		default:
		}
		if src := s.Source(); src != nil {
			pass := s.prerenderPass(ctx, src, opts.MaxZoom)
			if opts.OnPass != nil {
				opts.OnPass(pass)
			}
		}
		if ctx.Err() != nil {
			return
		}
		if src := s.cur.Load(); src == nil || src.ix == s.live.Load() {
			// Current (or nothing yet): wait for the next swap. A pass
			// superseded by an index not swapped in yet loops at once,
			// and its Source call swaps.
			select {
			case <-ctx.Done():
				return
			case <-s.swapped:
			}
		}
	}
}

// prerenderPass renders the tiles of src's pyramid the cache lacks.
func (s *Service) prerenderPass(ctx context.Context, src *Source, maxZoom int) PrerenderPass {
	start := time.Now()
	pass := PrerenderPass{Index: src.ix}
	lru, _ := s.cache.(*LRU)
	for _, k := range s.pyramid(src, maxZoom) {
		if pass.Stopped = ctx.Err(); pass.Stopped != nil {
			break
		}
		if s.cur.Load() != src || s.live.Load() != src.ix {
			pass.Stopped = ErrSuperseded
			break
		}
		pass.Tiles++
		if cached(s.cache, k) {
			continue
		}
		if lru != nil && lru.Bytes() > lru.maxBytes/4*3 {
			pass.Stopped = ErrCacheFull
			break
		}
		rendered, err := s.fill(ctx, src, k)
		if err != nil {
			pass.Stopped = err
			break
		}
		if rendered {
			pass.Rendered++
			if s.onPrerender != nil {
				s.onPrerender(k)
			}
		}
		// One goroutine, one tile at a time, and the processor handed
		// over between tiles: requests come first.
		runtime.Gosched()
	}
	pass.Duration = time.Since(start)
	return pass
}

// fill renders the tile under k from src and caches it, unless a swap
// replaced src first (ErrSuperseded); it reports whether it rendered.
func (s *Service) fill(ctx context.Context, src *Source, k Key) (bool, error) {
	s.renderMu.RLock()
	defer s.renderMu.RUnlock()
	if s.cur.Load() != src {
		return false, ErrSuperseded
	}
	tile, err := s.render(ctx, src, k)
	if err != nil {
		return false, err
	}
	s.cache.Set(k, tile)
	return true, nil
}

// cached reports whether c holds k, without marking it used when c can
// tell (an LRU): a pass over the pyramid must not make every tile look
// recently asked for.
func cached(c Cache, k Key) bool {
	if p, ok := c.(interface{ Contains(Key) bool }); ok {
		return p.Contains(k)
	}
	_, ok := c.Get(k)
	return ok
}

// pyramid lists the cacheable keys over src's grids to maxZoom, lowest
// zoom first: at each zoom every tile whose buffered bound meets the
// grids' bound, combined and per index layer within the layer's zooms.
func (s *Service) pyramid(src *Source, maxZoom int) []Key {
	if !src.hasGrids {
		return nil
	}
	var layers []string
	var out []Key
	for z := 0; z <= maxZoom; z++ {
		layers = append(layers[:0], "")
		for _, l := range src.layers {
			if z >= l.info.MinZoom && z <= l.info.MaxZoom {
				layers = append(layers, l.info.ID)
			}
		}
		x0, y0, x1, y1 := src.tileRect(z, src.worldBound)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				t := maptile.New(uint32(x), uint32(y), maptile.Zoom(z))
				for _, l := range layers {
					out = append(out, Key{Layer: l, Tile: t})
				}
			}
		}
	}
	return out
}

// tileIndex is the tile holding world coordinate v (in tiles), clamped to
// the zoom's tiles 0..last.
func tileIndex(v float64, last int) int {
	return max(0, min(last, int(math.Floor(v))))
}
