package tilepack

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func testMetadata(minZ, maxZ int) Metadata {
	return Metadata{Name: "test", MinZoom: minZ, MaxZoom: maxZ, CenterZoom: minZ,
		Bounds: orb.Bound{Min: orb.Point{109.1, 33.8}, Max: orb.Point{109.9, 34.4}}, Center: orb.Point{109.5, 34.1}}
}

// TestPMTilesRunsAndDuplicates writes the same content at zoom 1's four
// tiles (consecutive ids: one entry of run length 4), once more at a tile
// far from them (a second entry pointing at the same bytes) and other
// content at zoom 0, and reads every tile back.
func TestPMTilesRunsAndDuplicates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.pmtiles")
	w, err := CreatePMTiles(path)
	if err != nil {
		t.Fatal(err)
	}
	same, other := []byte("same tile"), []byte("zoom zero")
	want := map[maptile.Tile][]byte{maptile.New(0, 0, 0): other, maptile.New(3, 3, 2): same}
	for x := range uint32(2) {
		for y := range uint32(2) {
			want[maptile.New(x, y, 1)] = same
		}
	}
	for tile, data := range want {
		if err := w.WriteTile(tile, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(testMetadata(0, 2)); err != nil {
		t.Fatal(err)
	}
	r, err := OpenPMTiles(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := r.h; h.AddressedTiles != 6 || h.TileEntries != 3 || h.TileContents != 2 || !h.Clustered || h.DataLength != uint64(len(same)+len(other)) {
		t.Errorf("header counts addressed %d, entries %d, contents %d, clustered %v, data %d bytes; want 6, 3, 2, true, %d",
			h.AddressedTiles, h.TileEntries, h.TileContents, h.Clustered, h.DataLength, len(same)+len(other))
	}
	for z := range uint8(3) {
		for x := range uint32(1) << z {
			for y := range uint32(1) << z {
				got, err := r.Tile(z, x, y)
				if err != nil {
					t.Fatal(err)
				}
				if w := want[maptile.New(x, y, maptile.Zoom(z))]; !bytes.Equal(got, w) {
					t.Errorf("tile %d/%d/%d = %q, want %q", z, x, y, got, w)
				}
			}
		}
	}
	var meta map[string]any
	if b, err := r.Metadata(); err != nil || json.Unmarshal(b, &meta) != nil || meta["name"] != "test" {
		t.Errorf("metadata %v (%v)", meta, err)
	}
}

// TestPMTilesLeafDirectories writes tiles of varied sizes at scattered
// places over zoom 9, too many entries for a root directory within the
// first 16 KiB, and reads every tile of the zoom back through the leaf
// directories.
func TestPMTilesLeafDirectories(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leaves.pmtiles")
	w, err := CreatePMTiles(path)
	if err != nil {
		t.Fatal(err)
	}
	const side = 512
	hash := func(i uint32) uint32 { return i * 2654435761 }
	// A scattered half of the tiles, each of its own size and content.
	content := func(i uint32) []byte {
		h := hash(i)
		if h>>31 == 0 {
			return nil
		}
		return bytes.Repeat(binary.LittleEndian.AppendUint32(nil, h), 1+int(h%23))
	}
	for i := range uint32(side * side) {
		if c := content(i); c != nil {
			if err := w.WriteTile(maptile.New(i%side, i/side, 9), c); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Finish(testMetadata(9, 9)); err != nil {
		t.Fatal(err)
	}
	r, err := OpenPMTiles(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.h.LeafLength == 0 || r.h.RootOffset+r.h.RootLength > pmRootLimit {
		t.Fatalf("root directory ends at %d with %d bytes of leaves; want leaves and a root within %d bytes", r.h.RootOffset+r.h.RootLength, r.h.LeafLength, pmRootLimit)
	}
	for i := range uint32(side * side) {
		got, err := r.Tile(9, i%side, i/side)
		if err != nil {
			t.Fatal(err)
		}
		if want := content(i); !bytes.Equal(got, want) {
			t.Fatalf("tile 9/%d/%d = %x, want %x", i%side, i/side, got, want)
		}
	}
}
