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

// OverlayVersions gives the areas, places and checkpoints of next their
// versions by comparing them with those of cur, by id: unchanged content
// keeps its version, changed content gets the next, a new id version 1.
// Both stores use it on import, so an import that changes nothing
// changes no version.
func OverlayVersions(cur, next *geo.Dataset) {
	versionByID(cur.Areas, next.Areas, func(a *geo.Area) (string, *int) { return a.ID, &a.Version }, geo.SameArea)
	versionByID(cur.Places, next.Places, func(p *geo.Place) (string, *int) { return p.ID, &p.Version }, geo.SamePlace)
	versionByID(cur.Checkpoints, next.Checkpoints, func(c *geo.Checkpoint) (string, *int) { return c.ID, &c.Version }, geo.SameCheckpoint)
}

// versionByID sets the version of each of next from the one of cur with
// its id (OverlayVersions); key returns an overlay's id and its version
// field, same compares two overlays' content.
func versionByID[T any](cur, next []T, key func(*T) (string, *int), same func(a, b *T) bool) {
	old := make(map[string]*T, len(cur))
	for i := range cur {
		id, _ := key(&cur[i])
		old[id] = &cur[i]
	}
	for i := range next {
		v := &next[i]
		id, version := key(v)
		switch o := old[id]; {
		case o == nil:
			*version = 1
		case same(o, v):
			_, ov := key(o)
			*version = *ov
		default:
			_, ov := key(o)
			*version = *ov + 1
		}
	}
}

// CheckOverlays runs geo.Check over the areas, places and checkpoints of ds alone (with
// the stations they name), so an edit of one overlay is not refused for a
// problem elsewhere in the dataset.
func CheckOverlays(ds *geo.Dataset) []Problem {
	return geo.Check(&geo.Dataset{Meta: ds.Meta, Stations: ds.Stations, Areas: ds.Areas, Places: ds.Places, Checkpoints: ds.Checkpoints})
}
