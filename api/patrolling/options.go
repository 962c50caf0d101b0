package patrolling

import (
	"time"

	"jingge/api/patrolling/webhook"
	"jingge/geo"
	"jingge/geo/patrol"
)

// Options tune the live side of patrols. Zero fields take the defaults.
type Options struct {
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
	Webhooks webhook.Options
	// Board holds the latest officer states the server keeps; nil makes
	// one. Pass one to share it, e.g. with a tiles.PatrolLayer.
	Board *patrol.Board
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultSilentAfter     = 10 * time.Minute
	DefaultRefreshInterval = 30 * time.Second
	DefaultMaxPingAhead    = 2 * time.Minute
	DefaultMaxPingAge      = 7 * 24 * time.Hour
	DefaultMovingSpeedMPS  = 0.5
	DefaultHeartbeat       = 15 * time.Second
	DefaultStreamBuffer    = 256
	DefaultWriteWait       = 10 * time.Second
	// DefaultPositionInterval is how often a positions stream looks for
	// changed officers when PositionInterval is zero.
	DefaultPositionInterval = 2 * time.Second
)

// WithDefaults returns o with every zero field set to its default (and a
// negative SilentAfter to zero, "never"); it makes a Board when o has none.
func (o Options) WithDefaults() Options {
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
