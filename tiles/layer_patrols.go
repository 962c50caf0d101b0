package tiles

import (
	"context"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"jingge/geo"
	"jingge/geo/crs"
	"jingge/geo/patrol"
)

// LayerPatrols is the name of the live patrol layer.
const LayerPatrols = "patrols"

// PatrolStates gives the patrol layer every officer's latest state;
// *patrol.Board is one.
type PatrolStates interface {
	States() []patrol.State
}

// PatrolLayerOptions configure NewPatrolLayer. Zero fields take defaults.
type PatrolLayerOptions struct {
	// MinZoom is the first zoom with patrols (default 8: the county on a
	// screen); they are drawn at every zoom above it.
	MinZoom int
	// SilentAfter marks an officer silent when their latest position is
	// this old (default 10 minutes; negative: only when the state says so).
	SilentAfter time.Duration
	// MovingSpeedMPS is the speed from which an officer counts as moving
	// (default 0.5 m/s).
	MovingSpeedMPS float64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// PatrolLayer draws every officer's latest position as a point, with their
// status, so a map can show who is where now. It is volatile: its tiles are
// rendered on every request and never cached, and it is not part of the
// combined tile. Safe for concurrent use.
type PatrolLayer struct {
	live   *geo.Live
	states PatrolStates
	opts   PatrolLayerOptions
}

var patrolFields = []Field{
	{Name: "officer", Type: "String", Description: "the officer's member id"},
	{Name: "name", Type: "String", Description: "the officer's name"},
	{Name: "role", Type: "String", Description: "community_officer or auxiliary_officer"},
	{Name: "station", Type: "String", Description: "the officer's station id"},
	{Name: "grid", Type: "String", Description: "the grid the officer is in; absent outside every grid"},
	{Name: "status", Type: "String", Description: "moving, stopped or silent"},
	{Name: "in_area", Type: "Boolean", Description: "inside the officer's assigned area"},
	{Name: "age_seconds", Type: "Number", Description: "how old the position is"},
	{Name: "heading_deg", Type: "Number", Description: "heading, degrees clockwise from north; absent when unknown"},
}

// NewPatrolLayer returns the patrol layer of the states, following the
// index in force for names and datum.
func NewPatrolLayer(live *geo.Live, states PatrolStates, opts PatrolLayerOptions) *PatrolLayer {
	if opts.MinZoom <= 0 {
		opts.MinZoom = 8
	}
	if opts.SilentAfter == 0 {
		opts.SilentAfter = 10 * time.Minute
	}
	if opts.MovingSpeedMPS <= 0 {
		opts.MovingSpeedMPS = 0.5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &PatrolLayer{live: live, states: states, opts: opts}
}

// Info implements Layer.
func (l *PatrolLayer) Info() LayerInfo {
	return LayerInfo{ID: LayerPatrols, Description: "Officers on patrol: each one's latest position and status, live",
		MinZoom: l.opts.MinZoom, MaxZoom: MaxZoom, Fields: patrolFields, Volatile: true}
}

// Render implements Layer.
func (l *PatrolLayer) Render(_ context.Context, t maptile.Tile) (*mvt.Layer, error) {
	ix := l.live.Load()
	if ix == nil {
		return nil, ErrNoIndex
	}
	if int(t.Z) < l.opts.MinZoom {
		return nil, nil
	}
	datum, err := crs.Parse(ix.Meta().Datum)
	if err != nil || ix.Meta().Datum == "" {
		datum = crs.WGS84
	}
	f := Frame{Tile: t, Extent: DefaultExtent, Buffer: DefaultBuffer}
	now := l.opts.Now()
	out := &mvt.Layer{Name: LayerPatrols, Version: 2, Extent: f.Extent}
	for _, st := range l.states.States() {
		p := f.Point(crs.Convert(st.Last.Location, datum, crs.WGS84))
		if !f.Contains(p) {
			continue
		}
		out.Features = append(out.Features, &geojson.Feature{Geometry: orb.Point(p), Properties: l.properties(ix, st, now)})
	}
	if len(out.Features) == 0 {
		return nil, nil
	}
	return out, nil
}

func (l *PatrolLayer) properties(ix *geo.Index, st patrol.State, now time.Time) geojson.Properties {
	age := math.Max(0, math.Round(now.Sub(st.Last.At).Seconds()))
	status := "stopped"
	switch {
	case st.Silent || l.opts.SilentAfter > 0 && now.Sub(st.Last.At) >= l.opts.SilentAfter:
		status = "silent"
	case st.Last.SpeedMPS >= l.opts.MovingSpeedMPS:
		status = "moving"
	}
	props := geojson.Properties{"officer": st.Officer, "status": status, "in_area": st.InArea, "age_seconds": age}
	if m, ok := ix.Member(st.Officer); ok {
		props["name"], props["role"], props["station"] = m.Name, string(m.Role), m.StationID
	}
	if st.Last.GridID != "" {
		props["grid"] = st.Last.GridID
	}
	if !math.IsNaN(st.Last.HeadingDeg) {
		props["heading_deg"] = math.Round(st.Last.HeadingDeg)
	}
	return props
}
