package data

import (
	"context"
	"time"
)

// Pinger is a store with a database apart from the process, which can say
// whether it answers. Ping makes one round trip and returns nil when the
// database answered, else an error wrapping ErrUnavailable; it returns
// when ctx ends at the latest. The embedded store has none: its data is
// in the process and its journal's failures fail the writes themselves.
type Pinger interface {
	Ping(ctx context.Context) error
}

// ListenStatus is the state of the connection a store keeps to hear of
// other processes' changes (PostgreSQL's LISTEN).
type ListenStatus struct {
	// Started is false until the store was first asked to listen (the
	// other fields are then zero).
	Started bool
	// Connected is true while the listening connection is open; false
	// while the store reconnects.
	Connected bool
	// Reconnects counts the times the connection was lost and opened
	// again.
	Reconnects uint64
	// LastHeard is when the connection last received anything: a
	// notification or the answer to the store's keepalive. A connection
	// that hears nothing for long is not listening, whatever Connected says.
	LastHeard time.Time
	// LastChange is when the connection last told of a committed change
	// to the dataset (or reconnected, after which changes may have been
	// missed): an index published well before it missed a change.
	LastChange time.Time
}

// ListenReporter is a store that listens for other processes' changes and
// reports how that connection fares.
type ListenReporter interface {
	ListenStatus() ListenStatus
}
