// Package tilepack writes the vector tiles a tiles.Service serves into one
// file for systems that cannot reach the server: MBTiles 1.3 (an SQLite
// database, read by GDAL, QGIS and most tile servers) and PMTiles v3 (one
// file read by byte ranges, by MapLibre through the pmtiles library).
//
// Export renders every tile of the grids' pyramid over the chosen zooms
// through Service.Tile, the call the server's tile routes make, on as many
// goroutines as there are processors, and hands each non-empty tile's
// gzip-compressed bytes to a Writer: a packaged tile is, byte for byte,
// the body the server sends with Content-Encoding: gzip. Empty tiles (the
// server's 204) are left out, as both formats expect.
package tilepack
