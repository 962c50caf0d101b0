package postgis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
)

// workTable is one kind of prevention record (visits, disputes, tasks)
// as the statements the three share need it: its tables, its columns and
// order, and how a row is read and written. The names are constants of
// the code, never input.
type workTable[T any] struct {
	name      string // one record, for messages: "visit"
	table     string // "visits"
	keys      string // its idempotency keys' table: "visit_keys"
	keyColumn string // the keys' column holding the record's id: "visit_id"
	columns   string // the select list a workRow reads, id first
	order     string // newest first, by sortTime's column and id: "at desc, id desc"
	// sortTime is the time of order's first column, for cursors;
	// recordedAt is when the record was stored, for key conflicts.
	sortTime, recordedAt func(*T) time.Time
	// check is the kind's data.CheckX.
	check func(*T) error
	// insert is the kind's "insert into … values (…)" of v and its
	// arguments; add appends "returning *".
	insert func(v *T) (string, []any)
	newRow func() workRow[T]
}

// workRow scans one row of a workTable's columns.
type workRow[T any] interface {
	dest() []any
	record() (id int64, v T)
}

// selectFrom is the table's columns read from rel (the table, or a
// statement's returning rows).
func (k *workTable[T]) selectFrom(rel string) string {
	return "select " + k.columns + " from " + rel
}

