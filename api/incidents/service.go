package incidents

import (
	"context"
	"errors"

	"jingge/data"
	"jingge/geo"
	"jingge/tiles"
)

// DefaultMaxBatch is the largest batch Service.Create takes when
// Options.MaxBatch is zero.
const DefaultMaxBatch = 5000

// attributionRetries is how often a batch is attributed again when the
// grids change between its attribution and its commit.
const attributionRetries = 2

// Options configure a Service.
type Options struct {
	// Store keeps the incidents; nil makes a Service that keeps none
	// (Enabled is false).
	Store data.IncidentStore
	// Timeline is the grid history incidents are attributed against (the
	// grids in force when each occurred); nil attributes records by the
	// index in force and takes no incidents.
	Timeline data.GridTimeline
	// Index holds the index in force, which the attribution starts from.
	Index *geo.Live
	// MaxBatch is the largest number of incidents one batch may hold;
	// zero is DefaultMaxBatch.
	MaxBatch int
	// OnAdded, when set, hears of every committed batch, so caches of
	// incident tiles can drop what it changes.
	OnAdded func([]geo.Incident)
	// Tiles draws incidents as vector tiles; it hears of every batch too.
	Tiles *tiles.IncidentLayer
}

// Service stores and reads incidents. It keeps no state of its own
// beyond its options and is safe for concurrent use.
type Service struct {
	store      data.IncidentStore
	timeline   data.GridTimeline
	attributor *data.Attributor
	maxBatch   int
	onAdded    func([]geo.Incident)
	tiles      *tiles.IncidentLayer
}

// New returns a Service for opts.
func New(opts Options) *Service {
	s := &Service{store: opts.Store, timeline: opts.Timeline, maxBatch: opts.MaxBatch, onAdded: opts.OnAdded, tiles: opts.Tiles}
	if s.maxBatch <= 0 {
		s.maxBatch = DefaultMaxBatch
	}
	if s.timeline != nil {
		s.attributor = data.NewAttributor(s.timeline, opts.Index.Load)
	}
	return s
}

// Attributor attributes points to the grids in force where and when they
// were; nil without a grid history. The prevention records share it.
func (s *Service) Attributor() *data.Attributor { return s.attributor }

// Store is the incident store; nil when the server keeps no incidents.
func (s *Service) Store() data.IncidentStore { return s.store }

// Tiles is the incidents tile layer; nil when there is none.
func (s *Service) Tiles() *tiles.IncidentLayer { return s.tiles }

// CanCreate reports whether the Service takes new incidents: it needs a
// store and a grid history to attribute them against.
func (s *Service) CanCreate() bool { return s.store != nil && s.attributor != nil }

// add attributes batch and stores it, attributing again when the grids
// change in between. batch gets its attribution and ids.
func (s *Service) add(ctx context.Context, batch []geo.Incident, key, scope string) (data.AddResult, error) {
	for attempt := 0; ; attempt++ {
		b := data.IncidentBatch{Incidents: batch, Key: key, Scope: scope}
		if err := s.attributor.Attribute(ctx, &b); err != nil {
			return data.AddResult{}, err
		}
		res, err := s.store.AddIncidents(ctx, b)
		if errors.Is(err, data.ErrStaleAttribution) && attempt < attributionRetries {
			continue
		}
		if err != nil {
			return data.AddResult{}, err
		}
		for i := range batch {
			batch[i].ID = res.IDs[i]
		}
		if !res.Replayed {
			if s.tiles != nil {
				s.tiles.Added(batch)
			}
			if s.onAdded != nil {
				s.onAdded(batch)
			}
		}
		return res, nil
	}
}

// gridEverExisted asks the grid history whether id was ever a grid code.
func (s *Service) gridEverExisted(ctx context.Context, id string) bool {
	if s.timeline == nil {
		return false
	}
	_, err := s.timeline.GridHistory(ctx, id)
	return err == nil
}
