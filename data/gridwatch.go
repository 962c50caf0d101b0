package data

import (
	"context"

	"jingge/geo"
)

// GridWatcher is offered by a store that can tell which grids a change
// touched and read just those, so a follower can derive its next index
// from the one in force instead of reading the whole dataset
// (geo.Index.WithGrids). Both stores offer it.
type GridWatcher interface {
	// WatchGrids is Watch with what changed. A value lists the ids of
	// the grids whose version in force changed, when nothing else did;
	// nil means anything may have changed (an import, a station, a
	// member, a lost connection to the store), and the reader reads the
	// whole dataset. Values not yet received are merged: a list with a
	// list into their union, anything with nil into nil.
	WatchGrids(ctx context.Context) (<-chan []string, error)
	// GridsNow returns the grids in force now with the given ids, in the
	// order given; an id that has no grid in force is left out. The
	// caller owns the result.
	GridsNow(ctx context.Context, ids []string) ([]geo.Grid, error)
}

// MergeGridChange merges a change not yet received, prev, with the next,
// next, as GridWatcher.WatchGrids says: the union of two lists, or nil
// when either is nil. It returns a new slice.
func MergeGridChange(prev, next []string) []string {
	if prev == nil || next == nil {
		return nil
	}
	out := make([]string, 0, len(prev)+len(next))
	seen := make(map[string]bool, len(prev)+len(next))
	for _, ids := range [][]string{prev, next} {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// SendGridChange delivers change on ch, a channel of capacity one that
// only senders holding one lock write to, merged with the value waiting
// there if the reader has not taken it yet (MergeGridChange). It never
// blocks.
func SendGridChange(ch chan []string, change []string) {
	select {
	case prev := <-ch:
		change = MergeGridChange(prev, change)
	default:
		if change != nil {
			change = append([]string(nil), change...)
		}
	}
	select {
	case ch <- change:
	default: // cannot happen while senders hold the lock; a reader drains
	}
}
