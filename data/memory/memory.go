// Package memory is the embedded default store: a dataset held in process
// memory, used when no database is configured.
package memory

import (
	"context"
	"fmt"
	"sync"

	"jingge/data"
	"jingge/geo"
)

// Store keeps one dataset in memory. It is safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	ds       *geo.Dataset
	watchers map[chan struct{}]struct{}
}

var _ data.Store = (*Store)(nil)

// New returns a store holding ds, which it checks with geo.NewIndex.
func New(ds *geo.Dataset) (*Store, error) {
	if _, err := geo.NewIndex(ds); err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	return &Store{ds: Clone(ds), watchers: map[chan struct{}]struct{}{}}, nil
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

// notifyLocked wakes every watcher; a watcher with a pending value is not
// sent another, so bursts coalesce. s.mu must be held.
func (s *Store) notifyLocked() {
	for ch := range s.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Replace swaps in a whole new dataset after checking it, and tells watchers.
func (s *Store) Replace(ds *geo.Dataset) error {
	if _, err := geo.NewIndex(ds); err != nil {
		return fmt.Errorf("memory: %w: %w", data.ErrInvalid, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ds = Clone(ds)
	s.notifyLocked()
	return nil
}

// Close implements data.Store.
func (s *Store) Close() error { return nil }
