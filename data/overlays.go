package data

import (
	"context"

	"jingge/geo"
)

// AreaEdit puts one special area in force: a new one, or a new version of
// one in force (Area.ID selects it).
type AreaEdit struct {
	Area geo.Area // Area.Version is ignored: the store sets it
	// Create refuses, with ErrConflict, an id already in force (POST).
	Create bool
	// BaseVersion, when not 0, is the version the edit was made against:
	// the edit fails with ErrConflict if the area has moved on since.
	BaseVersion int
	Actor       string // who edits, for the audit
}

// PlaceEdit is AreaEdit for a key place.
type PlaceEdit struct {
	Place       geo.Place
	Create      bool
	BaseVersion int
	Actor       string
}

// OverlayDelete takes one area or key place out of force.
type OverlayDelete struct {
	ID          string
	BaseVersion int // as in AreaEdit
	Actor       string
}

// OverlayEditor changes single special areas and key places. Every change
// is checked by geo.Check (a *ValidationError, wrapping ErrInvalid, names
// the fields at fault), committed (journaled) before it returns, and
// announced to Watch like a grid edit. Versions count from 1 per id; an
// edit that changes nothing returns the version in force.
type OverlayEditor interface {
	// PutArea creates or replaces an area and returns it with its version.
	// Replacing an id not in force creates it (unless BaseVersion is set:
	// ErrNotFound).
	PutArea(ctx context.Context, e AreaEdit) (geo.Area, error)
	// DeleteArea retires an area: ErrNotFound for an id not in force.
	DeleteArea(ctx context.Context, d OverlayDelete) error
	// PutPlace is PutArea for a key place.
	PutPlace(ctx context.Context, e PlaceEdit) (geo.Place, error)
	// DeletePlace is DeleteArea for a key place.
	DeletePlace(ctx context.Context, d OverlayDelete) error
}

// OverlayVersions gives the areas, places and checkpoints of next their versions by
// comparing them with those of cur, by id: unchanged content keeps its
// version, changed content gets the next, a new id version 1. Both stores
// use it on import, so an import that changes nothing changes no version.
func OverlayVersions(cur, next *geo.Dataset) {
	areas := make(map[string]*geo.Area, len(cur.Areas))
	for i := range cur.Areas {
		areas[cur.Areas[i].ID] = &cur.Areas[i]
	}
	for i := range next.Areas {
		a := &next.Areas[i]
		switch o := areas[a.ID]; {
		case o == nil:
			a.Version = 1
		case geo.SameArea(o, a):
			a.Version = o.Version
		default:
			a.Version = o.Version + 1
		}
	}
	places := make(map[string]*geo.Place, len(cur.Places))
	for i := range cur.Places {
		places[cur.Places[i].ID] = &cur.Places[i]
	}
	for i := range next.Places {
		p := &next.Places[i]
		switch o := places[p.ID]; {
		case o == nil:
			p.Version = 1
		case geo.SamePlace(o, p):
			p.Version = o.Version
		default:
			p.Version = o.Version + 1
		}
	}
	checkpointVersions(cur, next)
}

// CheckOverlays runs geo.Check over the areas, places and checkpoints of ds alone (with
// the stations they name), so an edit of one overlay is not refused for a
// problem elsewhere in the dataset.
func CheckOverlays(ds *geo.Dataset) []Problem {
	return geo.Check(&geo.Dataset{Meta: ds.Meta, Stations: ds.Stations, Areas: ds.Areas, Places: ds.Places, Checkpoints: ds.Checkpoints})
}
