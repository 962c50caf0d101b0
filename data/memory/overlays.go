package memory

import (
	"context"
	"time"

	"jingge/data"
	"jingge/geo"
)

var _ data.OverlayEditor = (*Store)(nil)

// overlayRecord is what an edit of one area or place did: the area or
// place put in force (with its version), or the id taken out of force.
type overlayRecord struct {
	Area        *geo.Area
	Place       *geo.Place
	DeleteArea  string
	DeletePlace string
	At          time.Time
}

// areaOverlay is the dataset's special areas.
var areaOverlay = overlayKind[geo.Area]{
	name:  "area",
	list:  func(ds *geo.Dataset) *[]geo.Area { return &ds.Areas },
	key:   func(a *geo.Area) (string, *int) { return a.ID, &a.Version },
	same:  geo.SameArea,
	clone: cloneArea,
	put: func(a *geo.Area, at time.Time) (recordKind, any) {
		return recOverlay, overlayRecord{Area: a, At: at}
	},
	remove: func(id string, at time.Time) (recordKind, any) {
		return recOverlay, overlayRecord{DeleteArea: id, At: at}
	},
}

// placeOverlay is the dataset's key places.
var placeOverlay = overlayKind[geo.Place]{
	name:  "place",
	list:  func(ds *geo.Dataset) *[]geo.Place { return &ds.Places },
	key:   func(p *geo.Place) (string, *int) { return p.ID, &p.Version },
	same:  geo.SamePlace,
	clone: func(p geo.Place) geo.Place { return p },
	put: func(p *geo.Place, at time.Time) (recordKind, any) {
		return recOverlay, overlayRecord{Place: p, At: at}
	},
	remove: func(id string, at time.Time) (recordKind, any) {
		return recOverlay, overlayRecord{DeletePlace: id, At: at}
	},
}

// PutArea implements data.OverlayEditor.
func (s *Store) PutArea(ctx context.Context, e data.AreaEdit) (geo.Area, error) {
	return putOverlay(ctx, s, &areaOverlay, e.Area, e.Create, e.BaseVersion)
}

// PutPlace implements data.OverlayEditor.
func (s *Store) PutPlace(ctx context.Context, e data.PlaceEdit) (geo.Place, error) {
	return putOverlay(ctx, s, &placeOverlay, e.Place, e.Create, e.BaseVersion)
}

// DeleteArea implements data.OverlayEditor.
func (s *Store) DeleteArea(ctx context.Context, d data.OverlayDelete) error {
	return deleteOverlay(ctx, s, &areaOverlay, d)
}

// DeletePlace implements data.OverlayEditor.
func (s *Store) DeletePlace(ctx context.Context, d data.OverlayDelete) error {
	return deleteOverlay(ctx, s, &placeOverlay, d)
}

// replayOverlay applies an overlay record as it was done. It runs at open,
// unshared, without validating again.
func (s *Store) replayOverlay(r overlayRecord) {
	switch {
	case r.Area != nil:
		replayPut(s, &areaOverlay, *r.Area)
	case r.Place != nil:
		replayPut(s, &placeOverlay, *r.Place)
	case r.DeleteArea != "":
		replayRemove(s, &areaOverlay, r.DeleteArea)
	case r.DeletePlace != "":
		replayRemove(s, &placeOverlay, r.DeletePlace)
	}
}

func cloneArea(a geo.Area) geo.Area {
	a.Geometry = cloneMulti(a.Geometry)
	return a
}
