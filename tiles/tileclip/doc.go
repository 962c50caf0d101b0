// Package tileclip clips polygons in tile pixels to a tile's clip bound
// (the tile plus its buffer) so that every ring left is valid as MVT 2.1
// asks: a polygon that leaves the bound and comes back becomes several
// polygons, not one ring running back over itself along the buffer line.
// It also owns the small ring arithmetic the clipping rests on (signed
// area, the even-odd test, rounding to whole pixels).
//
// It knows nothing of tiles, layers or topology: it works on orb rings
// and bounds only, and imports orb and the standard library alone. The
// package tiles builds rings from its shared arcs and calls it; nothing
// here may import tiles.
package tileclip
