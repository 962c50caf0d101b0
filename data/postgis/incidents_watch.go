package postgis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"jingge/data"
)

var _ data.IncidentWatcher = (*Store)(nil)

// incidentChannel is notified, inside the committing transaction, by every
// batch of incidents added; the payload is "schema origin".
const incidentChannel = "jingge_incidents"

// newOrigin returns a random id for one Store.
func newOrigin() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// incidentPayload is what this Store's incident notifications carry.
func (s *Store) incidentPayload() string { return s.schema + " " + s.origin }

// othersIncidents reports whether a notification's payload is of this
// store's schema and from another Store (another server).
func (s *Store) othersIncidents(payload string) bool {
	schema, origin, ok := strings.Cut(payload, " ")
	return ok && schema == s.schema && origin != s.origin
}

// WatchIncidents implements data.IncidentWatcher on the connection that
// Watch listens on: a batch another server commits wakes the channel;
// this Store's own batches do not (their caller knows of them). After a
// lost connection is restored the channel is woken too, since batches may
// have been missed.
func (s *Store) WatchIncidents(ctx context.Context) (<-chan struct{}, error) {
	return s.watch(ctx, s.incWatchers)
}
