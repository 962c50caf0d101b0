package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"jingge/data"
)

// workKind is one kind of prevention record (visits, disputes, tasks) as
// the cases the three kinds share need it, for a store S of records T
// selected by filters F. Its sample records are in ascending order of
// the time the store orders them by, so the newest first are the sample
// read backwards.
type workKind[S, T, F any] struct {
	name   string          // one record, for messages: "visit"
	sample func(n int) []T // n valid records, in ascending order
	add    func(st S, w workWrite[T]) (T, bool, error)
	query  func(st S, f F, p data.Page) ([]T, string, error)
	match  func(f *F, v *T) bool
	same   func(t testing.TB, want, got []T) // the kind's field by field comparison
	id     func(*T) string
	// stored copies the id and recording time the store gave to v.
	stored func(v *T, as T)
	// recordedAt is when the store says it stored v.
	recordedAt func(*T) time.Time
	// shift moves the time the store orders v by.
	shift func(v *T, d time.Duration)
	// vary changes what v says, so it is another record.
	vary func(v *T)
	// filters are the kind's filters the Filters case checks against
	// match on the sample of 30.
	filters []F
	// invalid are changes to a sample record that the store refuses with
	// data.ErrInvalid.
	invalid []workChange[T]
}

// workWrite is one add of a record under an idempotency key.
type workWrite[T any] struct {
	v          T
	scope, key string
	digest     []byte
}

// workChange is a named change to a record.
type workChange[T any] struct {
	name string
	mod  func(*T)
}

// workCase is a case of the suite for one kind.
type workCase[S any] struct {
	name string
	fn   func(t *testing.T, open func(*testing.T) S)
}

// runWork runs the cases every kind shares, then the kind's own, against
// the stores open returns.
func runWork[S, T, F any](t *testing.T, k *workKind[S, T, F], open func(*testing.T) S, parallel bool, own ...workCase[S]) {
	cases := append([]workCase[S]{
		{"AddAndRead", k.testAddAndRead},
		{"Filters", k.testFilters},
		{"PagingIsStable", k.testPaging},
		{"IdempotentAndScoped", k.testIdempotent},
		{"InvalidIsRefused", k.testInvalid},
	}, own...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			c.fn(t, open)
		})
	}
}

// addAll stores vs without keys and fills in their ids and recording
// times.
func (k *workKind[S, T, F]) addAll(t testing.TB, st S, vs []T) {
	t.Helper()
	for i := range vs {
		got, replayed, err := k.add(st, workWrite[T]{v: vs[i]})
		if err != nil {
			t.Fatalf("add %s %d: %v", k.name, i, err)
		}
		if replayed || k.id(&got) == "" || k.recordedAt(&got).IsZero() {
			t.Fatalf("add %s %d returned %+v (replayed %v)", k.name, i, got, replayed)
		}
		k.stored(&vs[i], got)
	}
}

// queryAll reads every page of f.
func (k *workKind[S, T, F]) queryAll(t testing.TB, st S, f F, limit int) []T {
	t.Helper()
	var out []T
	p := data.Page{Limit: limit}
	for range 1000 {
		page, next, err := k.query(st, f, p)
		if err != nil {
			t.Fatalf("query %ss: %v", k.name, err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		p.Cursor = next
	}
	t.Fatalf("query %ss pages without end", k.name)
	return nil
}

// newestFirst returns the records of vs (in ascending order) that pass
// f, newest first.
func (k *workKind[S, T, F]) newestFirst(vs []T, f F) []T {
	var out []T
	for i := len(vs) - 1; i >= 0; i-- {
		if k.match(&f, &vs[i]) {
			out = append(out, vs[i])
		}
	}
	return out
}

func (k *workKind[S, T, F]) testAddAndRead(t *testing.T, open func(*testing.T) S) {
	st := open(t)
	vs := k.sample(9)
	k.addAll(t, st, vs)
	ids := map[string]bool{}
	for i := range vs {
		ids[k.id(&vs[i])] = true
	}
	if len(ids) != len(vs) {
		t.Errorf("%s ids %v are not distinct", k.name, ids)
	}
	var all F
	k.same(t, k.newestFirst(vs, all), k.queryAll(t, st, all, 0))
	// A record stored late, for an earlier time, takes its place in time.
	late := k.sample(1)
	k.shift(&late[0], -time.Hour)
	k.addAll(t, st, late)
	got := k.queryAll(t, st, all, 0)
	if first, lateID := k.id(&got[len(got)-1]), k.id(&late[0]); first != lateID {
		t.Errorf("the earliest %s is %s, want the late one %s", k.name, first, lateID)
	}
}

func (k *workKind[S, T, F]) testFilters(t *testing.T, open func(*testing.T) S) {
	st := open(t)
	vs := k.sample(30)
	k.addAll(t, st, vs)
	for _, f := range k.filters {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			k.same(t, k.newestFirst(vs, f), k.queryAll(t, st, f, 0))
		})
	}
}

