package patrolling

import (
	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
	"jingge/tiles"
)

// TileLayers returns the live patrols tile layer, drawn from the board
// the service will keep (made here, and set in opts, when opts has none),
// or nothing without a patrol store.
func TileLayers(live *geo.Live, store data.PatrolStore, opts *Options) []tiles.Layer {
	if store == nil {
		return nil
	}
	if opts.Board == nil {
		opts.Board = patrol.NewBoard()
	}
	o := opts.WithDefaults()
	silent := o.SilentAfter
	if silent == 0 {
		silent = -1 // never
	}
	return []tiles.Layer{tiles.NewPatrolLayer(live, opts.Board, tiles.PatrolLayerOptions{
		SilentAfter: silent, MovingSpeedMPS: o.MovingSpeedMPS, Now: o.Now})}
}
