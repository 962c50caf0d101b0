// Package ogc serves OGC API – Features, Part 1 (Core and GeoJSON) as a
// second face of the same data under a root of its own (/ogc), so GIS
// clients (QGIS, GDAL's OAPIF driver, ArcGIS) read the grids, stations,
// regions, townships and incidents with the token, roles and masking of
// the REST API. It owns the landing page, the conformance classes, the
// collections and their items: the documents, paging (offset for the
// index collections, the store's cursor for incidents), the f=, limit=,
// offset=, bbox=, datetime=, station= and severity= parameters, and the
// refusals of the parameters of the standard's other parts.
//
// Nothing here decides what a feature is: grids, stations and incidents
// are built by the REST handlers' own functions and filters, handed in
// through Source and Dataset by package api, which also declares each
// route's roles, audit and cache policy. It imports api/httpx, api/intake,
// data, geo and tiles, never api.
package ogc
