package planning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/plan"
	"jingge/geo/roster"
)

// IncidentSource gives the planner and the assessment their incidents.
type IncidentSource interface {
	// Incidents returns the incidents that occurred in [from, to),
	// attributed to the grids and stations in force when they occurred.
	Incidents(ctx context.Context, from, to time.Time) ([]geo.Incident, error)
}

// IncidentSourceFunc adapts a function to IncidentSource.
type IncidentSourceFunc func(ctx context.Context, from, to time.Time) ([]geo.Incident, error)

// Incidents implements IncidentSource.
func (f IncidentSourceFunc) Incidents(ctx context.Context, from, to time.Time) ([]geo.Incident, error) {
	return f(ctx, from, to)
}

// FixedIncidents serves a fixed set of incidents (the demo's synthetic
// year) as an IncidentSource.
func FixedIncidents(incidents []geo.Incident) IncidentSource {
	return IncidentSourceFunc(func(ctx context.Context, from, to time.Time) ([]geo.Incident, error) {
		out := make([]geo.Incident, 0, len(incidents))
		for _, inc := range incidents {
			if !inc.OccurredAt.Before(from) && inc.OccurredAt.Before(to) {
				out = append(out, inc)
			}
		}
		return out, ctx.Err()
	})
}

// StoreIncidents reads the incidents of a period from an incident store,
// page by page.
func StoreIncidents(st data.IncidentStore) IncidentSource {
	return IncidentSourceFunc(func(ctx context.Context, from, to time.Time) ([]geo.Incident, error) {
		var out []geo.Incident
		page := data.Page{Limit: data.MaxPageLimit}
		for {
			p, err := st.QueryIncidents(ctx, data.IncidentFilter{From: from, To: to}, page)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Incidents...)
			if p.Next == "" {
				return out, nil
			}
			page.Cursor = p.Next
		}
	})
}

// PingSource gives the patrol positions response coverage starts from.
type PingSource interface {
	// Pings returns the positions reported in [from, to), in the
	// dataset's datum.
	Pings(ctx context.Context, from, to time.Time) ([]geo.Ping, error)
}

// PingSourceFunc adapts a function to PingSource.
type PingSourceFunc func(ctx context.Context, from, to time.Time) ([]geo.Ping, error)

// Pings implements PingSource.
func (f PingSourceFunc) Pings(ctx context.Context, from, to time.Time) ([]geo.Ping, error) {
	return f(ctx, from, to)
}

// PatrolPings serves the latest position of every officer a patrol store
// knows, reported in [from, to): all response coverage needs of patrols.
func PatrolPings(ps data.PatrolStore) PingSource {
	return PingSourceFunc(func(ctx context.Context, from, to time.Time) ([]geo.Ping, error) {
		states, _, err := ps.States(ctx, 0)
		if err != nil {
			return nil, err
		}
		var out []geo.Ping
		for _, st := range states {
			if st.Seen() && !st.Last.At.Before(from) && st.Last.At.Before(to) {
				out = append(out, st.Last)
			}
		}
		return out, nil
	})
}

// Planner defaults.
const (
	// DefaultIncidentWindow is how far back the planner reads incidents:
	// with the default half-life of 180 days an incident a year old
	// weighs a quarter of a new one.
	DefaultIncidentWindow = 365 * 24 * time.Hour
	// DefaultPatrolMaxAge is how old a patrol's last position may be to
	// count as a response origin.
	DefaultPatrolMaxAge = 15 * time.Minute
)

// Options configure New. Zero fields take defaults; nil
// stores mean the planner keeps nothing: lists are empty and saving is a
// 503.
type Options struct {
	// Index is the index in force; it must be the server's.
	Index *geo.Live
	// Plans keeps and applies plans.
	Plans data.PlanStore
	// Assessments keeps the entered metrics of the monthly assessment.
	Assessments data.AssessmentStore
	// Visits feeds the assessment's measured familiarity and risk
	// warning; nil leaves those metrics entered.
	Visits data.VisitStore
	// Tasks feeds the assessment's measured control_tasks (the stations'
	// task lists); nil leaves that metric entered.
	Tasks data.TaskStore
	// Incidents feeds workload, response times and the assessment; nil
	// means none (workload then comes from area and population alone).
	Incidents IncidentSource
	// Pings feeds response coverage from patrols; nil means stations only.
	Pings PingSource
	// Config holds the planner's weights; nil means plan.DefaultConfig().
	Config *plan.Config
	// Now is the clock; nil means time.Now. The planner measures incident
	// ages from the start of the current hour, so figures do not drift
	// between requests a few seconds apart.
	Now func() time.Time
	// IncidentWindow is how far back incidents are read (DefaultIncidentWindow).
	IncidentWindow time.Duration
	// PatrolMaxAge bounds the age of patrol positions (DefaultPatrolMaxAge).
	PatrolMaxAge time.Duration
	// Logger receives model rebuilds; nil discards them.
	Logger *slog.Logger
	// Roster holds the roster rules a plan may not break when applied
	// and the roster report lists; nil means roster.DefaultConfig().
	Roster *roster.Config
}

// Planner answers the planner's questions about the index in force: its
// figures, proposals, saved plans and applying them, response coverage and
// the monthly assessment. The HTTP API and the jingge command share it. It
// is safe for concurrent use; it keeps one plan.Model, rebuilt when the
// index or the hour changes.
type Planner struct {
	live        *geo.Live
	plans       data.PlanStore
	assessments data.AssessmentStore
	visits      data.VisitStore
	tasks       data.TaskStore
	incidents   IncidentSource
	pings       PingSource
	cfg         plan.Config
	roster      roster.Config
	now         func() time.Time
	window      time.Duration
	patrolAge   time.Duration
	logger      *slog.Logger

	model   atomic.Pointer[planModel]
	buildMu sync.Mutex // one model build at a time
}

