// Package data defines how jingge reaches its system of record: the Store
// interface every backend implements (the embedded memory store and
// PostGIS), and the sentinel errors they return. The api package sees only
// these interfaces.
package data

import (
	"context"
	"errors"

	"jingge/geo"
)

// Sentinel errors. Backends wrap them with %w so callers can map them (the
// API turns them into HTTP statuses in one place).
var (
	ErrNotFound    = errors.New("data: not found")
	ErrInvalid     = errors.New("data: invalid input")
	ErrConflict    = errors.New("data: conflict")
	ErrUnavailable = errors.New("data: store unavailable")
	ErrReadOnly    = errors.New("data: store is read-only")
)

// Store is a system of record for a dataset.
type Store interface {
	// Snapshot returns the dataset in force now. The caller owns the result.
	Snapshot(ctx context.Context) (*geo.Dataset, error)
	// Watch returns a channel that receives a value after every committed
	// change to the dataset, from this process or any other sharing the
	// store. Bursts may be coalesced into one value. The channel is closed
	// when ctx ends.
	Watch(ctx context.Context) (<-chan struct{}, error)
	// Close releases the store's resources.
	Close() error
}
