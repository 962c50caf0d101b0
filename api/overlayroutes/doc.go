// Package overlayroutes is the HTTP adapter of the areas, key places and
// checkpoints: it reads their requests, asks package overlays to select,
// check and edit them, and writes them as GeoJSON. Package api mounts its
// handlers in its route table, which keeps their roles, audit and caching.
//
// It may import api/httpx, api/overlays, geo and geo/crs; never api.
package overlayroutes
