// Package locate answers "which grid, which station, who is responsible
// here": a point lookup against the index in force, with the fields a
// client selects and the special areas and key places it asks to include
// (Locator.Lookup, Select, AddOverlays); the batch lookup of many points
// from GeoJSON or a compact list (ParseBatch, Locator.LookupBatch). The
// answers are the documents GET and POST /api/v1/lookup send and `jingge
// lookup` prints.
//
// It refuses bad input with *data.RequestError and a point outside every
// grid with *OutsideError; it knows no HTTP. It imports data, geo,
// geo/crs, api/intake (the shared decoding of positions) and api/mask,
// never api.
package locate
