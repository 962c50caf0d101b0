package tiles

import (
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb/maptile"
)

// MaxZoom is the deepest zoom level a tile address may name.
const MaxZoom = 22

// ErrInvalidTile is wrapped by every error about a tile request the client
// got wrong: a bad zoom, column, row, extension or layer name.
var ErrInvalidTile = errors.New("tiles: invalid tile")

// CoordError says which part of a tile request is wrong and why, in words
// meant for the person who wrote the URL. It wraps ErrInvalidTile.
type CoordError struct {
	Param  string // "z", "x", "y", "ext" or "layer"
	Value  string // what was given
	Reason string // a sentence naming the allowed values
}

func (e *CoordError) Error() string {
	return fmt.Sprintf("tiles: invalid tile: %s", e.Reason)
}

// Unwrap returns ErrInvalidTile.
func (e *CoordError) Unwrap() error { return ErrInvalidTile }

// maxDigits is the longest decimal number a coordinate may have: 2^22-1
// has seven digits. Anything longer is rejected before parsing, so no input
// can overflow.
const maxDigits = 7

// parseCoord parses a non-negative decimal without sign, spaces or leading
// zeros, so each tile has exactly one address (and one cache key).
func parseCoord(s string) (uint32, bool) {
	if s == "" || len(s) > maxDigits || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var v uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint32(c-'0')
	}
	return v, true
}

// quoteShort quotes s for an error message, cut to 32 bytes so a long
// input cannot bloat the answer.
func quoteShort(s string) string {
	if len(s) > 32 {
		s = s[:32] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// ParseTile parses the parts of a tile address: zoom z from 0 to MaxZoom,
// column x and row y from 0 to 2^z-1, and the extension ext, "mvt" or "pbf"
// (with or without the leading dot). Numbers are plain decimals without
// sign or leading zeros. Every error is a *CoordError.
func ParseTile(z, x, y, ext string) (maptile.Tile, error) {
	zoom, ok := parseCoord(z)
	if !ok || zoom > MaxZoom {
		return maptile.Tile{}, &CoordError{Param: "z", Value: z,
			Reason: fmt.Sprintf("zoom z must be a whole number from 0 to %d, got %s", MaxZoom, quoteShort(z))}
	}
	limit := uint32(1) << zoom
	col, ok := parseCoord(x)
	if !ok || col >= limit {
		return maptile.Tile{}, &CoordError{Param: "x", Value: x,
			Reason: fmt.Sprintf("column x must be a whole number from 0 to %d at zoom %d, got %s", limit-1, zoom, quoteShort(x))}
	}
	row, ok := parseCoord(y)
	if !ok || row >= limit {
		return maptile.Tile{}, &CoordError{Param: "y", Value: y,
			Reason: fmt.Sprintf("row y must be a whole number from 0 to %d at zoom %d, got %s", limit-1, zoom, quoteShort(y))}
	}
	if e := strings.TrimPrefix(ext, "."); e != "mvt" && e != "pbf" {
		return maptile.Tile{}, &CoordError{Param: "ext", Value: ext,
			Reason: fmt.Sprintf("the tile extension must be .mvt or .pbf, got %s", quoteShort(ext))}
	}
	return maptile.New(col, row, maptile.Zoom(zoom)), nil
}

// ParsePath parses a tile address written "z/x/y.mvt" (or ".pbf"), as it
// follows a layer name in a tile URL. Every error is a *CoordError.
func ParsePath(p string) (maptile.Tile, error) {
	parts := strings.Split(p, "/")
	if len(parts) != 3 {
		return maptile.Tile{}, &CoordError{Param: "z", Value: p,
			Reason: fmt.Sprintf("a tile address is z/x/y.mvt, got %s", quoteShort(p))}
	}
	y, ext, found := strings.Cut(parts[2], ".")
	if !found {
		return maptile.Tile{}, &CoordError{Param: "ext", Value: parts[2],
			Reason: fmt.Sprintf("the tile needs an extension, .mvt or .pbf: got %s", quoteShort(parts[2]))}
	}
	return ParseTile(parts[0], parts[1], y, "."+ext)
}

// Path formats t as "z/x/y.mvt", the canonical address ParsePath reads.
func Path(t maptile.Tile) string {
	return fmt.Sprintf("%d/%d/%d.mvt", t.Z, t.X, t.Y)
}
