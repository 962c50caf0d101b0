package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
)

// AnswerKey is the Idempotency-Key of a write whose answer the store
// keeps with it (grid edits, plan applies, assessment entries, changes of
// tasks and disputes): a write that returned an error may still have
// committed (a failover, a cut connection, a phone that lost its signal),
// so a client retries it under the same key and gets the first answer
// instead of a second write. Keys are per scope, as batch
// keys are (ScopeCommandLine).
type AnswerKey struct {
	Scope string
	Key   string
	// Digest fingerprints the request as sent (route and body): the same
	// key with another digest is a KeyConflict, never a replay.
	Digest []byte
}

// Answer is what a keyed write answered, kept by the store in the same
// commit as the write so a replay answers it byte for byte.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
	// At is when the key was first used; set by the store.
	At time.Time
}

// AnswerStore finds the answers kept under AnswerKeys.
type AnswerStore interface {
	// Answered returns the answer kept under k's scope and key. It
	// returns an error wrapping ErrNotFound when none is kept, and a
	// KeyConflict when the key was used with another digest.
	Answered(ctx context.Context, k AnswerKey) (Answer, error)
}

// MatchAnswer is the result of a keyed write that found its key already
// used, for stores: a *Replay carrying kept when digest is the key's,
// else a KeyConflict.
func MatchAnswer(k AnswerKey, digest []byte, kept Answer) error {
	if !bytes.Equal(k.Digest, digest) {
		return KeyConflict(k.Key, kept.At)
	}
	return &Replay{Answer: kept}
}

// Replay is the error of a keyed write whose key was committed before
// with the same request: nothing new was written, and Answer is the first
// answer, which the caller sends again. It is an error so it passes back
// through the layers between the store and the adapter unchanged.
type Replay struct{ Answer Answer }

func (r *Replay) Error() string {
	return fmt.Sprintf("data: the request was made before and answered %d; nothing new was stored", r.Answer.Status)
}

// AsReplay returns the Replay in err's chain, if any.
func AsReplay(err error) (*Replay, bool) {
	var r *Replay
	ok := errors.As(err, &r)
	return r, ok
}

// IsKeyed reports whether err is the answer of a store to a used key: a
// Replay or a KeyConflict. Layers that turn a store's errors into their
// own pass these through unchanged.
func IsKeyed(err error) bool {
	_, ok := AsReplay(err)
	return ok || errors.Is(err, ErrKeyReused)
}

// CheckAnswerKey reports a key that is too long or not printable ASCII,
// by the rules of batch keys.
func CheckAnswerKey(k *AnswerKey) error {
	if k == nil {
		return nil
	}
	if k.Key == "" {
		return userError(ErrInvalid, "the idempotency key is empty")
	}
	return CheckBatchKey(k.Key)
}
