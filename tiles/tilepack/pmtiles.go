package tilepack

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/paulmach/orb/maptile"
)

// The PMTiles v3 constants this writer uses.
const (
	pmHeaderLen   = 127
	pmRootLimit   = 16384 // header and root directory must fit in this
	pmGzip        = 2     // the compression enum's gzip
	pmMVT         = 1     // the tile type enum's MVT
	pmFirstLeaves = 4096  // entries per leaf directory, doubled until the root fits
)

// PMTiles writes a PMTiles v3 file: header, root directory, JSON metadata,
// leaf directories when the root would pass 16 KiB, then the tile data in
// tile id (Hilbert) order, so the file is clustered. Directories and
// metadata are gzip-compressed, tiles are the gzip-compressed MVT as
// served. Identical tiles are stored once, and a run of consecutive tile
// ids with the same content is one entry (the spec's run length).
//
// Tiles arrive in any order; they are appended to a temporary file as
// they come and copied in tile id order on Finish into a second temporary
// file beside the target, which is then renamed into place.
type PMTiles struct {
	path    string
	blobs   *os.File // tiles as they came
	blobEnd int64
	seen    map[[32]byte]blob
	tiles   []placed
}

// blob is a tile's content in the blobs file.
type blob struct {
	off    int64
	length uint32
}

// placed is one tile: its id and its content.
type placed struct {
	id uint64
	blob
}

// pmEntry is a directory entry as the spec defines it; RunLength 0 points
// at a leaf directory.
type pmEntry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// CreatePMTiles starts a PMTiles file at path, replacing any file there
// once finished.
func CreatePMTiles(path string) (*PMTiles, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tiles.*")
	if err != nil {
		return nil, fmt.Errorf("tilepack: %w", err)
	}
	return &PMTiles{path: path, blobs: f, seen: map[[32]byte]blob{}}, nil
}

// WriteTile keeps one tile; the same content twice is kept once.
func (p *PMTiles) WriteTile(t maptile.Tile, data []byte) error {
	if len(data) == 0 || len(data) > math.MaxUint32 {
		return fmt.Errorf("tilepack: tile %d/%d/%d has %d bytes", t.Z, t.X, t.Y, len(data))
	}
	sum := sha256.Sum256(data)
	b, ok := p.seen[sum]
	if !ok {
		if _, err := p.blobs.Write(data); err != nil {
			return fmt.Errorf("tilepack: %w", err)
		}
		b = blob{off: p.blobEnd, length: uint32(len(data))}
		p.blobEnd += int64(len(data))
		p.seen[sum] = b
	}
	p.tiles = append(p.tiles, placed{id: TileID(uint8(t.Z), t.X, t.Y), blob: b})
	return nil
}

// Finish lays out and writes the file and moves it into place.
func (p *PMTiles) Finish(md Metadata) error {
	slices.SortFunc(p.tiles, func(a, b placed) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	// Each content's place in the data section: where its first tile in
	// id order puts it.
	at := map[int64]uint64{}
	var order []blob
	var dataLen uint64
	var entries []pmEntry
	for i, t := range p.tiles {
		if i > 0 && t.id == p.tiles[i-1].id {
			return fmt.Errorf("tilepack: tile id %d written twice", t.id)
		}
		off, ok := at[t.off]
		if !ok {
			off = dataLen
			at[t.off] = off
			order = append(order, t.blob)
			dataLen += uint64(t.length)
		}
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.Offset == off && last.TileID+uint64(last.RunLength) == t.id {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, pmEntry{TileID: t.id, Offset: off, Length: t.length, RunLength: 1})
	}
	if len(entries) == 0 {
		return errors.New("tilepack: no tile holds any feature: nothing to write (check --bbox, --layers and the zooms)")
	}
	root, leaves, err := pmDirectories(entries)
	if err != nil {
		return err
	}
	meta, err := pmMetadata(md)
	if err != nil {
		return err
	}

	h := pmHeader{
		RootOffset: pmHeaderLen, RootLength: uint64(len(root)),
		MetadataOffset: pmHeaderLen + uint64(len(root)), MetadataLength: uint64(len(meta)),
		AddressedTiles: uint64(len(p.tiles)), TileEntries: uint64(len(entries)), TileContents: uint64(len(order)),
		Clustered: true, InternalCompression: pmGzip, TileCompression: pmGzip, TileType: pmMVT,
		MinZoom: uint8(md.MinZoom), MaxZoom: uint8(md.MaxZoom), CenterZoom: uint8(md.CenterZoom),
		MinLonE7: e7(md.Bounds.Min[0]), MinLatE7: e7(md.Bounds.Min[1]), MaxLonE7: e7(md.Bounds.Max[0]), MaxLatE7: e7(md.Bounds.Max[1]),
		CenterLonE7: e7(md.Center[0]), CenterLatE7: e7(md.Center[1]),
	}
	h.LeafOffset = h.MetadataOffset + h.MetadataLength
	h.LeafLength = uint64(len(leaves))
	h.DataOffset = h.LeafOffset + h.LeafLength
	h.DataLength = dataLen

	out, err := os.CreateTemp(filepath.Dir(p.path), "."+filepath.Base(p.path)+".*")
	if err != nil {
		return fmt.Errorf("tilepack: %w", err)
	}
	defer os.Remove(out.Name()) // after the rename there is nothing to remove
	err = p.writeFile(out, h, root, meta, leaves, order)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncFile(out.Name())
	}
	if err == nil {
		err = os.Rename(out.Name(), p.path)
	}
	if err != nil {
		return fmt.Errorf("tilepack: writing %s: %w", p.path, err)
	}
	return p.Abort()
}

