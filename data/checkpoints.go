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
