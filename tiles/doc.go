// Package tiles serves the grids of a geo.Index as Mapbox Vector Tiles
// (MVT 2.1, extent 4096) built in process, with TileJSON 3.0 documents, a
// MapLibre style, and an in-memory cache of gzip-compressed tiles that is
// purged precisely when the index changes and can be kept filled to a zoom
// in the background (Service.Prerender).
//
// Shared borders stay shared at every zoom. A Source cuts the rings of all
// grids into arcs at their junctions (vertices where three or more distinct
// neighbouring vertices meet); each arc is stored once, simplified once per
// zoom in global tile-pixel space, quantised to whole pixels with one
// transform for the whole world, and checked for crossings; every feature of
// every layer (community grids, police grids, and the dissolved station,
// region, township and county areas) is then assembled from those same
// arcs. Two neighbours therefore meet on identical pixel vertices: no gaps,
// no overlaps, no slivers. Tiles are clipped to their bound plus a buffer;
// inside the tile proper the geometry is exactly the shared arcs, and in
// the buffer every ring stays valid as MVT 2.1 asks: a polygon that
// leaves the clip bound and comes back becomes several polygons, not one
// ring running back over itself along the buffer line.
//
// Coordinates in tiles are WGS-84 Web Mercator; a dataset in GCJ-02 or BD-09
// is converted point by point, which keeps identical vertices identical.
package tiles
