// Package worktable is the in-memory table the embedded store keeps the
// records of prevention work in (visits, disputes, tasks): sorted by
// their time and id, numbered as they arrive, with the idempotency keys
// they were written under, paged newest first, and copied whole into
// snapshots and dumps. It journals nothing: the store logs each change
// and replays the journal into it (ReplayAdd, ReplayUpdate).
//
// It imports data and the standard library only; data/memory imports it.
package worktable

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"jingge/data"
)

// Kind tells a Table how to read and number its records (visits,
// disputes, tasks): the time they are ordered by, when they were
// recorded, their id, and a name for messages. Its methods are on a zero-size type, so a zero
// Table is ready.
type Kind[T any] interface {
	SortTime(*T) time.Time
	RecordedAt(*T) time.Time
	SetID(*T, string)
	Name() string
}

// Table holds small records of the prevention work, sorted by their time
// and id, with the idempotency keys they were written under.
type Table[T any, K Kind[T]] struct {
	// Mu guards the table. It is taken on its own, like the store's
	// other tables' locks; methods named ...Locked, Snapshot, Restore and
	// Dump need it held.
	Mu     sync.RWMutex
	rows   []row[T] // ascending by (SortTime, id)
	nextID int64
	keys   map[scopedKey]committed
}

type row[T any] struct {
	id int64
	v  T
}

// scopedKey is an idempotency key in its caller's scope.
type scopedKey struct{ scope, key string }

// committed is an idempotency key's digest, the id of the record it
// stored and the seq its store gave it (KeepKeyLocked).
type committed struct {
	digest []byte
	id     int64
	seq    uint64
}

// Key is an idempotency key with the id of the record it stored, as a
// snapshot keeps it.
type Key struct {
	Scope, Key string
	Digest     []byte
	ID         int64
}

// AddLocked stores v under the next id and returns it as stored; or the
// record first stored under key (replayed) with the seq kept with the
// key, or a conflict when key came with another digest. It does not keep
// key: the caller does, with KeepKeyLocked, once it has logged the add
// and knows the seq a replay waits for. t.Mu must be held.
func (t *Table[T, K]) AddLocked(v T, scope, key string, digest []byte) (_ T, replayed bool, seq uint64, err error) {
	var k K
	if prev, ok := t.keys[scopedKey{scope, key}]; ok && key != "" {
		first := t.ByIDLocked(prev.id)
		if !bytes.Equal(prev.digest, digest) {
			return v, false, 0, data.KeyConflict(key, k.RecordedAt(first))
		}
		return *first, true, prev.seq, nil
	}
	t.nextID++
	stored := t.insertLocked(row[T]{id: t.nextID, v: v})
	k.SetID(stored, strconv.FormatInt(t.nextID, 10))
	return *stored, false, 0, nil
}

// KeepKeyLocked keeps key (none when "") for the record AddLocked stored
// last, with seq, an integer of the caller's (the store keeps the journal
// sequence of the add's record, which a replay waits for). t.Mu must be
// held since that AddLocked.
func (t *Table[T, K]) KeepKeyLocked(scope, key string, digest []byte, seq uint64) {
	if key == "" {
		return
	}
	if t.keys == nil {
		t.keys = map[scopedKey]committed{}
	}
	t.keys[scopedKey{scope, key}] = committed{digest: digest, id: t.nextID, seq: seq}
}

// insertLocked puts r in time order and returns the record as stored; a
// record of today, the usual case, goes at the end. It appends r before
// comparing, so the comparisons take pointers into the table only: a
// pointer to a local passed to Kind's methods would move it to the heap,
// an allocation for every add.
func (t *Table[T, K]) insertLocked(r row[T]) *T {
	var k K
	after := func(a, b *row[T]) bool {
		ta, tb := k.SortTime(&a.v), k.SortTime(&b.v)
		return ta.After(tb) || ta.Equal(tb) && a.id > b.id
	}
	t.rows = append(t.rows, r)
	last := len(t.rows) - 1
	i := last
	for i > 0 && after(&t.rows[i-1], &t.rows[last]) {
		i--
	}
	if i < last {
		r := t.rows[last]
		copy(t.rows[i+1:], t.rows[i:last])
		t.rows[i] = r
	}
	return &t.rows[i].v
}

