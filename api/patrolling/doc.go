// Package patrolling is the live side of patrols as an application
// service: it reads and checks the ping batches officers' devices post
// (ReadPings, Service.Check, Service.Record), keeps the board of the
// latest officer states and follows the store to keep it current
// (Service.Run), declares silent officers and unvisited grids on its
// sweeps, fans the geofence events out to stream clients (Hub) and to
// webhooks, replays and resumes event streams (Service.StreamEvents),
// sends the positions stream (Service.StreamPositions), ranks officers
// for dispatch, and builds the documents of all of these (Event,
// PatrolProperties, PatrolFrame, TrackProperties, OfficerCandidate).
//
// It may import geo, geo/*, tiles, data (the store interfaces and their
// errors), api/intake (the shared field readers), api/prevention (the
// grids' last visits) and its own webhook package, and nothing above
// them: no net/http server code, no api/httpx, no api. Streams write to a
// Sink, which the API's Server-Sent Events writer satisfies. Its refusals
// are *data.RequestError values that the API turns into problem
// documents.
package patrolling
