// Package overlays owns the editing and selection of what a bureau lays
// over its grids: special areas (特殊区域), key places (重点场所) and
// checkpoints (查控点). The three editors share one path: a GeoJSON
// Feature read and checked (every fault named at once, the geometry
// converted to the dataset's datum), the store's versioned write, and a
// store's refusal worded for the person who sent it. Lists share one
// filter (bbox, kind, station), which the list of grids reads too (bbox,
// level, station).
//
// It may import data, geo, geo/crs, geo/topo and api/intake, and nothing
// above them: no HTTP, no api/httpx, no api. Its refusals are
// *data.RequestError values.
package overlays