// writeFile writes the sections in order, copying the tile contents from
// the blobs file in data-section order.
func (p *PMTiles) writeFile(out *os.File, h pmHeader, root, meta, leaves []byte, order []blob) error {
	for _, part := range [][]byte{h.encode(), root, meta, leaves} {
		if _, err := out.Write(part); err != nil {
			return err
		}
	}
	var buf []byte
	for _, b := range order {
		buf = slices.Grow(buf[:0], int(b.length))[:b.length]
		if _, err := p.blobs.ReadAt(buf, b.off); err != nil {
			return err
		}
		if _, err := out.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// Abort removes the temporary tile file.
func (p *PMTiles) Abort() error {
	name := p.blobs.Name()
	p.blobs.Close()
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("tilepack: %w", err)
	}
	return nil
}

// pmDirectories serialises the entries as one root directory when it fits
// in the first 16 KiB, else as leaf directories of pmFirstLeaves entries
// (doubled until the root listing them fits).
func pmDirectories(entries []pmEntry) (root, leaves []byte, err error) {
	if root, err = pmDirectory(entries); err != nil || pmHeaderLen+len(root) <= pmRootLimit {
		return root, nil, err
	}
	for size := pmFirstLeaves; ; size *= 2 {
		var refs []pmEntry
		leaves = leaves[:0]
		for chunk := range slices.Chunk(entries, size) {
			leaf, err := pmDirectory(chunk)
			if err != nil {
				return nil, nil, err
			}
			refs = append(refs, pmEntry{TileID: chunk[0].TileID, Offset: uint64(len(leaves)), Length: uint32(len(leaf))})
			leaves = append(leaves, leaf...)
		}
		if root, err = pmDirectory(refs); err != nil {
			return nil, nil, err
		}
		if pmHeaderLen+len(root) <= pmRootLimit {
			return root, leaves, nil
		}
	}
}

// pmDirectory serialises a directory as the spec says: the entry count,
// then the tile ids as deltas, the run lengths, the lengths, and the
// offsets (0 when an entry follows the previous one's content, else
// offset+1), all as varints, gzip-compressed.
func pmDirectory(entries []pmEntry) ([]byte, error) {
	b := binary.AppendUvarint(nil, uint64(len(entries)))
	var last uint64
	for _, e := range entries {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	for i, e := range entries {
		if i > 0 && e.Offset == entries[i-1].Offset+uint64(entries[i-1].Length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
	}
	return gzipBytes(b)
}

// pmMetadata is the JSON metadata: TileJSON's descriptive fields and
// vector_layers, gzip-compressed.
func pmMetadata(md Metadata) ([]byte, error) {
	j, err := json.Marshal(map[string]any{
		"name": md.Name, "description": md.Description, "attribution": md.Attribution,
		"version": md.Version, "type": "overlay", "vector_layers": md.VectorLayers,
	})
	if err != nil {
		return nil, fmt.Errorf("tilepack: %w", err)
	}
	return gzipBytes(j)
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("tilepack: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("tilepack: %w", err)
	}
	return buf.Bytes(), nil
}

// e7 is a longitude or latitude as the header stores it.
func e7(v float64) int32 { return int32(math.Round(v * 1e7)) }

// pmHeader is the fixed 127-byte header.
type pmHeader struct {
	RootOffset, RootLength         uint64
	MetadataOffset, MetadataLength uint64
	LeafOffset, LeafLength         uint64
	DataOffset, DataLength         uint64
	AddressedTiles, TileEntries    uint64
	TileContents                   uint64
	Clustered                      bool
	InternalCompression            uint8
	TileCompression                uint8
	TileType                       uint8
	MinZoom, MaxZoom               uint8
	MinLonE7, MinLatE7             int32
	MaxLonE7, MaxLatE7             int32
	CenterZoom                     uint8
	CenterLonE7, CenterLatE7       int32
}

// encode lays the header out little-endian at the spec's offsets.
func (h pmHeader) encode() []byte {
	b := make([]byte, 0, pmHeaderLen)
	b = append(b, "PMTiles"...)
	b = append(b, 3)
	for _, v := range []uint64{h.RootOffset, h.RootLength, h.MetadataOffset, h.MetadataLength, h.LeafOffset, h.LeafLength,
		h.DataOffset, h.DataLength, h.AddressedTiles, h.TileEntries, h.TileContents} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	clustered := uint8(0)
	if h.Clustered {
		clustered = 1
	}
	b = append(b, clustered, h.InternalCompression, h.TileCompression, h.TileType, h.MinZoom, h.MaxZoom)
	for _, v := range []int32{h.MinLonE7, h.MinLatE7, h.MaxLonE7, h.MaxLatE7} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	b = append(b, h.CenterZoom)
	b = binary.LittleEndian.AppendUint32(b, uint32(h.CenterLonE7))
	b = binary.LittleEndian.AppendUint32(b, uint32(h.CenterLatE7))
	return b
}
