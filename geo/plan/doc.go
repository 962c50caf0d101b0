// Package plan gives planners their numbers and proposals: the workload of
// every grid, the figures of a deployment (which station holds which police
// grid, how many officers each station has), proposals that move officers
// and grids to even out the load per officer, response-time rings around
// stations and patrols (三层三圈), and the monthly station assessment (考评).
//
// Everything here is a pure function over geo types: no I/O, no clocks, no
// globals. A Model is built once per dataset, incident list and Config
// (NewModel) and holds what does not change between plans: per-grid
// workload, the police-grid adjacency graph with the length of every shared
// border, and incident positions. Measuring, proposing and coverage then run
// against it; a Model is immutable and safe for concurrent use.
//
// The unit of planning is the top-level grid: a police grid, or a grid with
// no parent. Community grids always move with their police grid, so a
// village is never split between stations.
//
// Errors that a caller can fix wrap ErrInvalid and carry a message meant for
// the person who made the request.
package plan
