package memory

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"jingge/data"
)

// workKind tells a workTable how to read and number its records (disputes,
// tasks): the time they are ordered by, their id, and a name for messages.
// Its methods are on a zero-size type, so a zero workTable is ready.
type workKind[T any] interface {
	sortTime(*T) time.Time
	recordedAt(*T) time.Time
	setID(*T, string)
	name() string
}

// workTable holds small records of the prevention work, sorted by their
// time and id, with the idempotency keys they were written under. Its lock
// is taken on its own, like visitTable's.
type workTable[T any, K workKind[T]] struct {
	mu     sync.RWMutex
	rows   []workRow[T] // ascending by (sortTime, id)
	nextID int64
	keys   map[scopedKey]committedVisit
}

type workRow[T any] struct {
	id int64
	v  T
}

// addLocked stores v under the next id, with key when there is one, and
// returns it as stored; or the record first stored under key (replayed),
// or a conflict when key came with another digest. t.mu must be held.
func (t *workTable[T, K]) addLocked(v T, scope, key string, digest []byte) (_ T, replayed bool, err error) {
	var k K
	sk := scopedKey{scope, key}
	if prev, ok := t.keys[sk]; ok && key != "" {
		first := t.byIDLocked(prev.id)
		if !bytes.Equal(prev.digest, digest) {
			return v, false, fmt.Errorf("memory: add %s: %w", k.name(), data.KeyConflict(key, k.recordedAt(first)))
		}
		return *first, true, nil
	}
	t.nextID++
	k.setID(&v, strconv.FormatInt(t.nextID, 10))
	t.insertLocked(workRow[T]{id: t.nextID, v: v})
	if key != "" {
		if t.keys == nil {
			t.keys = map[scopedKey]committedVisit{}
		}
		t.keys[sk] = committedVisit{digest: digest, id: t.nextID}
	}
	return v, false, nil
}

// insertLocked puts r in time order; a record of today, the usual case,
// goes at the end.
func (t *workTable[T, K]) insertLocked(r workRow[T]) {
	var k K
	after := func(a, b *workRow[T]) bool {
		ta, tb := k.sortTime(&a.v), k.sortTime(&b.v)
		return ta.After(tb) || ta.Equal(tb) && a.id > b.id
	}
	i := len(t.rows)
	for i > 0 && after(&t.rows[i-1], &r) {
		i--
	}
	t.rows = slices.Insert(t.rows, i, r)
}

// byIDLocked returns the stored record with id, nil when there is none;
// t.mu must be held. Ids grow with insertion, not with time, so it
// searches, newest first.
func (t *workTable[T, K]) byIDLocked(id int64) *T {
	for i := len(t.rows) - 1; i >= 0; i-- {
		if t.rows[i].id == id {
			return &t.rows[i].v
		}
	}
	return nil
}

// page returns the records passing match, newest first, after cursor c,
// at most limit, and the cursor of the next page ("" on the last).
func (t *workTable[T, K]) page(c data.Cursor, limit int, match func(*T) bool) ([]T, string) {
	var k K
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := []T{}
	var last *workRow[T]
	for i := len(t.rows) - 1; i >= 0; i-- {
		r := &t.rows[i]
		if !c.Before(k.sortTime(&r.v), r.id) || !match(&r.v) {
			continue
		}
		if len(out) == limit {
			return out, data.Cursor{OccurredAt: k.sortTime(&last.v), ID: last.id}.Encode()
		}
		out = append(out, r.v)
		last = r
	}
	return out, ""
}

// replayAdd stores v with the id it was given, and its key.
func (t *workTable[T, K]) replayAdd(v T, id string, scope, key string, digest []byte) error {
	var k K
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("memory: the journal holds a %s with id %q", k.name(), id)
	}
	t.insertLocked(workRow[T]{id: n, v: v})
	t.nextID = max(t.nextID, n)
	if key != "" {
		if t.keys == nil {
			t.keys = map[scopedKey]committedVisit{}
		}
		t.keys[scopedKey{scope, key}] = committedVisit{digest: digest, id: n}
	}
	return nil
}

// replayUpdate replaces the stored record with id by v.
func (t *workTable[T, K]) replayUpdate(v T, id string) error {
	var k K
	n, err := strconv.ParseInt(id, 10, 64)
	if p := t.byIDLocked(n); err == nil && p != nil {
		*p = v
		return nil
	}
	return fmt.Errorf("memory: the journal updates a %s with id %q, which it does not hold", k.name(), id)
}
