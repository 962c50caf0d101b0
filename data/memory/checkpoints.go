package memory

import (
	"context"
	"fmt"
	"slices"
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

// PutCheckpoint implements data.CheckpointEditor.
func (s *Store) PutCheckpoint(ctx context.Context, e data.CheckpointEdit) (_ geo.Checkpoint, err error) {
	if err := ctx.Err(); err != nil {
		return geo.Checkpoint{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := e.Checkpoint
	pos := slices.IndexFunc(s.ds.Checkpoints, func(x geo.Checkpoint) bool { return x.ID == c.ID })
	var old *geo.Checkpoint
	v := 0
	if pos >= 0 {
		old, v = &s.ds.Checkpoints[pos], s.ds.Checkpoints[pos].Version
	}
	if err := overlayBase("checkpoint", c.ID, old != nil, v, e.Create, e.BaseVersion); err != nil {
		return geo.Checkpoint{}, err
	}
	next := *s.ds
	next.Checkpoints = slices.Clone(s.ds.Checkpoints)
	if old == nil {
		c.Version = 1
		next.Checkpoints = append(next.Checkpoints, c)
	} else {
		if geo.SameCheckpoint(old, &c) {
			return *old, nil
		}
		c.Version = old.Version + 1
		next.Checkpoints[pos] = c
	}
	if problems := data.CheckOverlays(&next); len(problems) > 0 {
		return geo.Checkpoint{}, fmt.Errorf("memory: %w", &data.ValidationError{Problems: problems})
	}
	t := s.now()
	s.ds = &next
	tk = s.jr.log(recCheckpoint, checkpointRecord{Checkpoint: &c, At: t})
	s.notifyLocked()
	return c, nil
}

// DeleteCheckpoint implements data.CheckpointEditor.
func (s *Store) DeleteCheckpoint(ctx context.Context, d data.OverlayDelete) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	pos := slices.IndexFunc(s.ds.Checkpoints, func(x geo.Checkpoint) bool { return x.ID == d.ID })
	if pos < 0 {
		return fmt.Errorf("memory: checkpoint %q: %w (none with this id is in force)", d.ID, data.ErrNotFound)
	}
	if v := s.ds.Checkpoints[pos].Version; d.BaseVersion != 0 && d.BaseVersion != v {
		return fmt.Errorf("memory: checkpoint %s: %w: the delete was made against version %d but version %d is in force; reload and try again", d.ID, data.ErrConflict, d.BaseVersion, v)
	}
	next := *s.ds
	next.Checkpoints = slices.Delete(slices.Clone(s.ds.Checkpoints), pos, pos+1)
	s.ds = &next
	tk = s.jr.log(recCheckpoint, checkpointRecord{Delete: d.ID, At: s.now()})
	s.notifyLocked()
	return nil
}

// replayCheckpoint applies a checkpoint record as it was done. It runs at
// open, unshared, without validating again.
func (s *Store) replayCheckpoint(r checkpointRecord) {
	next := *s.ds
	next.Checkpoints = slices.Clone(s.ds.Checkpoints)
	switch {
	case r.Checkpoint != nil:
		if i := slices.IndexFunc(next.Checkpoints, func(x geo.Checkpoint) bool { return x.ID == r.Checkpoint.ID }); i >= 0 {
			next.Checkpoints[i] = *r.Checkpoint
		} else {
			next.Checkpoints = append(next.Checkpoints, *r.Checkpoint)
		}
	case r.Delete != "":
		next.Checkpoints = slices.DeleteFunc(next.Checkpoints, func(x geo.Checkpoint) bool { return x.ID == r.Delete })
	}
	s.ds = &next
}