// ByIDLocked returns the stored record with id, nil when there is none;
// t.Mu must be held. Ids grow with insertion, not with time, so it
// searches, newest first.
func (t *Table[T, K]) ByIDLocked(id int64) *T {
	for i := len(t.rows) - 1; i >= 0; i-- {
		if t.rows[i].id == id {
			return &t.rows[i].v
		}
	}
	return nil
}

// Page returns the records passing match, newest first, after p's
// cursor, at most p's limit (data.DefaultPageLimit when unset,
// data.MaxPageLimit at most), and the cursor of the next page ("" on the
// last). A cursor that cannot be read is data.ParseCursor's error.
func (t *Table[T, K]) Page(p data.Page, match func(*T) bool) ([]T, string, error) {
	c, err := data.ParseCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := data.DefaultPageLimit
	if p.Limit > 0 {
		limit = min(p.Limit, data.MaxPageLimit)
	}
	var k K
	t.Mu.RLock()
	defer t.Mu.RUnlock()
	out := []T{}
	var last *row[T]
	for i := len(t.rows) - 1; i >= 0; i-- {
		r := &t.rows[i]
		if !c.Before(k.SortTime(&r.v), r.id) || !match(&r.v) {
			continue
		}
		if len(out) == limit {
			return out, data.Cursor{OccurredAt: k.SortTime(&last.v), ID: last.id}.Encode(), nil
		}
		out = append(out, r.v)
		last = r
	}
	return out, "", nil
}

// ReplayAdd stores v with the id it was given, and its key.
func (t *Table[T, K]) ReplayAdd(v T, id string, scope, key string, digest []byte) error {
	var k K
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("worktable: the journal holds a %s with id %q", k.Name(), id)
	}
	t.insertLocked(row[T]{id: n, v: v})
	t.nextID = max(t.nextID, n)
	if key != "" {
		if t.keys == nil {
			t.keys = map[scopedKey]committed{}
		}
		t.keys[scopedKey{scope, key}] = committed{digest: digest, id: n}
	}
	return nil
}

// ReplayUpdate replaces the stored record with id by v.
func (t *Table[T, K]) ReplayUpdate(v T, id string) error {
	var k K
	n, err := strconv.ParseInt(id, 10, 64)
	if p := t.ByIDLocked(n); err == nil && p != nil {
		*p = v
		return nil
	}
	return fmt.Errorf("worktable: the journal updates a %s with id %q, which it does not hold", k.Name(), id)
}

// Dump copies the records, oldest first, and their keys, by id. t.Mu
// must be held.
func (t *Table[T, K]) Dump() ([]T, []data.BatchKey) {
	rows := make([]T, len(t.rows))
	for i, r := range t.rows {
		rows[i] = r.v
	}
	var keys []data.BatchKey
	for k, v := range t.keys {
		keys = append(keys, data.BatchKey{Scope: k.scope, Key: k.key, Digest: slices.Clone(v.digest), IDs: []string{strconv.FormatInt(v.id, 10)}})
	}
	slices.SortFunc(keys, func(x, y data.BatchKey) int { return strings.Compare(x.IDs[0], y.IDs[0]) })
	return rows, keys
}

// Snapshot returns the records in the table's order, the last id and the
// keys. t.Mu must be held.
func (t *Table[T, K]) Snapshot() ([]T, int64, []Key) {
	rows := make([]T, len(t.rows))
	for i, r := range t.rows {
		rows[i] = r.v
	}
	var keys []Key
	for k, v := range t.keys {
		keys = append(keys, Key{Scope: k.scope, Key: k.key, Digest: v.digest, ID: v.id})
	}
	return rows, t.nextID, keys
}

// Restore sets the table to the records, last id and keys of a snapshot;
// idOf reads a record's id.
func (t *Table[T, K]) Restore(rows []T, nextID int64, keys []Key, idOf func(*T) string) error {
	var k K
	t.rows, t.nextID, t.keys = make([]row[T], len(rows)), nextID, make(map[scopedKey]committed, len(keys))
	for i := range rows {
		id, err := strconv.ParseInt(idOf(&rows[i]), 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("worktable: the snapshot holds a %s with id %q", k.Name(), idOf(&rows[i]))
		}
		t.rows[i] = row[T]{id: id, v: rows[i]}
	}
	for _, key := range keys {
		t.keys[scopedKey{key.Scope, key.Key}] = committed{digest: key.Digest, id: key.ID}
	}
	return nil
}
