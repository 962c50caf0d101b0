// Package memory is the embedded default store: a dataset held in process
// memory, used when no database is configured. It keeps the history of every
// grid, like the PostGIS store, but forgets it when the process ends.
//
// It checks references (geo.NewIndex) but not geometry: self-intersections,
// overlaps and gaps are caught only by stores with a geometry engine.
package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"jingge/data"
	"jingge/geo"
)

// Store keeps one dataset and its grid history in memory. It is safe for
// concurrent use.
type Store struct {
	mu sync.Mutex
	ds *geo.Dataset
	// versions holds every grid version ever in force, in creation order;
	// ords[i] is the dataset position of versions[i], which orders
	// snapshots of the past.
	versions []data.GridVersion
	ords     []int
	current  map[string]int         // grid id -> position in versions of its version in force
	stations map[string]geo.Station // every station ever held, latest content
	watchers map[chan struct{}]struct{}
	// gridWatchers are WatchGrids' (watch_grids.go), made on first use.
	gridWatchers map[chan []string]struct{}
	now          func() time.Time
	// incidents are kept apart from the dataset, see incidents.go.
	incidents incidentTable
	// visits, disputes and tasks are kept apart too, in a table each
	// (work_records.go).
	visits   visitTable
	disputes disputeTable
	tasks    taskTable
	// answers are the answers kept under idempotency keys (answers.go).
	answers map[scopedKey]answerRecord
	// jr keeps the changes in a data directory (durable.go); nil keeps
	// them in memory only.
	jr *journaler
}

var (
	_ data.Store      = (*Store)(nil)
	_ data.Importer   = (*Store)(nil)
	_ data.GridEditor = (*Store)(nil)
	_ data.History    = (*Store)(nil)
)

// New returns a store holding ds, which it checks with geo.NewIndex. Its
// grids are in force from now on.
func New(ds *geo.Dataset) (*Store, error) {
	if _, err := geo.NewIndex(ds); err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	s := &Store{
		ds:       &geo.Dataset{},
		current:  map[string]int{},
		stations: map[string]geo.Station{},
		watchers: map[chan struct{}]struct{}{},
		now:      time.Now,
	}
	s.applyLocked(Clone(ds), s.now(), classify(s.ds, ds))
	return s, nil
}

// Snapshot returns a deep copy of the dataset in force.
func (s *Store) Snapshot(ctx context.Context) (*geo.Dataset, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return Clone(s.ds), nil
}

// Watch implements data.Store.
func (s *Store) Watch(ctx context.Context) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.watchers[ch] = struct{}{}
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.mu.Lock()
		delete(s.watchers, ch)
		close(ch)
		s.mu.Unlock()
	}()
	return ch, nil
}

// notifyLocked wakes every watcher of a change that may have touched
// anything; a watcher with a pending value is not sent another, so bursts
// coalesce. s.mu must be held.
func (s *Store) notifyLocked() { s.notifyGridsLocked(nil) }

// Replace swaps in a whole new dataset after checking it, and tells
// watchers. It is Import without options or report.
func (s *Store) Replace(ds *geo.Dataset) error {
	_, err := s.Import(context.Background(), ds, data.ImportOptions{})
	return err
}

// Close implements data.Store.
func (s *Store) Close() error { return nil }
