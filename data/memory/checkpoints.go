package memory

import (
	"context"
	"time"

	"jingge/data"
	"jingge/geo"
)

var _ data.CheckpointEditor = (*Store)(nil)

// recCheckpoint journals a checkpoint edit. Its number is fixed, outside
// the iota list of durable_journal.go, so kinds added on other lines of
// work cannot take it.
const recCheckpoint recordKind = 24

// checkpointRecord is what an edit of one checkpoint did: the checkpoint
// put in force (with its version), or the id taken out of force.
type checkpointRecord struct {
	Checkpoint *geo.Checkpoint
	Delete     string
	At         time.Time
}

// checkpointOverlay is the dataset's checkpoints.
var checkpointOverlay = overlayKind[geo.Checkpoint]{
	name:  "checkpoint",
	list:  func(ds *geo.Dataset) *[]geo.Checkpoint { return &ds.Checkpoints },
	key:   func(c *geo.Checkpoint) (string, *int) { return c.ID, &c.Version },
	same:  geo.SameCheckpoint,
	clone: func(c geo.Checkpoint) geo.Checkpoint { return c },
	put: func(c *geo.Checkpoint, at time.Time) (recordKind, any) {
		return recCheckpoint, checkpointRecord{Checkpoint: c, At: at}
	},
	remove: func(id string, at time.Time) (recordKind, any) {
		return recCheckpoint, checkpointRecord{Delete: id, At: at}
	},
}

// PutCheckpoint implements data.CheckpointEditor.
func (s *Store) PutCheckpoint(ctx context.Context, e data.CheckpointEdit) (geo.Checkpoint, error) {
	return putOverlay(ctx, s, &checkpointOverlay, e.Checkpoint, e.Create, e.BaseVersion)
}

// DeleteCheckpoint implements data.CheckpointEditor.
func (s *Store) DeleteCheckpoint(ctx context.Context, d data.OverlayDelete) error {
	return deleteOverlay(ctx, s, &checkpointOverlay, d)
}

// replayCheckpoint applies a checkpoint record as it was done. It runs at
// open, unshared, without validating again.
func (s *Store) replayCheckpoint(r checkpointRecord) {
	switch {
	case r.Checkpoint != nil:
		replayPut(s, &checkpointOverlay, *r.Checkpoint)
	case r.Delete != "":
		replayRemove(s, &checkpointOverlay, r.Delete)
	}
}
