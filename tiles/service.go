package tiles

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb/maptile"

	"jingge/geo"
)

// DefaultCacheBytes bounds the tile cache of a Service whose options leave
// CacheBytes zero.
const DefaultCacheBytes = 256 << 20

// ErrNoIndex is returned by a Service asked for tiles before any index is
// published.
var ErrNoIndex = errors.New("tiles: no index is loaded yet")

// ServiceOptions configures a Service. Zero fields take defaults.
type ServiceOptions struct {
	Source Options
	// CacheBytes bounds the in-memory LRU of encoded tiles. Zero means
	// DefaultCacheBytes; a negative value turns caching off.
	CacheBytes int64
	// Cache replaces the LRU when set.
	Cache Cache
	// Layers are served beside the index layers, such as live incidents or
	// patrols. Their names must differ from the index layers'.
	Layers []Layer
	// GzipLevel compresses cached tiles; zero means DefaultGzipLevel.
	GzipLevel int
}

// Service serves the tiles of the index in force. It follows a geo.Live:
// when the live index is replaced (by an import or edit, on this server or
// another), the next call builds a Source for the new index, works out
// exactly which cached tiles differ (see Change) and purges only those,
// before any tile of the new index is served. Safe for concurrent use.
type Service struct {
	live  *geo.Live
	opts  ServiceOptions
	cache Cache
	extra []Layer

	cur atomic.Pointer[Source]
	// updateMu serialises swaps; renderMu lets renders run together but
	// never across a swap, so no tile of an old source is stored after its
	// purge.
	updateMu sync.Mutex
	renderMu sync.RWMutex
	// onSwap, when set (by tests), sees every change a swap purges.
	onSwap func(*Change, int)
	// swapped wakes Prerender after a swap (capacity 1: a wake-up
	// pending is enough however many swaps came).
	swapped chan struct{}
	// onPrerender, when set (by tests), sees every tile a pre-render
	// pass renders.
	onPrerender func(Key)
	// hits and misses count the requests for cacheable tiles that the
	// cache answered and those it did not (CacheStats).
	hits, misses atomic.Uint64
}

// CacheStats reports how many requests for cacheable tiles the cache
// answered (hits) and how many had to render (misses) since the service
// was made; pre-rendering counts as neither.
func (s *Service) CacheStats() (hits, misses uint64) { return s.hits.Load(), s.misses.Load() }

// NewService returns a Service following live.
func NewService(live *geo.Live, opts ServiceOptions) *Service {
	s := &Service{live: live, opts: opts, cache: opts.Cache, extra: opts.Layers, swapped: make(chan struct{}, 1)}
	if s.opts.GzipLevel == 0 {
		s.opts.GzipLevel = DefaultGzipLevel
	}
	if s.cache == nil {
		switch {
		case opts.CacheBytes < 0:
			s.cache = noCache{}
		case opts.CacheBytes == 0:
			s.cache = NewLRU(DefaultCacheBytes)
		default:
			s.cache = NewLRU(opts.CacheBytes)
		}
	}
	return s
}

// Cache returns the service's cache.
func (s *Service) Cache() Cache { return s.cache }

// Source returns the source of the index in force, swapping first if the
// live index changed; nil before any index is published.
func (s *Service) Source() *Source {
	ix := s.live.Load()
	if ix == nil {
		return nil
	}
	if cur := s.cur.Load(); cur != nil && cur.ix == ix {
		return cur
	}
	s.Update(ix)
	return s.cur.Load()
}

// Served returns the index whose tiles the service serves now, nil before
// its first swap. Unlike Source it does not follow the live index: it shows
// whether a swap (by Update or by a request) has happened yet.
func (s *Service) Served() *geo.Index {
	if cur := s.cur.Load(); cur != nil {
		return cur.ix
	}
	return nil
}

