// Package webhook delivers the geofence events a server produces to the
// URLs configured for them: one bounded queue per URL that never makes
// ingestion wait, batches, HMAC-SHA256 signatures (Sign), retries with
// jittered backoff that honour Retry-After, and at-least-once delivery
// while the server runs.
//
// It is the outbound HTTP client of package patrolling and may import
// geo/patrol and the standard library only; the body of a request is
// whatever its render function makes of a batch.
package webhook
