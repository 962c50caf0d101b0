package memory

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"jingge/data"
	"jingge/data/memory/worktable"
)

// workKind is one kind of prevention record (visits, disputes, tasks) as
// the store keeps it in a worktable.Table: besides the table's order and
// numbering, how the record is checked, how its times are kept, and the
// journal record that adds it. Its methods are on a zero-size type.
type workKind[T any] interface {
	worktable.Kind[T]
	// check is the record's data.CheckX. It and keep take and return
	// records by value: a pointer passed to a type parameter's method
	// escapes, and would cost every add an allocation.
	check(T) error
	// keep returns v with the recording time set to now when it is unset
	// and every time rounded as the store keeps times (storeTime).
	keep(v T, now time.Time) T
	// addEntry is the journal record of an add: the record with its id
	// and recording time, and its key.
	addEntry(stored T, scope, key string, digest []byte) (recordKind, any)
}

// patchableKind is a workKind whose records change after they are added
// (disputes, tasks).
type patchableKind[T any] interface {
	workKind[T]
	// updateEntry is the journal record of a change: the record as it is
	// after it.
	updateEntry(next T) (recordKind, any)
	// keyedUpdateEntry is the journal record of a change made under an
	// idempotency key: the record as it is after it, and the answer kept
	// under the key, replayed together.
	keyedUpdateEntry(next T, answer *answerRecord) (recordKind, any)
}

// addWork checks v, keeps its times and stores it in t under the next id
// and the write's key, journaled before it returns; or it returns the
// record first stored under the key (replayed) once that record is on
// disk, or a conflict when the key came with another request. keyDigest
// is the write's KeyDigest.
func addWork[T any, K workKind[T]](ctx context.Context, s *Store, t *worktable.Table[T, K], v T, scope, key string, keyDigest func() []byte) (_ T, replayed bool, err error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, false, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	if err := data.CheckBatchKey(key); err != nil {
		return zero, false, err
	}
	var k K
	if err := k.check(v); err != nil {
		return zero, false, fmt.Errorf("memory: %w", err)
	}
	v = k.keep(v, s.now())
	var digest []byte
	if key != "" {
		digest = keyDigest()
	}
	t.Mu.Lock()
	defer t.Mu.Unlock()
	stored, replayed, seq, err := t.AddLocked(v, scope, key, digest)
	if err != nil {
		return zero, false, fmt.Errorf("memory: add %s: %w", k.Name(), err)
	}
	if replayed {
		tk = replayTicket(seq)
		return stored, true, nil
	}
	tk = s.jr.log(k.addEntry(stored, scope, key, digest))
	t.KeepKeyLocked(scope, key, digest, tk.keySeq())
	return stored, false, nil
}

// updateWork changes the record of t with id by apply, which returns it
// changed and checked, and journals the change before it returns. An id
// t does not hold is data.ErrNotFound. With a key, the key is looked up
// first (a kept one is a data.Replay or a KeyConflict, whatever became of
// the record since), and the answer built from the changed record is
// journaled in the change's record and kept with it.
func updateWork[T any, K patchableKind[T]](ctx context.Context, s *Store, t *worktable.Table[T, K], id string, key *data.AnswerKey, answer func(T) data.Answer, apply func(cur T) (T, error)) (_ T, err error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if err := checkKeyed(key, answer != nil); err != nil {
		return zero, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	if key != nil {
		// The kept answers are guarded by s.mu, which is taken before a
		// table's lock, as Compact and Dump take them; holding it to the
		// end keeps another write under the same key from landing between
		// the look-up and the keep.
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.usedKeyLocked(key, &tk); err != nil {
			return zero, err
		}
	}
	t.Mu.Lock()
	defer t.Mu.Unlock()
	cur := workByIDLocked(t, id)
	if cur == nil {
		return zero, noWork[T, K](id)
	}
	next, err := apply(*cur)
	if err != nil {
		return zero, fmt.Errorf("memory: %w", err)
	}
	*cur = next
	var k K
	if key == nil {
		tk = s.jr.log(k.updateEntry(next))
		return next, nil
	}
	kept := s.answerRecordOf(key, answer(next))
	tk = s.jr.log(k.keyedUpdateEntry(next, kept))
	s.keepLoggedLocked(kept, tk)
	return next, nil
}

// workByID returns the record of t with id; data.ErrNotFound when there
// is none.
func workByID[T any, K workKind[T]](ctx context.Context, t *worktable.Table[T, K], id string) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	t.Mu.RLock()
	defer t.Mu.RUnlock()
	if v := workByIDLocked(t, id); v != nil {
		return *v, nil
	}
	return zero, noWork[T, K](id)
}

// workByIDLocked is the stored record with the decimal id, nil when
// there is none or id is not a number; t.Mu must be held.
func workByIDLocked[T any, K workKind[T]](t *worktable.Table[T, K], id string) *T {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	return t.ByIDLocked(n)
}

// noWork is the error of an id that names no record of K's kind.
func noWork[T any, K workKind[T]](id string) error {
	var k K
	return fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no " + k.Name() + " " + id})
}
