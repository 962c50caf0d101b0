package memory

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"jingge/data"
	"jingge/geo"
)

var _ data.DisputeStore = (*Store)(nil)

// disputeKind orders disputes by the time they were reported.
type disputeKind struct{}

func (disputeKind) sortTime(d *geo.DisputeCase) time.Time   { return d.ReportedAt }
func (disputeKind) recordedAt(d *geo.DisputeCase) time.Time { return d.RecordedAt }
func (disputeKind) setID(d *geo.DisputeCase, id string)     { d.ID = id }
func (disputeKind) name() string                            { return "dispute" }

// disputeTable holds a store's disputes.
type disputeTable = workTable[geo.DisputeCase, disputeKind]

// The journal records of disputes, numbered apart from durable_journal.go's
// list: see recordKind.
const (
	recDispute       recordKind = 18
	recDisputeUpdate recordKind = 19
)

type (
	disputeRecord struct {
		Dispute geo.DisputeCase // with its id and recording time
		Scope   string          // the idempotency key's caller
		Key     string
		Digest  []byte
	}
	disputeUpdateRecord struct {
		Dispute geo.DisputeCase // as it is after the change
	}
)

// AddDispute implements data.DisputeStore.
func (s *Store) AddDispute(ctx context.Context, w data.DisputeWrite) (_ data.DisputeResult, err error) {
	if err := ctx.Err(); err != nil {
		return data.DisputeResult{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	if err := data.CheckBatchKey(w.Key); err != nil {
		return data.DisputeResult{}, err
	}
	d := w.Dispute
	if err := data.CheckDispute(&d); err != nil {
		return data.DisputeResult{}, fmt.Errorf("memory: %w", err)
	}
	if d.RecordedAt.IsZero() {
		d.RecordedAt = s.now()
	}
	d.ReportedAt, d.SettledAt, d.RecordedAt, d.UpdatedAt = storeTime(d.ReportedAt), storeTime(d.SettledAt), storeTime(d.RecordedAt), storeTime(d.UpdatedAt)
	var digest []byte
	if w.Key != "" {
		digest = w.KeyDigest()
	}
	t := &s.disputes
	t.mu.Lock()
	defer t.mu.Unlock()
	stored, replayed, err := t.addLocked(d, w.Scope, w.Key, digest)
	if err != nil || replayed {
		return data.DisputeResult{Dispute: stored, Replayed: replayed}, err
	}
	tk = s.jr.log(recDispute, disputeRecord{Dispute: stored, Scope: w.Scope, Key: w.Key, Digest: digest})
	return data.DisputeResult{Dispute: stored}, nil
}

// UpdateDispute implements data.DisputeStore.
func (s *Store) UpdateDispute(ctx context.Context, id string, p data.DisputePatch) (_ geo.DisputeCase, err error) {
	if err := ctx.Err(); err != nil {
		return geo.DisputeCase{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	if p.At.IsZero() {
		p.At = s.now()
	}
	p.At, p.SettledAt = storeTime(p.At), storeTime(p.SettledAt)
	t := &s.disputes
	t.mu.Lock()
	defer t.mu.Unlock()
	n, err := strconv.ParseInt(id, 10, 64)
	cur := t.byIDLocked(n)
	if err != nil || cur == nil {
		return geo.DisputeCase{}, fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no dispute " + id})
	}
	next, err := data.ApplyDisputePatch(*cur, p)
	if err != nil {
		return geo.DisputeCase{}, fmt.Errorf("memory: %w", err)
	}
	*cur = next
	tk = s.jr.log(recDisputeUpdate, disputeUpdateRecord{Dispute: next})
	return next, nil
}

// QueryDisputes implements data.DisputeStore.
func (s *Store) QueryDisputes(ctx context.Context, f data.DisputeFilter, p data.Page) (data.DisputePage, error) {
	if err := ctx.Err(); err != nil {
		return data.DisputePage{}, err
	}
	c, err := data.ParseCursor(p.Cursor)
	if err != nil {
		return data.DisputePage{}, err
	}
	rows, next := s.disputes.page(c, pageLimit(p), f.Match)
	return data.DisputePage{Disputes: rows, Next: next}, nil
}

// pageLimit is the number of records a page of p holds.
func pageLimit(p data.Page) int {
	if p.Limit <= 0 {
		return data.DefaultPageLimit
	}
	return min(p.Limit, data.MaxPageLimit)
}

// Dispute implements data.DisputeStore.
func (s *Store) Dispute(ctx context.Context, id string) (geo.DisputeCase, error) {
	if err := ctx.Err(); err != nil {
		return geo.DisputeCase{}, err
	}
	t := &s.disputes
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, err := strconv.ParseInt(id, 10, 64)
	if d := t.byIDLocked(n); err == nil && d != nil {
		return *d, nil
	}
	return geo.DisputeCase{}, fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no dispute " + id})
}
