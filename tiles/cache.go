package tiles

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb/maptile"
)

// Tile is one encoded tile as the cache keeps it: gzip-compressed once,
// with its entity tags computed once.
type Tile struct {
	// Gzip is the MVT, gzip-compressed; nil for an empty tile.
	Gzip []byte
	// Size is the length of the uncompressed MVT.
	Size int
	// ETag is the strong entity tag (quoted) of the uncompressed MVT; it
	// is a hash of the content, so an unchanged tile keeps its tag across
	// index reloads and servers.
	ETag string
	// GzipETag is the strong entity tag of the gzip-encoded representation.
	GzipETag string

	// headers holds the header values of each representation, made once
	// by NewTile (see Headers).
	headers *[2]Headers
}

// Headers are the header values of one representation of a tile, each a
// slice of capacity 1 shared by every answer: a server assigns them to a
// response's header map as they are, so a warm tile's answer builds no
// strings. They must not be modified (an Add to such a header copies the
// slice first, as its capacity is full).
type Headers struct {
	ETag, ContentLength []string
}

// Headers returns the header values of the tile's gzip-encoded (gzip) or
// uncompressed representation; an empty tile has none.
func (t *Tile) Headers(gzip bool) Headers {
	i := 0
	if gzip {
		i = 1
	}
	if t.headers != nil {
		return t.headers[i]
	}
	if t.Empty() {
		return Headers{}
	}
	return t.makeHeaders()[i]
}

func (t *Tile) makeHeaders() *[2]Headers {
	one := func(s string) []string { return []string{s}[:1:1] }
	return &[2]Headers{
		{ETag: one(t.ETag), ContentLength: one(strconv.Itoa(t.Size))},
		{ETag: one(t.GzipETag), ContentLength: one(strconv.Itoa(len(t.Gzip)))},
	}
}

// Empty reports whether the tile has no features.
func (t *Tile) Empty() bool { return len(t.Gzip) == 0 }

// Raw returns the uncompressed MVT, inflated from Gzip on each call.
//
// The cache keeps only the compressed bytes: an uncompressed copy beside
// them would add 1.7–2.3 times the cache's memory again (what tiles
// inflate by, z15 to z8) for the few clients that do not accept gzip
// (every browser and map library does), while inflating a tile costs
// microseconds and a reader from a pool, not a new one per call.
func (t *Tile) Raw() ([]byte, error) {
	if t.Empty() {
		return nil, nil
	}
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(t.Gzip))
	} else {
		err = zr.Reset(bytes.NewReader(t.Gzip))
	}
	if err != nil {
		return nil, fmt.Errorf("tiles: decompressing: %w", err)
	}
	defer gzipReaders.Put(zr)
	out := make([]byte, t.Size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, fmt.Errorf("tiles: decompressing: %w", err)
	}
	// Reading on to the end checks the stream's length and checksum.
	if n, err := zr.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return nil, fmt.Errorf("tiles: decompressing: the stream does not end after %d bytes (%v)", t.Size, err)
	}
	return out, nil
}

// gzipReaders recycles decompressors for Raw: a gzip.Reader holds tens of
// kilobytes of state, far more than most tiles.
var gzipReaders sync.Pool

// DefaultGzipLevel is the gzip level tiles are compressed at unless
// ServiceOptions say otherwise. Compression is most of what a cache miss
// costs, so the level is a fast one: with klauspost/compress, level 2
// compresses a tile about four times as fast as the standard library's
// default level, whose every Reset clears over half a megabyte of hash
// tables (more than a tile's whole work at z15), for tiles 4 % (z15) to
// 10 % (z8) larger (docs/performance.md).
const DefaultGzipLevel = 2

// NewTile compresses an encoded MVT (nil or empty for an empty tile) at the
// given gzip level (gzip.HuffmanOnly to gzip.BestCompression, or
// gzip.DefaultCompression) and tags it. The bytes are standard gzip: any
// client inflates them.
func NewTile(raw []byte, level int) (*Tile, error) {
	if len(raw) == 0 {
		return &Tile{}, nil
	}
	sum := sha256.Sum256(raw)
	tag := hex.EncodeToString(sum[:12])
	var buf bytes.Buffer
	buf.Grow(len(raw)/2 + 64)
	zw, err := getGzipWriter(&buf, level)
	if err != nil {
		return nil, err
	}
	defer gzipWriters[level-gzip.HuffmanOnly].Put(zw)
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("tiles: compressing: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("tiles: compressing: %w", err)
	}
	t := &Tile{Gzip: buf.Bytes(), Size: len(raw), ETag: `"` + tag + `"`, GzipETag: `"` + tag + `-gz"`}
	t.headers = t.makeHeaders()
	return t, nil
}

