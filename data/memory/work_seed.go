package memory

import (
	"context"
	"fmt"

	"jingge/data"
	"jingge/geo"
)

// AddWork stores many disputes and tasks at once, such as the synthetic
// year of the demo data: each is checked and journaled as AddDispute and
// AddTask would (one record apiece, without keys), and the call returns
// once the last record is on disk, so a year of records costs one wait
// for the disk rather than one each. Nothing is stored if any is invalid.
func (s *Store) AddWork(ctx context.Context, disputes []geo.DisputeCase, tasks []geo.Task) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	for i := range disputes {
		if err := data.CheckDispute(&disputes[i]); err != nil {
			return fmt.Errorf("memory: dispute %d: %w", i, err)
		}
	}
	for i := range tasks {
		if err := data.CheckTask(&tasks[i]); err != nil {
			return fmt.Errorf("memory: task %d: %w", i, err)
		}
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	now := s.now()
	dt := &s.disputes
	dt.Mu.Lock()
	for _, d := range disputes {
		d = disputeKind{}.keep(d, now)
		stored, _, _, _ := dt.AddLocked(d, "", "", nil) // without a key it cannot conflict
		if tk = s.jr.log(disputeKind{}.addEntry(stored, "", "", nil)); tk.err != nil {
			break
		}
	}
	dt.Mu.Unlock()
	if tk.err != nil {
		return nil // settle reports it
	}
	tt := &s.tasks
	tt.Mu.Lock()
	defer tt.Mu.Unlock()
	for _, t := range tasks {
		t = taskKind{}.keep(t, now)
		stored, _, _, _ := tt.AddLocked(t, "", "", nil)
		if tk = s.jr.log(taskKind{}.addEntry(stored, "", "", nil)); tk.err != nil {
			break
		}
	}
	return nil
}
