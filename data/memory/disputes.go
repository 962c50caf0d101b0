package memory

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"jingge/data"
	"jingge/data/memory/worktable"
	"jingge/geo"
)

var _ data.DisputeStore = (*Store)(nil)

// disputeKind orders disputes by the time they were reported.
type disputeKind struct{}

func (disputeKind) SortTime(d *geo.DisputeCase) time.Time   { return d.ReportedAt }
func (disputeKind) RecordedAt(d *geo.DisputeCase) time.Time { return d.RecordedAt }
func (disputeKind) SetID(d *geo.DisputeCase, id string)     { d.ID = id }
func (disputeKind) Name() string                            { return "dispute" }

// disputeTable holds a store's disputes.
type disputeTable = worktable.Table[geo.DisputeCase, disputeKind]

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
	t.Mu.Lock()
	defer t.Mu.Unlock()
	stored, replayed, err := t.AddLocked(d, w.Scope, w.Key, digest)
	if err != nil {
		return data.DisputeResult{Dispute: stored}, fmt.Errorf("memory: add dispute: %w", err)
	}
	if replayed {
		return data.DisputeResult{Dispute: stored, Replayed: true}, nil
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
	t.Mu.Lock()
	defer t.Mu.Unlock()
	n, err := strconv.ParseInt(id, 10, 64)
	cur := t.ByIDLocked(n)
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
	rows, next, err := s.disputes.Page(p, f.Match)
	if err != nil {
		return data.DisputePage{}, err
	}
	return data.DisputePage{Disputes: rows, Next: next}, nil
}

// Dispute implements data.DisputeStore.
func (s *Store) Dispute(ctx context.Context, id string) (geo.DisputeCase, error) {
	if err := ctx.Err(); err != nil {
		return geo.DisputeCase{}, err
	}
	t := &s.disputes
	t.Mu.RLock()
	defer t.Mu.RUnlock()
	n, err := strconv.ParseInt(id, 10, 64)
	if d := t.ByIDLocked(n); err == nil && d != nil {
		return *d, nil
	}
	return geo.DisputeCase{}, fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no dispute " + id})
}
