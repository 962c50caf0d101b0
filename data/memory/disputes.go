package memory

import (
	"context"
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
func (disputeKind) check(d geo.DisputeCase) error           { return data.CheckDispute(&d) }

func (disputeKind) keep(d geo.DisputeCase, now time.Time) geo.DisputeCase {
	if d.RecordedAt.IsZero() {
		d.RecordedAt = now
	}
	d.ReportedAt, d.SettledAt, d.RecordedAt, d.UpdatedAt = storeTime(d.ReportedAt), storeTime(d.SettledAt), storeTime(d.RecordedAt), storeTime(d.UpdatedAt)
	return d
}

func (disputeKind) addEntry(d geo.DisputeCase, scope, key string, digest []byte) (recordKind, any) {
	return recDispute, disputeRecord{Dispute: d, Scope: scope, Key: key, Digest: digest}
}

func (disputeKind) updateEntry(d geo.DisputeCase) (recordKind, any) {
	return recDisputeUpdate, disputeUpdateRecord{Dispute: d}
}

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
func (s *Store) AddDispute(ctx context.Context, w data.DisputeWrite) (data.DisputeResult, error) {
	d, replayed, err := addWork(ctx, s, &s.disputes, w.Dispute, w.Scope, w.Key, w.KeyDigest)
	if err != nil {
		return data.DisputeResult{}, err
	}
	return data.DisputeResult{Dispute: d, Replayed: replayed}, nil
}

// UpdateDispute implements data.DisputeStore.
func (s *Store) UpdateDispute(ctx context.Context, id string, p data.DisputePatch) (geo.DisputeCase, error) {
	if p.At.IsZero() {
		p.At = s.now()
	}
	p.At, p.SettledAt = storeTime(p.At), storeTime(p.SettledAt)
	return updateWork(ctx, s, &s.disputes, id, p.Key, p.Answer, func(cur geo.DisputeCase) (geo.DisputeCase, error) { return data.ApplyDisputePatch(cur, p) })
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
	return workByID(ctx, &s.disputes, id)
}
