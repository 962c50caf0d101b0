// Package patrol turns officers' reported positions into what the command
// centre acts on: each officer's latest state (position, grid, inside or
// outside their assigned area, silent or reporting), the geofence events
// between states (a grid entered or left, the assigned area left or
// regained, reporting stopped or resumed), and nearest-officer estimates
// for dispatch.
//
// Everything here is pure and deterministic: no I/O, no clocks. The stores
// (data/memory, data/postgis) run Rules.Step and Rules.Sweep inside their
// transactions, against the officer states they hold, so an event is
// produced exactly once however many servers take pings. Board is the one
// concurrent type: the in-memory map of latest states a server keeps.
//
// Positions are in the dataset's datum, like everything in package geo.
package patrol
