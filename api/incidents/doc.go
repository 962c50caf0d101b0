// Package incidents is the application side of the incident routes: the
// Service that attributes a batch to the grids in force when each
// incident occurred and stores it (retrying when the grids change in
// between), the reading of an incident query's parameters into a store
// filter (ParseFilter), aggregation by grid, station or area over time
// (ParseAggregation, Service.Aggregate), the change of an incident's
// status (DecodePatch), the window of an incidents tile and the tile
// layer's source (ParseTileWindow, TileSource).
//
// It refuses bad input with *data.RequestError and knows no HTTP. It
// imports data, geo, geo/crs, geo/topo, tiles and the application
// packages api/intake, api/locate and api/mask, never api.
package incidents
