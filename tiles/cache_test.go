package tiles

import (
	"bytes"
	"compress/gzip"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/paulmach/orb/maptile"
)

func tileOfSize(n int) *Tile { return &Tile{Gzip: make([]byte, n), Size: n} }

func key(x uint32) Key { return Key{Layer: "l", Tile: maptile.New(x, 0, 5)} }

// TestLRUEvictsByBytes checks the bound counts bytes and evicts the least
// recently used tile first.
func TestLRUEvictsByBytes(t *testing.T) {
	cost := int64(1000 + len("l") + entryOverhead)
	c := NewLRU(3 * cost)
	for x := range uint32(3) {
		c.Set(key(x), tileOfSize(1000))
	}
	if c.Len() != 3 || c.Bytes() != 3*cost {
		t.Fatalf("len %d bytes %d", c.Len(), c.Bytes())
	}
	c.Get(key(0)) // 1 is now the least recently used
	c.Set(key(3), tileOfSize(1000))
	if _, ok := c.Get(key(1)); ok {
		t.Error("tile 1 should have been evicted")
	}
	for _, x := range []uint32{0, 2, 3} {
		if _, ok := c.Get(key(x)); !ok {
			t.Errorf("tile %d evicted", x)
		}
	}
	c.Set(key(9), tileOfSize(10*1000)) // larger than the bound: not stored
	if _, ok := c.Get(key(9)); ok || c.Len() != 3 {
		t.Errorf("oversized tile stored; len %d", c.Len())
	}
	c.Set(key(0), tileOfSize(10)) // replacing updates the byte count
	if want := 2*cost + 10 + 1 + entryOverhead; c.Bytes() != want {
		t.Errorf("bytes %d, want %d", c.Bytes(), want)
	}
	if n := c.Purge(func(k Key) bool { return k.Tile.X >= 2 }); n != 2 || c.Len() != 1 {
		t.Errorf("purged %d, left %d", n, c.Len())
	}
}

// TestLRUConcurrent hammers the cache from several goroutines (run with
// -race to check the locking).
func TestLRUConcurrent(t *testing.T) {
	c := NewLRU(50 * (100 + entryOverhead))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				k := key(uint32((i * (g + 1)) % 97))
				if _, ok := c.Get(k); !ok {
					c.Set(k, tileOfSize(100))
				}
				if i%500 == 0 {
					c.Purge(func(k Key) bool { return k.Tile.X%2 == 0 })
				}
			}
		}()
	}
	wg.Wait()
	if c.Bytes() > 50*(100+entryOverhead+1) {
		t.Errorf("bytes %d over the bound", c.Bytes())
	}
}

func TestNewTileRoundTrip(t *testing.T) {
	raw := bytes.Repeat([]byte("jingge"), 1000)
	tile, err := NewTile(raw, gzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tile.Raw()
	if err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("round trip: %v", err)
	}
	other, _ := NewTile(append(raw, '!'), gzip.BestSpeed)
	if other.ETag == tile.ETag {
		t.Error("different content, same tag")
	}
	// Raw reuses its readers: tiles in turn still inflate to their own bytes.
	for i := 0; i < 3; i++ {
		if got, err := other.Raw(); err != nil || !bytes.Equal(got, append(raw, '!')) {
			t.Fatalf("round trip %d of another tile: %v", i, err)
		}
	}
	// A stream that does not match its recorded size, or whose checksum
	// fails, is an error, not a short or corrupt tile.
	long := *tile
	long.Size--
	if _, err := long.Raw(); err == nil {
		t.Error("a stream longer than its size inflated without an error")
	}
	bad := *tile
	bad.Gzip = bytes.Clone(tile.Gzip)
	bad.Gzip[len(bad.Gzip)-5] ^= 0xff // inside the CRC-32 trailer
	if _, err := bad.Raw(); err == nil {
		t.Error("a stream with a bad checksum inflated without an error")
	}
	same, _ := NewTile(bytes.Clone(raw), gzip.BestCompression)
	if same.ETag != tile.ETag {
		t.Error("the tag must depend on the content only")
	}
	if empty, _ := NewTile(nil, 0); !empty.Empty() {
		t.Error("nil content is not an empty tile")
	}
}

// TestTileHeaders checks each representation's header values: the gzip
// one's tag and length are the compressed bytes', the raw one's the MVT's,
// and a tile made without NewTile answers the same.
func TestTileHeaders(t *testing.T) {
	raw := bytes.Repeat([]byte("grid 警格 "), 200)
	tile, err := NewTile(raw, DefaultGzipLevel)
	if err != nil {
		t.Fatal(err)
	}
	want := [2]Headers{
		{ETag: []string{tile.ETag}, ContentLength: []string{strconv.Itoa(len(raw))}},
		{ETag: []string{tile.GzipETag}, ContentLength: []string{strconv.Itoa(len(tile.Gzip))}},
	}
	literal := &Tile{Gzip: tile.Gzip, Size: tile.Size, ETag: tile.ETag, GzipETag: tile.GzipETag}
	for i, gz := range []bool{false, true} {
		for name, tl := range map[string]*Tile{"NewTile": tile, "literal": literal} {
			got := tl.Headers(gz)
			if !slices.Equal(got.ETag, want[i].ETag) || !slices.Equal(got.ContentLength, want[i].ContentLength) {
				t.Errorf("%s, gzip %v: headers %+v, want %+v", name, gz, got, want[i])
			}
			if cap(got.ETag) != 1 || cap(got.ContentLength) != 1 {
				t.Errorf("%s, gzip %v: capacities %d, %d; an Add would write into the shared array", name, gz, cap(got.ETag), cap(got.ContentLength))
			}
		}
	}
	if h := (&Tile{}).Headers(true); h.ETag != nil || h.ContentLength != nil {
		t.Errorf("empty tile: headers %+v, want none", h)
	}
}
