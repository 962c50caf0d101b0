package tilepack

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// PMTilesReader reads tiles from a PMTiles v3 file with gzip-compressed
// directories, as this package writes them; it is how the exports are
// checked, and a small reader for tools.
type PMTilesReader struct {
	f    *os.File
	h    pmHeader
	root []pmEntry
	// leaves keeps the leaf directories read, by offset: tiles are read
	// in runs from the same leaf.
	leaves map[uint64][]pmEntry
}

// OpenPMTiles opens a PMTiles file and reads its header and root
// directory.
func OpenPMTiles(path string) (*PMTilesReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tilepack: %w", err)
	}
	r := &PMTilesReader{f: f, leaves: map[uint64][]pmEntry{}}
	buf := make([]byte, pmHeaderLen)
	if _, err := f.ReadAt(buf, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("tilepack: reading the header of %s: %w", path, err)
	}
	if r.h, err = decodeHeader(buf); err != nil {
		f.Close()
		return nil, err
	}
	if r.root, err = r.directory(r.h.RootOffset, r.h.RootLength); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// Close closes the file.
func (r *PMTilesReader) Close() error { return r.f.Close() }

// Metadata returns the JSON metadata, decompressed.
func (r *PMTilesReader) Metadata() ([]byte, error) {
	return r.section(r.h.MetadataOffset, r.h.MetadataLength)
}

// Tile returns tile z/x/y as stored (gzip-compressed MVT), or nil when the
// file does not hold it. Not safe for concurrent use.
func (r *PMTilesReader) Tile(z uint8, x, y uint32) ([]byte, error) {
	id := TileID(z, x, y)
	dir := r.root
	for depth := 0; depth < 4; depth++ {
		// The last entry starting at or before id.
		i := sort.Search(len(dir), func(i int) bool { return dir[i].TileID > id }) - 1
		if i < 0 {
			return nil, nil
		}
		e := dir[i]
		if e.RunLength == 0 {
			leaf, ok := r.leaves[e.Offset]
			if !ok {
				var err error
				if leaf, err = r.directory(r.h.LeafOffset+e.Offset, uint64(e.Length)); err != nil {
					return nil, err
				}
				r.leaves[e.Offset] = leaf
			}
			dir = leaf
			continue
		}
		if id >= e.TileID+uint64(e.RunLength) {
			return nil, nil
		}
		buf := make([]byte, e.Length)
		if _, err := r.f.ReadAt(buf, int64(r.h.DataOffset+e.Offset)); err != nil {
			return nil, fmt.Errorf("tilepack: reading tile %d/%d/%d: %w", z, x, y, err)
		}
		return buf, nil
	}
	return nil, errors.New("tilepack: leaf directories nested too deep")
}

// section reads and gunzips length bytes at off.
func (r *PMTilesReader) section(off, length uint64) ([]byte, error) {
	buf := make([]byte, length)
	if _, err := r.f.ReadAt(buf, int64(off)); err != nil {
		return nil, fmt.Errorf("tilepack: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(buf))
	if err != nil {
		return nil, fmt.Errorf("tilepack: %w", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("tilepack: %w", err)
	}
	return out, nil
}

// directory reads the directory at off, the inverse of pmDirectory.
func (r *PMTilesReader) directory(off, length uint64) ([]pmEntry, error) {
	b, err := r.section(off, length)
	if err != nil {
		return nil, err
	}
	return decodeDirectory(b)
}

func decodeDirectory(b []byte) ([]pmEntry, error) {
	rd := bytes.NewReader(b)
	var err error
	next := func() uint64 {
		v, e := binary.ReadUvarint(rd)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	n := next()
	if err != nil || n == 0 || n > uint64(len(b)) {
		return nil, fmt.Errorf("tilepack: a directory of %d entries is not valid", n)
	}
	entries := make([]pmEntry, n)
	var id uint64
	for i := range entries {
		id += next()
		entries[i].TileID = id
	}
	for i := range entries {
		entries[i].RunLength = uint32(next())
	}
	for i := range entries {
		entries[i].Length = uint32(next())
	}
	for i := range entries {
		v := next()
		if v == 0 && i > 0 {
			entries[i].Offset = entries[i-1].Offset + uint64(entries[i-1].Length)
		} else {
			entries[i].Offset = v - 1
		}
	}
	if err != nil {
		return nil, fmt.Errorf("tilepack: reading a directory: %w", err)
	}
	return entries, nil
}

func decodeHeader(b []byte) (pmHeader, error) {
	var h pmHeader
	if len(b) < pmHeaderLen || string(b[:7]) != "PMTiles" || b[7] != 3 {
		return h, errors.New("tilepack: not a PMTiles v3 file")
	}
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8+8*i:]) }
	h.RootOffset, h.RootLength, h.MetadataOffset, h.MetadataLength = u(0), u(1), u(2), u(3)
	h.LeafOffset, h.LeafLength, h.DataOffset, h.DataLength = u(4), u(5), u(6), u(7)
	h.AddressedTiles, h.TileEntries, h.TileContents = u(8), u(9), u(10)
	h.Clustered = b[96] == 1
	h.InternalCompression, h.TileCompression, h.TileType, h.MinZoom, h.MaxZoom = b[97], b[98], b[99], b[100], b[101]
	i := func(at int) int32 { return int32(binary.LittleEndian.Uint32(b[at:])) }
	h.MinLonE7, h.MinLatE7, h.MaxLonE7, h.MaxLatE7 = i(102), i(106), i(110), i(114)
	h.CenterZoom, h.CenterLonE7, h.CenterLatE7 = b[118], i(119), i(123)
	if h.InternalCompression != pmGzip {
		return h, fmt.Errorf("tilepack: directories compressed with method %d; this reader takes gzip (2)", h.InternalCompression)
	}
	return h, nil
}
