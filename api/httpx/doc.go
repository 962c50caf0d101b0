// Package httpx is the HTTP toolkit every part of jingge's API shares: the
// problem document (RFC 9457) and the one table from error kinds to
// statuses, JSON and GeoJSON encoding, the strict reading of JSON bodies,
// Server-Sent Events framing, and the middleware that knows nothing of
// routes or roles (request ids, access log, panic recovery, body, header
// and text limits, gzip). It imports data (for the error kinds of the
// stores and application packages) and api/intake, never api itself.
package httpx
