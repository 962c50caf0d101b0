package data

import (
	"crypto/sha256"
	"fmt"
	"jingge/geo"
	"math"
	"time"
)

// ErrStaleAttribution is the conflict of a batch attributed on a map the
// grids have since left: attributing it again and retrying succeeds. It
// wraps ErrConflict.
var ErrStaleAttribution = fmt.Errorf("%w: the grids changed after the incidents were attributed", ErrConflict)

// IncidentBatch is a batch of new incidents.
type IncidentBatch struct {
	Incidents []geo.Incident
	// Key, when not empty, makes the write idempotent: a batch sent again
	// with the key of one already committed (because the caller never
	// heard back: a timeout, a 503 after the commit) is not stored again;
	// AddIncidents returns the first call's ids with Replayed set. The same
	// key with other incidents is ErrConflict (see KeyConflict). At most
	// MaxBatchKeyBytes.
	Key string
	// Scope is whose key Key is (see ScopeCommandLine): keys of two scopes
	// never meet.
	Scope string
	// GridsAsOf is the start of the newest grid epoch the attribution knew
	// of (Attributor.Attribute sets it). When the store knows of a newer
	// epoch that began before some incident of the batch occurred, that
	// incident may have been placed on an outdated map: ErrConflict. Zero
	// skips this check.
	GridsAsOf time.Time
}

// CheckGridsAsOf returns ErrConflict when epochs (the store's, as from
// GridEpochs) hold an epoch newer than asOf that began at or before the
// occurrence of an incident of batch.
func CheckGridsAsOf(epochs []time.Time, asOf time.Time, batch []geo.Incident) error {
	if asOf.IsZero() || len(epochs) == 0 || !epochs[len(epochs)-1].After(asOf) {
		return nil
	}
	latest := batch[0].OccurredAt
	for i := range batch {
		if batch[i].OccurredAt.After(latest) {
			latest = batch[i].OccurredAt
		}
	}
	for _, e := range epochs {
		if e.After(asOf) && !e.After(latest) {
			return userError(ErrStaleAttribution, "the grids changed at %s, after the batch was attributed; attribute it again and retry", e.Format(time.RFC3339Nano))
		}
	}
	return nil
}

// MaxBatchKeyBytes bounds IncidentBatch.Key.
const MaxBatchKeyBytes = 200

// AddResult is what AddIncidents committed.
type AddResult struct {
	IDs []string // in the batch's order
	// Replayed reports that the batch's key was committed before and
	// nothing new was stored.
	Replayed bool
}

// CheckBatchKey reports a key that is too long or not printable ASCII.
func CheckBatchKey(key string) error {
	if len(key) > MaxBatchKeyBytes {
		return userError(ErrInvalid, "the idempotency key is %d bytes long; at most %d", len(key), MaxBatchKeyBytes)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return userError(ErrInvalid, "the idempotency key must be printable ASCII without spaces")
		}
	}
	return nil
}

// BatchDigest fingerprints what a batch says (times, categories, places,
// text), not how it was attributed or which ids it got, so a batch sent
// again under its key can be told from a different one.
func BatchDigest(batch []geo.Incident) []byte {
	h := sha256.New()
	for i := range batch {
		x := &batch[i]
		fmt.Fprintf(h, "%d|%d|%s|%d|%s|%t|%x|%x|%q|%q\n", x.OccurredAt.UnixMicro(), x.ReportedAt.UnixMicro(), x.Category, x.Severity,
			x.Status, x.Cleared, math.Float64bits(x.Location[0]), math.Float64bits(x.Location[1]), x.Source, x.Summary)
	}
	return h.Sum(nil)
}