// Update makes ix the index served, if it is not already, and returns what
// changed: the purged regions (nil when ix was already in force or no index
// was before). Callers that publish an index may call it right after the
// publish, so the first tile request does not pay for the swap; requests
// that arrive meanwhile wait for it. Update with an index older than the
// live one is undone by the next request, which follows the live index.
func (s *Service) Update(ix *geo.Index) *Change {
	s.updateMu.Lock()
	defer s.updateMu.Unlock()
	old := s.cur.Load()
	if old != nil && old.ix == ix {
		return nil
	}
	next := NewSource(ix, s.opts.Source)
	var ch *Change
	if old != nil {
		ch = diffSources(old, next)
	}
	s.renderMu.Lock()
	purged := 0
	if old != nil {
		purged = s.cache.Purge(ch.Covers)
	}
	s.cur.Store(next)
	s.renderMu.Unlock()
	if s.onSwap != nil {
		s.onSwap(ch, purged)
	}
	select {
	case s.swapped <- struct{}{}:
	default:
	}
	return ch
}

// Layers returns the layers served with src: its index layers, then the
// extra layers of the options.
func (s *Service) Layers(src *Source) []Layer {
	return append(src.Layers(), s.extra...)
}

// layersFor resolves a layer name ("" for the combined tile) and reports
// whether its tiles may be cached.
func (s *Service) layersFor(src *Source, name string) ([]Layer, bool, error) {
	if name == "" {
		var out []Layer
		for _, l := range s.Layers(src) {
			if !l.Info().Volatile {
				out = append(out, l)
			}
		}
		return out, true, nil
	}
	if l, ok := src.Layer(name); ok {
		return []Layer{l}, true, nil
	}
	for _, l := range s.extra {
		if l.Info().ID == name {
			return []Layer{l}, !l.Info().Volatile, nil
		}
	}
	return nil, false, unknownLayer(name, s.Layers(src))
}

// cacheable reports whether tiles of the named layer ("" for the combined
// tile) are cached; it is layersFor without allocating, for the hot path.
func (s *Service) cacheable(src *Source, name string) (bool, error) {
	if name == "" {
		return true, nil
	}
	if _, ok := src.byName[name]; ok {
		return true, nil
	}
	for _, l := range s.extra {
		if info := l.Info(); info.ID == name {
			return !info.Volatile, nil
		}
	}
	return false, unknownLayer(name, s.Layers(src))
}

// Tile returns tile t of the named layer ("" for all layers in one tile),
// from the cache when it holds it. An unknown layer is a *CoordError; an
// empty tile is a Tile whose Empty method reports true.
func (s *Service) Tile(ctx context.Context, layer string, t maptile.Tile) (*Tile, error) {
	src := s.Source()
	if src == nil {
		return nil, ErrNoIndex
	}
	cacheable, err := s.cacheable(src, layer)
	if err != nil {
		return nil, err
	}
	key := Key{Layer: layer, Tile: t}
	if cacheable {
		if tile, ok := s.cache.Get(key); ok {
			s.hits.Add(1)
			return tile, nil
		}
		s.misses.Add(1)
	}
	s.renderMu.RLock()
	defer s.renderMu.RUnlock()
	if cur := s.cur.Load(); cur != src {
		// A swap finished after this request read the source: render
		// from the new one so nothing stale is cached.
		src = cur
		if cacheable, err = s.cacheable(src, layer); err != nil {
			return nil, err
		}
	}
	tile, err := s.render(ctx, src, key)
	if err != nil {
		return nil, err
	}
	if cacheable {
		s.cache.Set(key, tile)
	}
	return tile, nil
}

// render encodes and compresses the tile under k from src, bypassing the
// cache.
func (s *Service) render(ctx context.Context, src *Source, k Key) (*Tile, error) {
	layers, _, err := s.layersFor(src, k.Layer)
	if err != nil {
		return nil, err
	}
	raw, err := encodeTile(ctx, k.Tile, layers)
	if err != nil {
		return nil, err
	}
	return NewTile(raw, s.opts.GzipLevel)
}