func (k *workKind[S, T, F]) testPaging(t *testing.T, open func(*testing.T) S) {
	st := open(t)
	var all F
	vs := k.sample(25)
	k.addAll(t, st, vs[:20])
	first, next, err := k.query(st, all, data.Page{Limit: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 6 || next == "" {
		t.Fatalf("first page: %d %ss, next %q", len(first), k.name, next)
	}
	k.addAll(t, st, vs[20:]) // newer: must not shift the pages after the first
	got := first
	p := data.Page{Limit: 6, Cursor: next}
	for p.Cursor != "" {
		page, next, err := k.query(st, all, p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		p.Cursor = next
	}
	k.same(t, k.newestFirst(vs[:20], all), got)
	if _, _, err := k.query(st, all, data.Page{Cursor: "garbage!"}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("a bad cursor: %v, want ErrInvalid", err)
	}
}

func (k *workKind[S, T, F]) testIdempotent(t *testing.T, open func(*testing.T) S) {
	st := open(t)
	v := k.sample(1)[0]
	first, _, err := k.add(st, workWrite[T]{v: v, key: "k1", scope: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	again, replayed, err := k.add(st, workWrite[T]{v: v, key: "k1", scope: "alice"})
	if err != nil || !replayed || k.id(&again) != k.id(&first) {
		t.Fatalf("the same %s again under its key: %+v (replayed %v), %v; want a replay of %s", k.name, again, replayed, err, k.id(&first))
	}
	other := v
	k.vary(&other)
	if _, _, err := k.add(st, workWrite[T]{v: other, key: "k1", scope: "alice"}); !errors.Is(err, data.ErrConflict) {
		t.Errorf("another %s under a used key: %v, want ErrConflict", k.name, err)
	}
	bob, replayed, err := k.add(st, workWrite[T]{v: other, key: "k1", scope: "bob"})
	if err != nil || replayed || k.id(&bob) == k.id(&first) {
		t.Errorf("bob's key k1: %+v (replayed %v), %v; want a %s of its own", bob, replayed, err, k.name)
	}
	// A retry whose time the server filled in anew carries the request's
	// own fingerprint, and is the same request.
	retry := v
	k.shift(&retry, time.Minute)
	first2, _, err := k.add(st, workWrite[T]{v: v, key: "k2", scope: "alice", digest: []byte("request k2")})
	if err != nil {
		t.Fatal(err)
	}
	again2, replayed, err := k.add(st, workWrite[T]{v: retry, key: "k2", scope: "alice", digest: []byte("request k2")})
	if err != nil || !replayed || k.id(&again2) != k.id(&first2) {
		t.Errorf("a retry with the request's digest: %+v (replayed %v), %v; want a replay of %s", again2, replayed, err, k.id(&first2))
	} else {
		k.same(t, []T{first2}, []T{again2}) // at its first time
	}
	var all F
	if got := k.queryAll(t, st, all, 0); len(got) != 3 {
		t.Errorf("%d %ss stored, want 3", len(got), k.name)
	}
}

func (k *workKind[S, T, F]) testInvalid(t *testing.T, open func(*testing.T) S) {
	st := open(t)
	for _, c := range k.invalid {
		t.Run(c.name, func(t *testing.T) {
			v := k.sample(1)[0]
			c.mod(&v)
			if _, _, err := k.add(st, workWrite[T]{v: v}); !errors.Is(err, data.ErrInvalid) {
				t.Errorf("add %s: %v, want ErrInvalid", k.name, err)
			}
		})
	}
	var all F
	if got := k.queryAll(t, st, all, 0); len(got) != 0 {
		t.Errorf("%d %ss stored after refusals, want none", len(got), k.name)
	}
}
