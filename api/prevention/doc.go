// Package prevention measures the prevention work done in the grids as an
// application service: how much time officers spend down in the grids
// (下沉), derived from the patrol positions they already report, and how
// often each police grid's own officers come, against a target that
// scales with the grid's workload. The HTTP API calls it.
//
// It may import geo, geo/presence, geo/plan, data (the store interfaces
// and their errors) and api/intake (to quote a client's text and read a
// time window), and nothing above them: no HTTP, no api, no concrete
// store. Its refusals are *data.RequestError values that the API turns
// into problem documents.
package prevention
