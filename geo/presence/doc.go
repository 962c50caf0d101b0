// Package presence measures how much time officers spend down in the
// grids (下沉) from the patrol positions they already report, with no new
// input: the time each officer spends in each grid per day, and per police
// grid the stays of its own officers (visits), the last of them, and how
// often they come against a target that scales with the grid's workload.
//
// A ping stands for the time until the officer's next ping, but never for
// more than Options.MaxGap: a phone that falls silent for longer leaves the
// rest of the gap unknown, not spent where it was last seen. Everything
// here is pure and deterministic (no I/O, no clocks); the Summarizer takes
// pings in chunks, so a caller can stream a month of them from a store
// without holding them all.
//
// Positions are attributed before they reach this package (geo.Ping.GridID,
// the finest grid holding the ping, see patrol.Attribute); grids are those
// of the index given to New, and a grid id the index does not know (a grid
// since retired) is kept as it is, with no police grid above it.
package presence
