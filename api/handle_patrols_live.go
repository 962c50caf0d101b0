package api

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
	"jingge/tiles"
)

// PatrolOptions tune the live side of patrols. Zero fields take the defaults.
type PatrolOptions struct {
	// SilentAfter is how long an officer may go without reporting before a
	// "silent" event (default 10 minutes; negative: never).
	SilentAfter time.Duration
	// SweepInterval is how often the server looks for silent officers
	// (default a tenth of SilentAfter, between 1 s and 30 s; a minute with
	// silence off, for the store's housekeeping).
	SweepInterval time.Duration
	// RefreshInterval is how often the server re-reads officer states and
	// events even without a notification from the store (default 30 s): a
	// safety net under LISTEN/NOTIFY.
	RefreshInterval time.Duration
	// MaxPingAhead is how far past the server's clock a ping's time may
	// be (default 2 minutes, for devices whose clocks run fast).
	MaxPingAhead time.Duration
	// MaxPingAge is how old a ping may be (default 7 days).
	MaxPingAge time.Duration
	// MovingSpeedMPS is the speed from which an officer counts as moving
	// (default 0.5 m/s).
	MovingSpeedMPS float64
	// Heartbeat is how often an idle event stream gets a comment line, so
	// proxies keep it open and dead clients are noticed (default 15 s).
	Heartbeat time.Duration
	// PositionInterval is how often a positions stream
	// (GET /api/v1/patrols/stream) sends the officers that changed
	// (default DefaultPositionInterval).
	PositionInterval time.Duration
	// StreamBuffer is how many events may wait for one slow stream client
	// before it is caught up from the store instead (default 256).
	StreamBuffer int
	// WriteWait bounds each write to a stream client (default 10 s); a
	// client that cannot take a write that long is disconnected.
	WriteWait time.Duration
	// FenceKinds are the kinds of special area whose borders raise
	// overlay_enter and overlay_leave events (patrol.Options.FenceKinds):
	// nil means patrol.DefaultFenceKinds, an empty list none.
	FenceKinds []geo.AreaKind
	// Webhooks receive the events this server produces.
	Webhooks WebhookOptions
	// Board holds the latest officer states the server keeps; nil makes
	// one. Pass one to share it, e.g. with a tiles.PatrolLayer.
	Board *patrol.Board
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Defaults of PatrolOptions.
const (
	DefaultSilentAfter     = 10 * time.Minute
	DefaultRefreshInterval = 30 * time.Second
	DefaultMaxPingAhead    = 2 * time.Minute
	DefaultMaxPingAge      = 7 * 24 * time.Hour
	DefaultMovingSpeedMPS  = 0.5
	DefaultHeartbeat       = 15 * time.Second
	DefaultStreamBuffer    = 256
	DefaultWriteWait       = 10 * time.Second
)

func (o PatrolOptions) withDefaults() PatrolOptions {
	switch {
	case o.SilentAfter == 0:
		o.SilentAfter = DefaultSilentAfter
	case o.SilentAfter < 0:
		o.SilentAfter = 0
	}
	switch {
	case o.SweepInterval > 0:
	case o.SilentAfter == 0:
		o.SweepInterval = time.Minute // housekeeping only
	default:
		o.SweepInterval = min(max(o.SilentAfter/10, time.Second), 30*time.Second)
	}
	if o.RefreshInterval <= 0 {
		o.RefreshInterval = DefaultRefreshInterval
	}
	if o.MaxPingAhead <= 0 {
		o.MaxPingAhead = DefaultMaxPingAhead
	}
	if o.MaxPingAge <= 0 {
		o.MaxPingAge = DefaultMaxPingAge
	}
	if o.MovingSpeedMPS <= 0 {
		o.MovingSpeedMPS = DefaultMovingSpeedMPS
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.PositionInterval <= 0 {
		o.PositionInterval = DefaultPositionInterval
	}
	if o.StreamBuffer <= 0 {
		o.StreamBuffer = DefaultStreamBuffer
	}
	if o.WriteWait <= 0 {
		o.WriteWait = DefaultWriteWait
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Board == nil {
		o.Board = patrol.NewBoard()
	}
	return o
}

// patrols is the live state of patrols on one server: the board of latest
// officer states, the event hub that feeds the streams, the webhooks, and
// the rules of the index in force.
type patrols struct {
	store  data.PatrolStore // nil: patrols are not configured
	opts   PatrolOptions
	logger *slog.Logger
	board  *patrol.Board
	hub    *hub
	hooks  *webhooks
	rules  atomic.Pointer[patrol.Rules]
	// wake asks the loop in Run to read the store now (after a local
	// write), without waiting for the notification.
	wake chan struct{}
}

func newPatrols(store data.PatrolStore, opts PatrolOptions, logger *slog.Logger) *patrols {
	opts = opts.withDefaults()
	return &patrols{
		store:  store,
		opts:   opts,
		logger: logger,
		board:  opts.Board,
		hub:    newHub(opts.StreamBuffer),
		hooks:  newWebhooks(opts.Webhooks, logger),
		wake:   make(chan struct{}, 1),
	}
}

// rulesFor returns the geofence rules of ix, derived once per index.
func (p *patrols) rulesFor(ix *geo.Index) *patrol.Rules {
	if r := p.rules.Load(); r != nil && r.Index() == ix {
		return r
	}
	// Two requests racing here both derive the rules; either is correct.
	r := patrol.NewRules(ix, patrol.Options{SilentAfter: p.opts.SilentAfter, FenceKinds: p.opts.FenceKinds})
	p.rules.Store(r)
	return r
}

// committed takes in what a write of this server committed: the states
// go on the board at once, the events to the webhooks, and the loop is
// woken to publish the events to the streams.
func (p *patrols) committed(states []patrol.State, events []patrol.Event) {
	p.board.Merge(states...)
	p.hooks.enqueue(events)
	if len(events) > 0 {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// Run keeps the server's patrol picture current until ctx ends: it loads
// every officer's state, then follows the store (its notifications, and a
// re-read every RefreshInterval) to bring other servers' states onto the
// board and every new event to the streams, declares silent officers every
// SweepInterval, and delivers webhooks. Without a patrol store it only
// waits for ctx. The request handlers work without Run, but the board is
// then this server's writes only and streams get no events.
func (s *Server) Run(ctx context.Context) error {
	p := s.patrols
	if p.store == nil {
		<-ctx.Done()
		return nil
	}
	hooksDone := p.hooks.start(ctx)
	defer func() { <-hooksDone }()
	var cursor data.StateCursor
	var lastEvent int64
	var changes <-chan struct{}
	backoff := time.Second
	// Start: the event position first, so no event committed from now on
	// is missed, then the watch, then the states.
	for {
		var err error
		if lastEvent, err = p.store.LastEventID(ctx); err == nil {
			if changes, err = p.store.WatchPatrols(ctx); err == nil {
				cursor, err = p.refreshStates(ctx, 0)
			}
		}
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		p.logger.WarnContext(ctx, "patrols: cannot read the store; retrying", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
	p.logger.InfoContext(ctx, "patrols: live", "officers_known", p.board.Len(), "last_event", lastEvent)
	sweep := time.NewTicker(p.opts.SweepInterval)
	defer sweep.Stop()
	refresh := time.NewTicker(p.opts.RefreshInterval)
	defer refresh.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-changes:
			if !ok {
				return nil
			}
		case <-p.wake:
		case <-refresh.C:
		case <-sweep.C:
			p.sweep(ctx, s)
			continue
		}
		if c, err := p.refreshStates(ctx, cursor); err == nil {
			cursor = c
		} else if ctx.Err() == nil {
			p.logger.WarnContext(ctx, "patrols: reading officer states", "err", err)
		}
		if id, err := p.publishAfter(ctx, lastEvent); err == nil || id > lastEvent {
			lastEvent = id
		} else if ctx.Err() == nil {
			p.logger.WarnContext(ctx, "patrols: reading events", "err", err)
		}
	}
}

// refreshStates brings the states changed since cursor onto the board.
func (p *patrols) refreshStates(ctx context.Context, cursor data.StateCursor) (data.StateCursor, error) {
	states, next, err := p.store.States(ctx, cursor)
	if err != nil {
		return cursor, err
	}
	p.board.Merge(states...)
	return next, nil
}

// eventPage is how many events one read of the store takes.
const eventPage = 500

// publishAfter sends every event after id to the hub and returns the id
// of the last one sent.
func (p *patrols) publishAfter(ctx context.Context, id int64) (int64, error) {
	for {
		evs, err := p.store.EventsAfter(ctx, id, eventPage)
		if err != nil {
			return id, err
		}
		if len(evs) == 0 {
			return id, nil
		}
		p.hub.publish(evs)
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
func (p *patrols) sweep(ctx context.Context, s *Server) {
	ix := s.live.Load()
	if ix == nil {
		return
	}
	evs, err := p.store.SweepSilent(ctx, p.rulesFor(ix), p.opts.Now())
	if err != nil {
		if ctx.Err() == nil {
			p.logger.WarnContext(ctx, "patrols: looking for silent officers", "err", err)
		}
		return
	}
	evs = append(evs, p.raiseUnvisited(ctx, s, ix)...)
	if len(evs) > 0 {
		p.hooks.enqueue(evs)
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// CloseStreams ends every event stream, telling clients to reconnect
// elsewhere; register it with http.Server.RegisterOnShutdown, since
// Shutdown does not wait for streams to end by themselves.
func (s *Server) CloseStreams() { s.patrols.hub.close() }

// patrolTileLayers returns the live patrols tile layer, drawn from the
// board the server will keep (made here when opts has none), or nothing
// without a patrol store.
func patrolTileLayers(live *geo.Live, store data.PatrolStore, opts *PatrolOptions) []tiles.Layer {
	if store == nil {
		return nil
	}
	if opts.Board == nil {
		opts.Board = patrol.NewBoard()
	}
	o := opts.withDefaults()
	silent := o.SilentAfter
	if silent == 0 {
		silent = -1 // never
	}
	return []tiles.Layer{tiles.NewPatrolLayer(live, opts.Board, tiles.PatrolLayerOptions{
		SilentAfter: silent, MovingSpeedMPS: o.MovingSpeedMPS, Now: o.Now})}
}
