package patrolling

import (
	"context"
	"time"

	"jingge/data"
)

// Run keeps the server's patrol picture current until ctx ends: it loads
// every officer's state, then follows the store (its notifications, and a
// re-read every RefreshInterval) to bring other servers' states onto the
// board and every new event to the streams, declares silent officers every
// SweepInterval, and delivers webhooks. Without a patrol store it only
// waits for ctx. The other methods work without Run, but the board is
// then this server's writes only and streams get no events after their
// replay. Streams opened before Run went live catch up from the store
// once it has (Hub.CatchUpAll); when Run returns it closes the streams,
// which would otherwise stay open without ever getting another event.
func (s *Service) Run(ctx context.Context) error {
	if s.store == nil {
		<-ctx.Done()
		return nil
	}
	hooksDone := s.hooks.Start(ctx)
	defer func() { <-hooksDone }()
	defer s.hub.Close()
	cursor, lastEvent, changes, ok := s.start(ctx)
	if !ok {
		return nil
	}
	s.hub.CatchUpAll()
	s.logger.InfoContext(ctx, "patrols: live", "officers_known", s.board.Len(), "last_event", lastEvent)
	sweep := time.NewTicker(s.opts.SweepInterval)
	defer sweep.Stop()
	refresh := time.NewTicker(s.opts.RefreshInterval)
	defer refresh.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-changes:
			if !ok {
				return nil
			}
		case <-s.wake:
		case <-refresh.C:
		case <-sweep.C:
			s.sweep(ctx)
			continue
		}
		if c, err := s.refreshStates(ctx, cursor); err == nil {
			cursor = c
		} else if ctx.Err() == nil {
			s.logger.WarnContext(ctx, "patrols: reading officer states", "err", err)
		}
		if id, err := s.publishAfter(ctx, lastEvent); err == nil || id > lastEvent {
			lastEvent = id
		} else if ctx.Err() == nil {
			s.logger.WarnContext(ctx, "patrols: reading events", "err", err)
		}
	}
}

// start reads the event position first, so no event committed from now
// on is missed, then starts the watch, then loads the states, retrying
// with backoff until the store answers; ok is false when ctx ended first.
func (s *Service) start(ctx context.Context) (cursor data.StateCursor, lastEvent int64, changes <-chan struct{}, ok bool) {
	backoff := time.Second
	for {
		var err error
		if lastEvent, err = s.store.LastEventID(ctx); err == nil {
			if changes, err = s.store.WatchPatrols(ctx); err == nil {
				cursor, err = s.refreshStates(ctx, 0)
			}
		}
		if err == nil {
			return cursor, lastEvent, changes, true
		}
		if ctx.Err() != nil {
			return cursor, lastEvent, nil, false
		}
		s.logger.WarnContext(ctx, "patrols: cannot read the store; retrying", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return cursor, lastEvent, nil, false
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// refreshStates brings the states changed since cursor onto the board.
func (s *Service) refreshStates(ctx context.Context, cursor data.StateCursor) (data.StateCursor, error) {
	states, next, err := s.store.States(ctx, cursor)
	if err != nil {
		return cursor, err
	}
	s.board.Merge(states...)
	return next, nil
}

// eventPage is how many events one read of the store takes.
const eventPage = 500

// publishAfter sends every event after id to the hub and returns the id
// of the last one sent.
func (s *Service) publishAfter(ctx context.Context, id int64) (int64, error) {
	for {
		evs, err := s.store.EventsAfter(ctx, id, eventPage)
		if err != nil {
			return id, err
		}
		if len(evs) == 0 {
			return id, nil
		}
		s.hub.Publish(evs)
		id = evs[len(evs)-1].ID
		if len(evs) < eventPage {
			return id, nil
		}
	}
}

// sweep declares silent officers; the events reach the streams through the
// store like every other and go to this server's webhooks. It runs with
// silence off too: the store does its housekeeping (expired batch keys)
// on the same call.
func (s *Service) sweep(ctx context.Context) {
	ix := s.live.Load()
	if ix == nil {
		return
	}
	evs, err := s.store.SweepSilent(ctx, s.Rules(ix), s.opts.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.logger.WarnContext(ctx, "patrols: looking for silent officers", "err", err)
		}
		return
	}
	evs = append(evs, s.RaiseUnvisited(ctx, ix)...)
	s.raised(evs)
}
