// Package telemetry is what GET /metrics reports: a Prometheus registry of
// the server's own (never the process-wide default: two servers in one
// process, as in the tests, keep their own figures), the per-route request
// counts and durations api instruments its routes with, the traffic the
// handlers count (lookups, tile bytes, ping lag), the index in force, and
// collectors that probe the database and its change listener at each
// scrape. Labels hold route names, methods and status codes only: never a
// raw path, a query, a user or an officer, so the series stay few and
// nothing personal reaches the monitoring system.
//
// It may import api/httpx (the problems of the metrics-only listener),
// data, geo and tiles, never api: api hands it what it reads through
// Sources.
package telemetry