// gzipWriters recycles compressors by level (HuffmanOnly..BestCompression):
// a gzip.Writer holds about a megabyte of tables, far more than a tile.
var gzipWriters [gzip.BestCompression - gzip.HuffmanOnly + 1]sync.Pool

func getGzipWriter(w io.Writer, level int) (*gzip.Writer, error) {
	if level < gzip.HuffmanOnly || level > gzip.BestCompression {
		return nil, fmt.Errorf("tiles: gzip level %d out of range", level)
	}
	if zw, ok := gzipWriters[level-gzip.HuffmanOnly].Get().(*gzip.Writer); ok {
		zw.Reset(w)
		return zw, nil
	}
	return gzip.NewWriterLevel(w, level)
}

// Key names a cached tile: a layer (empty for the combined tile) and the
// tile's address.
type Key struct {
	Layer string
	Tile  maptile.Tile
}

// Cache keeps encoded tiles. Implementations must be safe for concurrent
// use; a Get after a Purge that matched the key must miss.
type Cache interface {
	Get(k Key) (*Tile, bool)
	Set(k Key, t *Tile)
	// Purge removes every entry whose key match accepts and returns how
	// many it removed.
	Purge(match func(Key) bool) int
}

// entryOverhead approximates the memory of an LRU entry beside its bytes:
// the map slot, the list links, the key and the Tile header.
const entryOverhead = 192

// LRU is a Cache bounded by the bytes it holds; when full it drops the
// least recently used tiles.
type LRU struct {
	mu       sync.Mutex
	maxBytes int64
	bytes    int64
	items    map[Key]*lruEntry
	root     lruEntry // sentinel: root.next is the most recent
}

type lruEntry struct {
	key        Key
	tile       *Tile
	cost       int64
	prev, next *lruEntry
}

// NewLRU returns an empty LRU that holds at most maxBytes.
func NewLRU(maxBytes int64) *LRU {
	c := &LRU{maxBytes: maxBytes, items: map[Key]*lruEntry{}}
	c.root.next, c.root.prev = &c.root, &c.root
	return c
}

func (c *LRU) unlink(e *lruEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
}

func (c *LRU) pushFront(e *lruEntry) {
	e.prev = &c.root
	e.next = c.root.next
	c.root.next.prev = e
	c.root.next = e
}

// Get returns the cached tile and marks it recently used.
func (c *LRU) Get(k Key) (*Tile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return nil, false
	}
	if c.root.next != e {
		c.unlink(e)
		c.pushFront(e)
	}
	return e.tile, true
}

// Contains reports whether a tile is cached under k, without marking it
// recently used.
func (c *LRU) Contains(k Key) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.items[k]
	return ok
}

// Set stores t under k, replacing any tile there, and evicts the least
// recently used tiles until the cache fits its bound. A tile larger than
// the whole bound is not stored.
func (c *LRU) Set(k Key, t *Tile) {
	cost := int64(len(t.Gzip)+len(k.Layer)) + entryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.items[k]; ok {
		c.unlink(old)
		c.bytes -= old.cost
		delete(c.items, k)
	}
	if cost > c.maxBytes {
		return
	}
	e := &lruEntry{key: k, tile: t, cost: cost}
	c.items[k] = e
	c.pushFront(e)
	c.bytes += cost
	for c.bytes > c.maxBytes {
		last := c.root.prev
		c.unlink(last)
		c.bytes -= last.cost
		delete(c.items, last.key)
	}
}

// Purge removes the tiles whose keys match accepts.
func (c *LRU) Purge(match func(Key) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, e := range c.items {
		if match(k) {
			c.unlink(e)
			c.bytes -= e.cost
			delete(c.items, k)
			n++
		}
	}
	return n
}

// Len returns the number of cached tiles.
func (c *LRU) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Bytes returns the cost of the cached tiles, as counted against the bound.
func (c *LRU) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Keys returns the cached keys, most recently used first.
func (c *LRU) Keys() []Key {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Key, 0, len(c.items))
	for e := c.root.next; e != &c.root; e = e.next {
		out = append(out, e.key)
	}
	return out
}

// noCache is the Cache of a Service with caching turned off.
type noCache struct{}

func (noCache) Get(Key) (*Tile, bool)    { return nil, false }
func (noCache) Set(Key, *Tile)           {}
func (noCache) Purge(func(Key) bool) int { return 0 }
