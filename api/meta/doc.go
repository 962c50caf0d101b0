// Package meta is what the server says about itself and the dataset it
// serves: the health and readiness documents (/healthz, /readyz), the
// answer of a server still starting (Starting, before its api.Server
// exists), the dataset's description (/api/v1/dataset) and its terrain
// regions (/api/v1/regions). The documents are built from a geo.Index; api
// keeps the handlers that pick the index in force and send them.
//
// It imports api/httpx (Starting's problems and middleware), data and geo,
// never api.
package meta
