package data

import (
	"errors"
	"fmt"
	"time"
)

// Idempotency keys (PingBatch.Key, IncidentBatch.Key) belong to whoever
// sends them: a store keeps them per scope (PingBatch.Scope,
// IncidentBatch.Scope), so the same key sent by two callers names two
// batches, and nobody can make another caller's batch fail, or be
// answered as a replay, by guessing its key.
//
// The API's scope is the signed-in user's name (an empty scope on a
// server without access control, where every caller is one); the command
// line's is ScopeCommandLine. Keys committed before keys had scopes have
// the empty scope.
const ScopeCommandLine = "jingge:cli" // user names cannot hold ':', so no user shares it

// ErrKeyReused is the cause of every KeyConflict, so a layer that maps
// other conflicts of its own (a stale plan) can let it through as it is.
var ErrKeyReused = errors.New("data: an idempotency key sent with another request")

// KeyConflict is the ErrConflict of a key sent again with a different
// batch: it names the key and when it was first used, so the caller can
// tell a retry with a changed body from a key used twice.
func KeyConflict(key string, firstUsed time.Time) error {
	return &RequestError{Kind: ErrConflict, Cause: ErrKeyReused, Message: fmt.Sprintf(
		"the Idempotency-Key %q was first used at %s by a request with a different body; send a new key for a new batch, or the first body unchanged to retry it",
		key, firstUsed.UTC().Format(time.RFC3339))}
}
