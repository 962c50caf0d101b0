// Package planning is the planner as an application service: the figures
// of the deployment in force, proposals and the stored plan document
// (Document, Body), comparing plans, applying one (the officer-move rules
// of apply.go: which members follow a grid, which officers are reassigned,
// which links are dropped), response coverage, the monthly assessment and
// its CSV import, and the plan's exports (moves and stations CSV, the
// printable report). The HTTP API and the jingge command both call it.
//
// It may import geo, geo/plan, data (the store interfaces and their
// errors) and api/intake (to quote a client's text), and nothing above
// them: no HTTP, no api, no concrete store. Its refusals are
// *data.RequestError values that the API turns into problem documents and
// the command line prints; masking what a caller may not read in full is
// the API's, so documents come back as stored. Requests.go reads the
// planner's requests as they come (JSON bodies, query text).
package planning
