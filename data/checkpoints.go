package data

import (
	"context"

	"jingge/geo"
)

// CheckpointEdit puts one checkpoint in force: a new one, or a new version
// of one in force (Checkpoint.ID selects it). Create and BaseVersion are
// as in AreaEdit.
type CheckpointEdit struct {
	Checkpoint  geo.Checkpoint // Version is ignored: the store sets it
	Create      bool
	BaseVersion int
	Actor       string
}

// CheckpointEditor changes single checkpoints (查控点) under the rules of
// OverlayEditor: checked by geo.Check, committed (journaled) before it
// returns, announced to Watch; an edit that changes nothing returns the
// version in force.
type CheckpointEditor interface {
	// PutCheckpoint creates or replaces a checkpoint and returns it with
	// its version.
	PutCheckpoint(ctx context.Context, e CheckpointEdit) (geo.Checkpoint, error)
	// DeleteCheckpoint retires a checkpoint: ErrNotFound for an id not in
	// force.
	DeleteCheckpoint(ctx context.Context, d OverlayDelete) error
}

// checkpointVersions is OverlayVersions for checkpoints.
func checkpointVersions(cur, next *geo.Dataset) {
	old := make(map[string]*geo.Checkpoint, len(cur.Checkpoints))
	for i := range cur.Checkpoints {
		old[cur.Checkpoints[i].ID] = &cur.Checkpoints[i]
	}
	for i := range next.Checkpoints {
		c := &next.Checkpoints[i]
		switch o := old[c.ID]; {
		case o == nil:
			c.Version = 1
		case geo.SameCheckpoint(o, c):
			c.Version = o.Version
		default:
			c.Version = o.Version + 1
		}
	}
}
