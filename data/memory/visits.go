package memory

import (
	"context"
	"time"

	"jingge/data"
	"jingge/data/memory/worktable"
	"jingge/geo"
)

var _ data.VisitStore = (*Store)(nil)

// visitKind orders visits by the time they were made.
type visitKind struct{}

func (visitKind) SortTime(v *geo.Visit) time.Time   { return v.At }
func (visitKind) RecordedAt(v *geo.Visit) time.Time { return v.RecordedAt }
func (visitKind) SetID(v *geo.Visit, id string)     { v.ID = id }
func (visitKind) Name() string                      { return "visit" }
func (visitKind) check(v geo.Visit) error           { return data.CheckVisit(&v) }

func (visitKind) keep(v geo.Visit, now time.Time) geo.Visit {
	if v.RecordedAt.IsZero() {
		v.RecordedAt = now
	}
	v.At, v.RecordedAt = storeTime(v.At), storeTime(v.RecordedAt)
	return v
}

func (visitKind) addEntry(v geo.Visit, scope, key string, digest []byte) (recordKind, any) {
	return recVisit, visitRecord{Visit: v, Scope: scope, Key: key, Digest: digest}
}

// visitTable holds a store's visits. Its lock is taken on its own:
// visits reference grids by id only, checked by the caller's attribution.
type visitTable = worktable.Table[geo.Visit, visitKind]

// AddVisit implements data.VisitStore.
func (s *Store) AddVisit(ctx context.Context, w data.VisitWrite) (data.VisitResult, error) {
	v, replayed, err := addWork(ctx, s, &s.visits, w.Visit, w.Scope, w.Key, w.KeyDigest)
	if err != nil {
		return data.VisitResult{}, err
	}
	return data.VisitResult{Visit: v, Replayed: replayed}, nil
}

// QueryVisits implements data.VisitStore.
func (s *Store) QueryVisits(ctx context.Context, f data.VisitFilter, p data.Page) (data.VisitPage, error) {
	if err := ctx.Err(); err != nil {
		return data.VisitPage{}, err
	}
	rows, next, err := s.visits.Page(p, f.Match)
	if err != nil {
		return data.VisitPage{}, err
	}
	return data.VisitPage{Visits: rows, Next: next}, nil
}
