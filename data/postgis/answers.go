package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
)

var _ data.AnswerStore = (*Store)(nil)

// Answered implements data.AnswerStore.
func (s *Store) Answered(ctx context.Context, k data.AnswerKey) (data.Answer, error) {
	a, digest, err := readAnswer(ctx, s.pool, k)
	if err != nil {
		return data.Answer{}, err
	}
	if err := data.MatchAnswer(k, digest, a); !isReplay(err) {
		return data.Answer{}, fmt.Errorf("postgis: %w", err)
	}
	return a, nil
}

func isReplay(err error) bool {
	_, ok := data.AsReplay(err)
	return ok
}

// rowQuerier is a pool or a transaction, for one row.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readAnswer reads the answer kept under k and the digest of the request
// that got it; ErrNotFound when there is none.
func readAnswer(ctx context.Context, q rowQuerier, k data.AnswerKey) (data.Answer, []byte, error) {
	var a data.Answer
	var digest []byte
	err := q.QueryRow(ctx, "select digest, status, content_type, body, created_at from answer_keys where scope = $1 and key = $2", k.Scope, k.Key).
		Scan(&digest, &a.Status, &a.ContentType, &a.Body, &a.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.Answer{}, nil, fmt.Errorf("postgis: answer of key %q: %w", k.Key, data.ErrNotFound)
	}
	if err != nil {
		return data.Answer{}, nil, mapError("answer of key", err)
	}
	return a, digest, nil
}

// claimKey is the first step of a keyed write in tx: it holds the key
// until the commit (so the same key sent twice at once waits for the
// first) and returns the write's error when the key is kept already (a
// data.Replay or a KeyConflict); nil for a new key or none.
func claimKey(ctx context.Context, tx pgx.Tx, k *data.AnswerKey, hasAnswer bool) error {
	if k == nil {
		return nil
	}
	if err := data.CheckAnswerKey(k); err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	if !hasAnswer {
		return fmt.Errorf("postgis: a write under the key %q without the answer to keep", k.Key)
	}
	if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock(hashtextextended(current_schema() || chr(1) || 'answer' || chr(1) || $1 || chr(1) || $2, 0))", k.Scope, k.Key); err != nil {
		return mapError("idempotency key", err)
	}
	a, digest, err := readAnswer(ctx, tx, *k)
	if errors.Is(err, data.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("postgis: %w", data.MatchAnswer(*k, digest, a))
}

// keepAnswer stores a under k in tx, so it commits with the write it
// answers, first used at at (zero: the transaction's time); nothing
// without a key.
func keepAnswer(ctx context.Context, tx pgx.Tx, k *data.AnswerKey, a data.Answer, at time.Time) error {
	if k == nil {
		return nil
	}
	var when any
	if !at.IsZero() {
		when = at
	}
	body := a.Body
	if body == nil {
		body = []byte{}
	}
	_, err := tx.Exec(ctx, "insert into answer_keys (scope, key, digest, status, content_type, body, created_at) values ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()))",
		k.Scope, k.Key, k.Digest, a.Status, a.ContentType, body, when)
	return mapError("keeping the answer of an idempotency key", err)
}
