package patrolling

import (
	"log/slog"
	"sync/atomic"

	"jingge/api/patrolling/webhook"
	"jingge/api/prevention"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// Config is what a Service works with.
type Config struct {
	// Store keeps pings, states and events; nil means the server keeps no
	// patrol data, and only Options, Rules and Hub may be used.
	Store data.PatrolStore
	// Options tune the service; their zero fields take the defaults.
	Options Options
	// Logger hears of store failures the service retries.
	Logger *slog.Logger
	// Live is the index in force, which the sweeps check against.
	Live *geo.Live
	// Presence tells the sweeps when each grid's officers last came; nil
	// raises no "grid not visited" events.
	Presence *prevention.Service
	// Names returns the dataset in force to name events with; nil, or a
	// zero Names, sends ids and the dataset's datum only.
	Names func() Names
}

// Service is the live state of patrols on one server: the board of latest
// officer states, the event hub that feeds the streams, the webhooks, and
// the rules of the index in force. Its methods are safe for concurrent use.
type Service struct {
	store    data.PatrolStore
	opts     Options
	logger   *slog.Logger
	live     *geo.Live
	presence *prevention.Service
	names    func() Names
	board    *patrol.Board
	hub      *Hub
	hooks    *webhook.Queue
	rules    atomic.Pointer[patrol.Rules]
	// wake asks the loop in Run to read the store now (after a local
	// write), without waiting for the notification.
	wake chan struct{}
}

// New returns the service of cfg.
func New(cfg Config) *Service {
	opts := cfg.Options.WithDefaults()
	s := &Service{
		store:    cfg.Store,
		opts:     opts,
		logger:   cfg.Logger,
		live:     cfg.Live,
		presence: cfg.Presence,
		names:    cfg.Names,
		board:    opts.Board,
		hub:      NewHub(opts.StreamBuffer),
		wake:     make(chan struct{}, 1),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.names == nil {
		s.names = func() Names { return Names{} }
	}
	s.hooks = webhook.New(opts.Webhooks, s.logger, func(evs []patrol.Event) any {
		return WebhookBody{Events: s.names().Events(evs)}
	})
	return s
}

// Store is the patrol store; nil when the server keeps no patrol data.
func (s *Service) Store() data.PatrolStore { return s.store }

// Options are the service's options with their defaults filled in.
func (s *Service) Options() Options { return s.opts }

// Board holds the latest state of every officer known.
func (s *Service) Board() *patrol.Board { return s.board }

// Hub fans the events read from the store out to the stream clients.
func (s *Service) Hub() *Hub { return s.hub }

// Rules returns the geofence rules of ix, derived once per index.
func (s *Service) Rules(ix *geo.Index) *patrol.Rules {
	if r := s.rules.Load(); r != nil && r.Index() == ix {
		return r
	}
	// Two requests racing here both derive the rules; either is correct.
	r := patrol.NewRules(ix, patrol.Options{SilentAfter: s.opts.SilentAfter, FenceKinds: s.opts.FenceKinds})
	s.rules.Store(r)
	return r
}

// Committed takes in what a write of this server committed: the states
// go on the board at once, the events to the webhooks, and the loop is
// woken to publish the events to the streams.
func (s *Service) Committed(states []patrol.State, events []patrol.Event) {
	s.board.Merge(states...)
	s.raised(events)
}

// raised hands events this server produced to the webhooks and wakes the
// loop to publish them.
func (s *Service) raised(events []patrol.Event) {
	s.hooks.Enqueue(events)
	if len(events) > 0 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// CloseStreams ends every event stream, telling clients to reconnect
// elsewhere.
func (s *Service) CloseStreams() { s.hub.Close() }
