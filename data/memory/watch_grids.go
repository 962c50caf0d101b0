package memory

import (
	"context"

	"jingge/data"
	"jingge/geo"
)

var _ data.GridWatcher = (*Store)(nil)

// WatchGrids implements data.GridWatcher: a grid edit sends its grid's
// id, every other change nil.
func (s *Store) WatchGrids(ctx context.Context) (<-chan []string, error) {
	ch := make(chan []string, 1)
	s.mu.Lock()
	if s.gridWatchers == nil {
		s.gridWatchers = map[chan []string]struct{}{}
	}
	s.gridWatchers[ch] = struct{}{}
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.mu.Lock()
		delete(s.gridWatchers, ch)
		close(ch)
		s.mu.Unlock()
	}()
	return ch, nil
}

// notifyGridsLocked wakes the watchers of a change to the grids ids alone
// (nil: to anything). s.mu must be held.
func (s *Store) notifyGridsLocked(ids []string) {
	for ch := range s.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	for ch := range s.gridWatchers {
		data.SendGridChange(ch, ids)
	}
}

// GridsNow implements data.GridWatcher.
func (s *Store) GridsNow(ctx context.Context, ids []string) ([]geo.Grid, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]geo.Grid, 0, len(ids))
	for _, id := range ids {
		at, ok := s.current[id]
		if !ok || !s.versions[at].ValidTo.IsZero() {
			continue
		}
		out = append(out, cloneGrid(s.versions[at].Grid))
	}
	return out, nil
}
