package data

import (
	"context"
	"time"

	"jingge/geo"
)

// IncidentStore keeps incidents (警情). Incident ids are assigned by the
// store: decimal strings of positive integers, never reused.
type IncidentStore interface {
	// AddIncidents commits a batch atomically: every incident or none. It
	// returns the new ids in input order; an error means nothing was stored.
	// Each incident must already be attributed (see Attributor) to grids in
	// force at its occurrence time; if the grids changed since, the batch
	// fails with ErrConflict and can be attributed and sent again. Content
	// problems come back as an *IncidentError (wrapping ErrInvalid).
	AddIncidents(ctx context.Context, b IncidentBatch) (AddResult, error)
	// Incident returns one incident; ErrNotFound for an unknown id.
	Incident(ctx context.Context, id string) (geo.Incident, error)
	// UpdateIncident applies p and returns the incident as stored. A status
	// may only move forward (see geo.IncidentStatus.CanMoveTo); moving back,
	// or clearing a case that is not criminal, fails with ErrConflict.
	// Setting the status the incident already has changes nothing, so a
	// retried request succeeds.
	UpdateIncident(ctx context.Context, id string, p IncidentPatch) (geo.Incident, error)
	// QueryIncidents returns the incidents that pass f, newest first (by
	// occurrence time, then id), one page at a time. Paging is by key, so a
	// page never repeats or skips an incident because others were added
	// after the first page was read.
	QueryIncidents(ctx context.Context, f IncidentFilter, p Page) (IncidentPage, error)
	// AggregateIncidents counts the incidents that pass a.Filter per group
	// and time bucket, by category.
	AggregateIncidents(ctx context.Context, a Aggregation) ([]AggregateRow, error)
}

// IncidentWatcher is an IncidentStore shared by several processes (the
// replicas behind a load balancer) that tells each of the incidents the
// others add, so caches drawn from incidents (the incident tiles) follow
// at once.
type IncidentWatcher interface {
	// WatchIncidents returns a channel that receives a value after another
	// process sharing the store commits new incidents, and whenever some
	// may have been missed (a lost connection). Bursts may be coalesced.
	// The channel closes when ctx ends or the store closes.
	WatchIncidents(ctx context.Context) (<-chan struct{}, error)
}

// GridTimeline is the part of a store's grid history that attribution
// needs.
type GridTimeline interface {
	History
	// GridEpochs returns, oldest first and without repeats, every moment
	// at which a grid version came into force or ended. The set of grids in
	// force is constant from one moment to the next, so SnapshotAt(moment)
	// describes the whole epoch that moment begins. Before the first
	// moment no grids were in force.
	GridEpochs(ctx context.Context) ([]time.Time, error)
}