// add stores v in one transaction: holding a lock on the key when there
// is one (so two requests with the same key store one record), the key
// is looked up, and the record and its key are inserted. The record is
// acknowledged only after COMMIT returns; a key stored before answers its
// record (replayed), or a conflict when it came with another request.
// keyDigest is the write's KeyDigest.
func (k *workTable[T]) add(ctx context.Context, s *Store, v T, scope, key string, keyDigest func() []byte) (_ T, replayed bool, _ error) {
	var zero T
	if err := data.CheckBatchKey(key); err != nil {
		return zero, false, err
	}
	if err := k.check(&v); err != nil {
		return zero, false, fmt.Errorf("postgis: %w", err)
	}
	op := "add " + k.name
	var digest []byte
	if key != "" {
		digest = keyDigest()
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return zero, false, mapError(op, err)
	}
	defer tx.Rollback(context.Background())
	if key != "" {
		if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock(hashtextextended($1 || chr(1) || $2, 0))", scope, key); err != nil {
			return zero, false, mapError(op, err)
		}
		var prev []byte
		var id int64
		err := tx.QueryRow(ctx, "select digest, "+k.keyColumn+" from "+k.keys+" where scope = $1 and key = $2", scope, key).Scan(&prev, &id)
		switch {
		case err == nil:
			r := k.newRow()
			if err := tx.QueryRow(ctx, k.selectFrom(k.table)+" where id = $1", id).Scan(r.dest()...); err != nil {
				return zero, false, mapError(op, err)
			}
			_, first := r.record()
			if !bytes.Equal(prev, digest) {
				return zero, false, fmt.Errorf("postgis: %s: %w", op, data.KeyConflict(key, k.recordedAt(&first)))
			}
			return first, true, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return zero, false, mapError(op, err)
		}
	}
	insert, args := k.insert(&v)
	r := k.newRow()
	if err := tx.QueryRow(ctx, "with ins as ("+insert+" returning *) "+k.selectFrom("ins"), args...).Scan(r.dest()...); err != nil {
		return zero, false, mapError(op, err)
	}
	id, stored := r.record()
	if key != "" {
		if _, err := tx.Exec(ctx, "insert into "+k.keys+" (scope, key, digest, "+k.keyColumn+") values ($1, $2, $3, $4)", scope, key, digest, id); err != nil {
			return zero, false, mapError(op, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return zero, false, mapError(op+": commit", err)
	}
	return stored, false, nil
}

// update reads the record with id under a lock (select … for update),
// changes it by apply and writes back what set names, in one
// transaction, so two changes at once are checked one after the other.
// A zero *at is set to the database's now() before apply runs. set
// returns the "column = $n" list of next, its arguments numbered from $2
// ($1 is the id). With a key, the key is claimed first (a kept one is a
// data.Replay or a KeyConflict, whatever became of the record since) and
// the answer built from the record as written is kept in the same
// transaction.
func (k *workTable[T]) update(ctx context.Context, s *Store, id string, key *data.AnswerKey, answer func(T) data.Answer, at *time.Time, apply func(cur T) (T, error), set func(next *T) (string, []any)) (T, error) {
	var zero T
	op := "update " + k.name
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return zero, mapError(op, err)
	}
	defer tx.Rollback(context.Background())
	if err := claimKey(ctx, tx, key, answer != nil); err != nil {
		return zero, err
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return zero, k.notFound(id)
	}
	r := k.newRow()
	if err := tx.QueryRow(ctx, k.selectFrom(k.table)+" where id = $1 for update", n).Scan(r.dest()...); errors.Is(err, pgx.ErrNoRows) {
		return zero, k.notFound(id)
	} else if err != nil {
		return zero, mapError(op, err)
	}
	if at.IsZero() {
		if err := tx.QueryRow(ctx, "select now()").Scan(at); err != nil {
			return zero, mapError(op, err)
		}
	}
	_, cur := r.record()
	next, err := apply(cur)
	if err != nil {
		return zero, fmt.Errorf("postgis: %w", err)
	}
	cols, args := set(&next)
	out := k.newRow()
	err = tx.QueryRow(ctx, "with up as (update "+k.table+" set "+cols+" where id = $1 returning *) "+k.selectFrom("up"), append([]any{n}, args...)...).Scan(out.dest()...)
	if err != nil {
		return zero, mapError(op, err)
	}
	_, stored := out.record()
	if key != nil {
		if err := keepAnswer(ctx, tx, key, answer(stored), time.Time{}); err != nil {
			return zero, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return zero, mapError(op+": commit", err)
	}
	return stored, nil
}

// byID reads the record with id; data.ErrNotFound when there is none.
func (k *workTable[T]) byID(ctx context.Context, s *Store, id string) (T, error) {
	var zero T
	n, err := strconv.ParseInt(id, 10, 64)
	r := k.newRow()
	if err == nil {
		err = s.pool.QueryRow(ctx, k.selectFrom(k.table)+" where id = $1", n).Scan(r.dest()...)
	}
	switch {
	case err == nil:
		_, v := r.record()
		return v, nil
	case errors.Is(err, pgx.ErrNoRows), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		return zero, k.notFound(id)
	}
	return zero, mapError("read "+k.name, err)
}

// page reads one page of the records where selects, newest first, in
// one statement fetching one row more than the page to know whether
// another follows; next is the cursor of the following page, "" on the
// last. where is the kind's filter (pgsql.VisitWhere, …) after c.
func (k *workTable[T]) page(ctx context.Context, s *Store, p data.Page, where func(c data.Cursor, args *pgsql.Args) string) (_ []T, next string, _ error) {
	c, err := data.ParseCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	op := "query " + k.table
	limit := pageLimit(p)
	var args pgsql.Args
	sql := k.selectFrom(k.table) + where(c, &args) + " order by " + k.order + " limit " + args.Add(limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", mapError(op, err)
	}
	out := []T{}
	r := k.newRow()
	var lastID int64
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		if len(out) == limit {
			next = data.Cursor{OccurredAt: k.sortTime(&out[limit-1]), ID: lastID}.Encode()
			return nil
		}
		id, v := r.record()
		out = append(out, v)
		lastID = id
		return nil
	})
	if err != nil {
		return nil, "", mapError(op, err)
	}
	return out, next, nil
}

// notFound is the error of an id that names no record of the kind.
func (k *workTable[T]) notFound(id string) error {
	return fmt.Errorf("postgis: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no " + k.name + " " + id})
}

// pageLimit is the number of records a page of p holds.
func pageLimit(p data.Page) int {
	if p.Limit <= 0 {
		return data.DefaultPageLimit
	}
	return min(p.Limit, data.MaxPageLimit)
}

// utcOrZero is *t in UTC, or the zero time for a null.
func utcOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