// New returns a planner for opts. It fails only for an invalid
// opts.Config.
func New(opts Options) (*Planner, error) {
	p := &Planner{
		live: opts.Index, plans: opts.Plans, assessments: opts.Assessments, visits: opts.Visits, tasks: opts.Tasks, incidents: opts.Incidents, pings: opts.Pings,
		now: opts.Now, window: opts.IncidentWindow, patrolAge: opts.PatrolMaxAge, logger: opts.Logger,
	}
	if p.live == nil {
		p.live = new(geo.Live)
	}
	if opts.Config != nil {
		p.cfg = *opts.Config
	} else {
		p.cfg = plan.DefaultConfig()
	}
	if err := p.cfg.Validate(); err != nil {
		return nil, fmt.Errorf("planning: planner: %w", err)
	}
	p.roster = roster.DefaultConfig()
	if opts.Roster != nil {
		p.roster = *opts.Roster
	}
	if err := p.roster.Validate(); err != nil {
		return nil, fmt.Errorf("planning: planner: %w", err)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.window <= 0 {
		p.window = DefaultIncidentWindow
	}
	if p.patrolAge <= 0 {
		p.patrolAge = DefaultPatrolMaxAge
	}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	return p, nil
}

// Config returns the planner's configuration.
func (p *Planner) Config() plan.Config { return p.cfg }

// planModel is the model of one index at one reference time, with what was
// needed to build it.
type planModel struct {
	ix        *geo.Index
	at        time.Time
	model     *plan.Model
	incidents []geo.Incident
	// dataset is the index's data.Fingerprint.
	dataset string
	names   map[string]string // station id -> name
}

// referenceTime is the start of the current hour.
func (p *Planner) referenceTime() time.Time { return p.now().Truncate(time.Hour) }

// errNoIndex is the 503 of a planner asked before any index is loaded.
var errNoIndex = &data.RequestError{Kind: data.ErrUnavailable, Message: "no dataset is loaded yet; retry shortly"}

// current returns the model of the index in force at the current reference
// time, building it when either changed.
func (p *Planner) current(ctx context.Context) (*planModel, error) {
	ix := p.live.Load()
	if ix == nil {
		return nil, errNoIndex
	}
	at := p.referenceTime()
	if m := p.model.Load(); m != nil && m.ix == ix && m.at.Equal(at) {
		return m, nil
	}
	p.buildMu.Lock()
	defer p.buildMu.Unlock()
	if m := p.model.Load(); m != nil && m.ix == ix && m.at.Equal(at) {
		return m, nil
	}
	start := time.Now()
	var incidents []geo.Incident
	if m := p.model.Load(); m != nil && m.at.Equal(at) {
		incidents = m.incidents // a new index, the same hour: the same incidents
	} else if p.incidents != nil {
		var err error
		if incidents, err = p.incidents.Incidents(ctx, at.Add(-p.window), at); err != nil {
			return nil, fmt.Errorf("planning: planner: reading incidents: %w", err)
		}
	}
	model, err := plan.NewModel(ix, incidents, at, p.cfg)
	if err != nil {
		return nil, planError(err)
	}
	ds := ix.Dataset()
	m := &planModel{ix: ix, at: at, model: model, incidents: incidents, dataset: data.Fingerprint(ds), names: make(map[string]string, len(ds.Stations))}
	for _, st := range ds.Stations {
		m.names[st.ID] = st.Name
	}
	p.model.Store(m)
	p.logger.InfoContext(ctx, "planner model built", "model", model.String(), "reference_time", at, "dataset", m.dataset, "duration", time.Since(start))
	return m, nil
}

// withConfig returns a model of the same index, incidents and time under
// cfg.
func (m *planModel) withConfig(cfg plan.Config) (*planModel, error) {
	model, err := plan.NewModel(m.ix, m.incidents, m.at, cfg)
	if err != nil {
		return nil, planError(err)
	}
	out := *m
	out.model = model
	return &out, nil
}

// planError turns an error of geo/plan into a problem: its own message for
// bad input (400), else an internal error.
func planError(err error) error {
	if errors.Is(err, plan.ErrInvalid) {
		msg := strings.TrimPrefix(err.Error(), plan.ErrInvalid.Error()+": ")
		return &data.RequestError{Kind: data.ErrInvalid, Type: "invalid-plan", Message: msg, Cause: err}
	}
	return err
}

// ContentError turns a *data.ValidationError in err (a store's, or
// ParseAssessmentCSV's) into an ErrInvalid refusal of type
// "invalid-content" listing its problems; other errors pass as they are.
func ContentError(err error) error {
	var verr *data.ValidationError
	if errors.As(err, &verr) {
		p := &data.RequestError{Kind: data.ErrInvalid, Type: "invalid-content", Message: verr.Error(), Cause: err}
		for _, pr := range verr.Problems {
			p.Params = append(p.Params, data.Param{Name: pr.Kind + " " + pr.ID, Reason: pr.Reason, Code: string(pr.Code)})
		}
		return p
	}
	return err
}

// errNoPlanStore is the answer to saving or applying on a server that keeps
// no plans.
var errNoPlanStore = &data.RequestError{Kind: data.ErrUnavailable, Message: "this server keeps no plans (it has no plan store)"}

// errNoAssessmentStore is the answer to entering metrics on a server that
// keeps none.
var errNoAssessmentStore = &data.RequestError{Kind: data.ErrUnavailable, Message: "this server keeps no assessment entries (it has no assessment store)"}
