package prevention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/plan"
	"jingge/geo/presence"
)

// Window limits of a presence report.
const (
	// DefaultWindow is the period read when the request names no start.
	DefaultWindow = 7 * 24 * time.Hour
	// MaxWindow bounds the period of one report: a month of pings of a
	// station's officers every 5 s is some ten million rows to read.
	MaxWindow = 31 * 24 * time.Hour
	// pagePings is how many pings are read from the store at once, so a
	// report holds one page per officer at a time, not the window.
	pagePings = 20000
)

// WorkloadSource gives the workload of every police grid (the planner's).
type WorkloadSource func(ctx context.Context) ([]plan.GridWorkload, error)

// Options configure New. Zero fields take defaults.
type Options struct {
	// Index is the index in force; it must be the server's.
	Index *geo.Live
	// Pings is where patrol positions are read; nil makes every report a
	// 503.
	Pings data.PatrolStore
	// Visits is where recorded visits are read: a visit by one of a
	// grid's own officers is a visit to the grid like a stay. Nil: stays
	// only.
	Visits data.VisitStore
	// UnvisitedAfter is how long a police grid may go without a visit
	// before a "grid not visited" event (LastVisits); 0 means
	// presence.DefaultUnvisitedAfter, negative never.
	UnvisitedAfter time.Duration
	// Workloads scale each grid's visit target; nil gives every grid
	// Target.PerWeek.
	Workloads WorkloadSource
	// Presence tunes the summary (max gap, minimum visit, the day's time
	// zone: the dataset's, geo.Index.Location, when nil).
	Presence presence.Options
	// Target is the visits a week a police grid should have; zero means
	// presence.DefaultTarget().
	Target presence.Target
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service answers presence reports. It is safe for concurrent use; the
// only thing it keeps between calls is each police grid's last visit
// (LastVisits), brought up to date on every call.
type Service struct {
	live      *geo.Live
	pings     data.PatrolStore
	visits    data.VisitStore
	after     time.Duration
	marks     lastVisits
	workloads WorkloadSource
	opts      presence.Options
	target    presence.Target
	now       func() time.Time
}

// New returns a Service, or an error naming a bad target.
func New(opts Options) (*Service, error) {
	s := &Service{live: opts.Index, pings: opts.Pings, visits: opts.Visits, after: opts.UnvisitedAfter, workloads: opts.Workloads, opts: opts.Presence, target: opts.Target, now: opts.Now}
	switch {
	case s.after == 0:
		s.after = presence.DefaultUnvisitedAfter
	case s.after < 0:
		s.after = 0
	}
	if s.live == nil {
		s.live = new(geo.Live)
	}
	if s.opts.MaxGap <= 0 {
		s.opts.MaxGap = presence.DefaultMaxGap
	}
	if s.opts.MinVisit <= 0 {
		s.opts.MinVisit = presence.DefaultMinVisit
	}
	if s.target == (presence.Target{}) {
		s.target = presence.DefaultTarget()
	}
	if err := s.target.Check(); err != nil {
		return nil, fmt.Errorf("prevention: %w", err)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Options returns the summary's options in force, defaults filled in.
func (s *Service) Options() presence.Options {
	o := s.opts
	o.Location = s.Location()
	return o
}

// Target returns the visit target in force.
func (s *Service) Target() presence.Target { return s.target }

// Location returns the time zone days are counted in: Options.Presence's,
// or else the dataset's in force (UTC before one is loaded).
func (s *Service) Location() *time.Location {
	if s.opts.Location != nil {
		return s.opts.Location
	}
	if ix := s.live.Load(); ix != nil {
		return ix.Location()
	}
	return time.UTC
}

// errNoPings answers reports on a server without a patrol store.
var errNoPings = &data.RequestError{Kind: data.ErrUnavailable, Message: "this server keeps no patrol data, so it cannot measure presence"}

// errNoIndex answers reports before a dataset is loaded.
var errNoIndex = &data.RequestError{Kind: data.ErrUnavailable, Message: "no dataset is loaded yet; retry shortly"}

// summarize reads the pings of officers in [from, to) (and MaxGap before,
// so the first minutes count) and summarises them.
func (s *Service) summarize(ctx context.Context, ix *geo.Index, officers []string, from, to time.Time) (presence.Summary, error) {
	sum := presence.New(ix, from, to, s.Options())
	for _, id := range officers {
		start := from.Add(-s.opts.MaxGap)
		for {
			pings, more, err := s.pings.Track(ctx, id, start, to, pagePings)
			if err != nil {
				return presence.Summary{}, fmt.Errorf("prevention: reading the pings of %s: %w", id, err)
			}
			sum.Add(pings)
			if !more || len(pings) == 0 {
				break
			}
			// Pings at the same instant as the page's last add no time.
			start = pings[len(pings)-1].At.Add(time.Nanosecond)
		}
		if err := ctx.Err(); err != nil {
			return presence.Summary{}, err
		}
	}
	return sum.Summary(), nil
}

// workloadsByGrid returns each police grid's workload and their mean;
// nil and 0 when no workload is known.
func (s *Service) workloadsByGrid(ctx context.Context) (map[string]float64, float64, error) {
	if s.workloads == nil {
		return nil, 0, nil
	}
	ws, err := s.workloads(ctx)
	if err != nil {
		var re *data.RequestError
		if errors.As(err, &re) {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("prevention: grid workloads: %w", err)
	}
	out := make(map[string]float64, len(ws))
	sum := 0.0
	for _, w := range ws {
		out[w.GridID] = w.Workload
		sum += w.Workload
	}
	if len(ws) == 0 {
		return out, 0, nil
	}
	return out, sum / float64(len(ws)), nil
}
