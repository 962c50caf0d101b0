package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"jingge/data"
	"jingge/geo"
)

var _ data.VisitStore = (*Store)(nil)

// visitTable holds a store's visits, sorted by time and id. Its lock is
// taken on its own: visits reference grids by id only, checked by the
// caller's attribution.
type visitTable struct {
	mu     sync.RWMutex
	rows   []visitRow // ascending by (At, id)
	nextID int64
	keys   map[scopedKey]committedVisit
}

type visitRow struct {
	id int64
	v  geo.Visit
}

// committedVisit is an idempotency key and the visit it stored.
type committedVisit struct {
	digest []byte
	id     int64
}

// AddVisit implements data.VisitStore.
func (s *Store) AddVisit(ctx context.Context, w data.VisitWrite) (_ data.VisitResult, err error) {
	if err := ctx.Err(); err != nil {
		return data.VisitResult{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	if err := data.CheckBatchKey(w.Key); err != nil {
		return data.VisitResult{}, err
	}
	v := w.Visit
	if err := data.CheckVisit(&v); err != nil {
		return data.VisitResult{}, fmt.Errorf("memory: %w", err)
	}
	if v.RecordedAt.IsZero() {
		v.RecordedAt = s.now()
	}
	v.At, v.RecordedAt = storeTime(v.At), storeTime(v.RecordedAt)
	var digest []byte
	if w.Key != "" {
		digest = w.KeyDigest()
	}
	t := &s.visits
	t.mu.Lock()
	defer t.mu.Unlock()
	key := scopedKey{w.Scope, w.Key}
	if prev, ok := t.keys[key]; ok && w.Key != "" {
		if !bytes.Equal(prev.digest, digest) {
			at := t.byIDLocked(prev.id).RecordedAt
			return data.VisitResult{}, fmt.Errorf("memory: add visit: %w", data.KeyConflict(w.Key, at))
		}
		return data.VisitResult{Visit: *t.byIDLocked(prev.id), Replayed: true}, nil
	}
	t.nextID++
	v.ID = strconv.FormatInt(t.nextID, 10)
	t.insertLocked(visitRow{id: t.nextID, v: v})
	if w.Key != "" {
		if t.keys == nil {
			t.keys = map[scopedKey]committedVisit{}
		}
		t.keys[key] = committedVisit{digest: digest, id: t.nextID}
	}
	tk = s.jr.log(recVisit, visitRecord{Visit: v, Scope: w.Scope, Key: w.Key, Digest: digest})
	return data.VisitResult{Visit: v}, nil
}

// insertLocked puts r in time order; a visit of today, the usual case,
// goes at the end.
func (t *visitTable) insertLocked(r visitRow) {
	i := len(t.rows)
	for i > 0 && visitAfter(t.rows[i-1], r) {
		i--
	}
	t.rows = slices.Insert(t.rows, i, r)
}

// visitAfter reports whether a comes after b in (At, id) order.
func visitAfter(a, b visitRow) bool {
	return a.v.At.After(b.v.At) || a.v.At.Equal(b.v.At) && a.id > b.id
}

// byIDLocked returns the stored visit with id; t.mu must be held. Ids
// grow with insertion, not with time, so it searches.
func (t *visitTable) byIDLocked(id int64) *geo.Visit {
	for i := len(t.rows) - 1; i >= 0; i-- {
		if t.rows[i].id == id {
			return &t.rows[i].v
		}
	}
	return &geo.Visit{}
}

// QueryVisits implements data.VisitStore.
func (s *Store) QueryVisits(ctx context.Context, f data.VisitFilter, p data.Page) (data.VisitPage, error) {
	if err := ctx.Err(); err != nil {
		return data.VisitPage{}, err
	}
	c, err := data.ParseCursor(p.Cursor)
	if err != nil {
		return data.VisitPage{}, err
	}
	limit := p.Limit
	if limit <= 0 {
		limit = data.DefaultPageLimit
	}
	limit = min(limit, data.MaxPageLimit)
	t := &s.visits
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := data.VisitPage{Visits: []geo.Visit{}}
	for i := len(t.rows) - 1; i >= 0; i-- {
		r := &t.rows[i]
		if !c.Before(r.v.At, r.id) || !f.Match(&r.v) {
			continue
		}
		if len(out.Visits) == limit {
			last := out.Visits[limit-1]
			id, _ := strconv.ParseInt(last.ID, 10, 64)
			out.Next = data.Cursor{OccurredAt: last.At, ID: id}.Encode()
			break
		}
		out.Visits = append(out.Visits, r.v)
	}
	return out, nil
}

// replayAdd stores the visit of r with the id AddVisit gave it.
func (t *visitTable) replayAdd(r visitRecord) error {
	id, err := strconv.ParseInt(r.Visit.ID, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("memory: the journal holds a visit with id %q", r.Visit.ID)
	}
	t.insertLocked(visitRow{id: id, v: r.Visit})
	t.nextID = max(t.nextID, id)
	if r.Key != "" {
		if t.keys == nil {
			t.keys = map[scopedKey]committedVisit{}
		}
		t.keys[scopedKey{r.Scope, r.Key}] = committedVisit{digest: r.Digest, id: id}
	}
	return nil
}
