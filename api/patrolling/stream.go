package patrolling

import (
	"context"
	"errors"
	"time"
)

// Sink is where a stream writes, one event at a time; the API's
// Server-Sent Events writer is one. An error ends the stream.
type Sink interface {
	// Event writes an event with an id, which a client resumes after.
	Event(id int64, payload any) error
	// Named writes an event with a name and no id.
	Named(name string, payload any) error
	// Comment writes a line clients ignore.
	Comment(text string) error
}

// Guard ends a stream whose admission no longer holds: Check is called
// whenever C fires and returns nil while the stream may go on, else the
// data of the event named "end" that says why it ends. A zero Guard never
// ends a stream.
type Guard struct {
	C     <-chan time.Time
	Check func(ctx context.Context) (end any)
}

// Why a stream ended, beside the client leaving (ctx's error) and a write
// failing (the Sink's error).
var (
	// ErrStreamClosing: the server is shutting down (CloseStreams).
	ErrStreamClosing = errors.New("patrolling: server shutting down")
	// ErrStreamEnded: the Guard ended the stream.
	ErrStreamEnded = errors.New("patrolling: stream admission no longer holds")
	errLagged      = errors.New("patrolling: stream client lagged")
)

// commentClosing is the goodbye of a stream the server closes.
const commentClosing = "server shutting down; reconnect"

// StreamFrom returns the id after which a stream asked with q starts:
// q.After, or the last event's id for a stream without one or with an id
// from the future (another database, or one reset), which would hold back
// every event until ids caught up with it.
func (s *Service) StreamFrom(ctx context.Context, q EventQuery) (int64, error) {
	last, err := s.store.LastEventID(ctx)
	if err != nil {
		return 0, err
	}
	if !q.HasAfter || q.After > last {
		return last, nil
	}
	return q.After, nil
}

// StreamEvents sends every event after after to sink until the client
// leaves (ctx), the server shuts down or Run returns, or guard ends the
// stream, and says why it ended (ctx's error, ErrStreamClosing,
// ErrStreamEnded, the store's error or the Sink's error). Missed events
// are replayed from the store, then the stream follows the hub through
// sub; a client the hub cut loose (too slow, or subscribed before Run
// went live) is caught up from the store again. Each event is sent once,
// in id order, and none is skipped: events the store no longer keeps are
// announced by an event named "gap". The stream leaves the hub when it
// returns.
func (s *Service) StreamEvents(ctx context.Context, sink Sink, sub *Subscriber, after int64, guard Guard) error {
	heartbeat := time.NewTicker(s.opts.Heartbeat)
	defer heartbeat.Stop()
	for {
		var err error
		after, err = s.replay(ctx, sink, after)
		if err != nil {
			s.hub.Unsubscribe(sub)
			return err
		}
		after, err = s.follow(ctx, sink, sub, heartbeat.C, guard, after)
		if !errors.Is(err, errLagged) {
			s.hub.Unsubscribe(sub)
			return err
		}
		var ok bool
		if sub, ok = s.hub.Subscribe(); !ok {
			_ = sink.Comment(commentClosing)
			return ErrStreamClosing
		}
	}
}

// replay sends the stored events after after, page by page, and returns
// the id of the last one sent.
func (s *Service) replay(ctx context.Context, sink Sink, after int64) (int64, error) {
	gap, err := s.gapAfter(ctx, after)
	if err != nil {
		return after, err
	}
	if gap != nil {
		if err := sink.Named("gap", gap); err != nil {
			return after, err
		}
	}
	for {
		evs, err := s.store.EventsAfter(ctx, after, eventPage)
		if err != nil {
			return after, err
		}
		n := s.names()
		for _, e := range evs {
			if err := sink.Event(e.ID, n.Event(e)); err != nil {
				return after, err
			}
			after = e.ID
		}
		if len(evs) < eventPage {
			return after, nil
		}
	}
}

// follow sends the hub's events with ids above after, and heartbeats,
// until the client leaves, the hub drops it (errLagged) or closes, or the
// guard ends the stream (an event named end says why). An event that
// does not follow the last one sent is sent only after the store was
// asked for those between, so no event is skipped without a gap event.
func (s *Service) follow(ctx context.Context, sink Sink, sub *Subscriber, heartbeat <-chan time.Time, guard Guard, after int64) (int64, error) {
	for {
		select {
		case <-ctx.Done():
			return after, ctx.Err()
		case <-guard.C:
			if end := guard.Check(ctx); end != nil {
				_ = sink.Named("end", end)
				return after, ErrStreamEnded
			}
		case <-heartbeat:
			if err := sink.Comment("heartbeat"); err != nil {
				return after, err
			}
		case e, ok := <-sub.ch:
			switch {
			case !ok && sub.lagged:
				return after, errLagged
			case !ok:
				_ = sink.Comment(commentClosing)
				return after, ErrStreamClosing
			case e.ID <= after:
				continue
			case e.ID > after+1:
				// The events between did not come through the hub: Run
				// read past them in a store that dropped them before
				// they were published (the embedded store's ring), or
				// they never were (ids a failed PostgreSQL transaction
				// drew, which costs each stream this one read). The
				// store answers which; a gap event announces those it
				// no longer has.
				var err error
				if after, err = s.replay(ctx, sink, after); err != nil {
					return after, err
				}
				if e.ID <= after {
					continue
				}
			}
			if err := sink.Event(e.ID, s.names().Event(e)); err != nil {
				return after, err
			}
			after = e.ID
		}
	}
}
