package postgis

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsnapshot"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var _ data.GridWatcher = (*Store)(nil)

// editedGridSetting is the transaction-local setting a grid edit names its
// grid in; the notification trigger of migration 18 puts it in the
// payload after gridPayloadSep.
const (
	editedGridSetting = "jingge.edited_grid"
	gridPayloadSep    = "\tgrid\t"
)

// WatchGrids implements data.GridWatcher over the notifications Watch
// listens for: a grid edit's names its grid, every other one (and the
// payload of servers before migration 18, the bare schema) is nil, as is
// the wake-up after the listener reconnects.
func (s *Store) WatchGrids(ctx context.Context) (<-chan []string, error) {
	if err := s.startListener(ctx); err != nil {
		return nil, err
	}
	ch := make(chan []string, 1)
	s.mu.Lock()
	s.gridWatchers[ch] = struct{}{}
	s.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-s.ctx.Done():
		}
		s.mu.Lock()
		delete(s.gridWatchers, ch)
		close(ch)
		s.mu.Unlock()
	}()
	return ch, nil
}

// datasetChange reads a payload of the dataset channel: whether it is this
// store's schema's, and the grids it names (nil: anything changed).
func (s *Store) datasetChange(payload string) (grids []string, ours bool) {
	if payload == s.schema {
		return nil, true
	}
	if id, ok := strings.CutPrefix(payload, s.schema+gridPayloadSep); ok && id != "" {
		return []string{id}, true
	}
	return nil, false
}

// broadcastGrids wakes every watcher of Watch and of WatchGrids with a
// change to grids (nil: to anything).
func (s *Store) broadcastGrids(grids []string) {
	s.wake(s.watchers)
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.gridWatchers {
		data.SendGridChange(ch, grids)
	}
}

// nameEditedGrid makes the notification of tx's change to the grids name
// grid id (migration 18).
func nameEditedGrid(ctx context.Context, tx pgx.Tx, id string) error {
	_, err := tx.Exec(ctx, "select set_config($1, $2, true)", editedGridSetting, id)
	return err
}

// GridsNow implements data.GridWatcher.
func (s *Store) GridsNow(ctx context.Context, ids []string) ([]geo.Grid, error) {
	var grids []geo.Grid
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		grids, err = pgsnapshot.ReadGrids(ctx, tx, "select "+pgsql.GridColumns+" from grids where valid_to is null and id = any($1)", ids)
		return err
	})
	if err != nil {
		return nil, mapError("grids now", err)
	}
	at := make(map[string]geo.Grid, len(grids))
	for _, g := range grids {
		at[g.ID] = g
	}
	out := make([]geo.Grid, 0, len(grids))
	for _, id := range ids {
		if g, ok := at[id]; ok {
			out = append(out, g)
			delete(at, id)
		}
	}
	return out, nil
}
