package records

import (
	"context"

	"jingge/data"
)

// keyed is the one path every kind of record is added by: the body read
// strictly, the index in force, the kind's own checks (build), the store's
// keyed write and the document answered. A replay under the same key gives
// the first record, replayed set.
type keyed[In, R, D any] struct {
	// members names what the body may hold, for the refusal of any other.
	members string
	// build checks in and returns the record to store, attributed.
	build func(ctx context.Context, c Caller, v *view, in *In) (R, error)
	// store writes r under key in the caller's scope.
	store func(ctx context.Context, r R, in *In, key, scope string) (R, bool, error)
	// doc is r as c may read it; replayed says the write was a replay.
	doc func(c Caller, v *view, r *R, replayed bool) D
}

func (k keyed[In, R, D]) add(ctx context.Context, s *Service, c Caller, body []byte, key string) (D, bool, error) {
	var zero D
	var in In
	if err := decodeStrict(body, &in, k.members); err != nil {
		return zero, false, err
	}
	v, err := s.current()
	if err != nil {
		return zero, false, err
	}
	r, err := k.build(ctx, c, v, &in)
	if err != nil {
		return zero, false, err
	}
	r, replayed, err := k.store(ctx, r, &in, key, c.Name)
	if err != nil {
		return zero, false, err
	}
	return k.doc(c, v, &r, replayed), replayed, nil
}

// listed is the one path every kind of record is listed by: the kind's
// filters and the page read together (one refusal names every fault), the
// officer's scope, the store's query and a document for each.
type listed[F, R, D any] struct {
	filter func(q Query, v *view, bad *params) F
	scope  func(c Caller, v *view, f *F) error
	query  func(ctx context.Context, f F, p data.Page) ([]R, string, error)
	doc    func(c Caller, v *view, r *R) D
}

func (l listed[F, R, D]) list(ctx context.Context, s *Service, c Caller, q Query) (Page[D], error) {
	v, err := s.current()
	if err != nil {
		return Page[D]{}, err
	}
	var bad params
	f := l.filter(q, v, &bad)
	p := page(q, &bad)
	if err := bad.err(); err != nil {
		return Page[D]{}, err
	}
	if err := l.scope(c, v, &f); err != nil {
		return Page[D]{}, err
	}
	rs, next, err := l.query(ctx, f, p)
	if err != nil {
		return Page[D]{}, err
	}
	out := Page[D]{Items: make([]D, len(rs)), Next: next}
	for i := range rs {
		out.Items[i] = l.doc(c, v, &rs[i])
	}
	return out, nil
}

// Keep is the Idempotency-Key a change of a dispute or a task is made
// under, and how its answer is built from the document of the record as
// changed; the store keeps that answer in the change's commit (data.TaskPatch.Key).
// The zero Keep makes the change without a key.
type Keep[D any] struct {
	Key *data.AnswerKey
	// Answer runs inside the store's commit: it must not block or fail.
	Answer func(D) data.Answer
}

// answerOf is k's Answer of a stored record, read as the document doc
// makes of it; nil without a key.
func answerOf[R, D any](k Keep[D], doc func(*R) D) func(R) data.Answer {
	if k.Key == nil {
		return nil
	}
	return func(r R) data.Answer { return k.Answer(doc(&r)) }
}
