package memory

import (
	"context"
	"fmt"
	"slices"
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

// PutArea implements data.OverlayEditor.
func (s *Store) PutArea(ctx context.Context, e data.AreaEdit) (_ geo.Area, err error) {
	if err := ctx.Err(); err != nil {
		return geo.Area{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	pos := slices.IndexFunc(s.ds.Areas, func(a geo.Area) bool { return a.ID == e.Area.ID })
	var old *geo.Area
	if pos >= 0 {
		old = &s.ds.Areas[pos]
	}
	if err := overlayBase("area", e.Area.ID, old != nil, oldVersion(old), e.Create, e.BaseVersion); err != nil {
		return geo.Area{}, err
	}
	a := cloneArea(e.Area)
	next := *s.ds
	next.Areas = slices.Clone(s.ds.Areas)
	if old == nil {
		a.Version = 1
		next.Areas = append(next.Areas, a)
	} else {
		if geo.SameArea(old, &a) {
			return cloneArea(*old), nil
		}
		a.Version = old.Version + 1
		next.Areas[pos] = a
	}
	if problems := data.CheckOverlays(&next); len(problems) > 0 {
		return geo.Area{}, fmt.Errorf("memory: %w", &data.ValidationError{Problems: problems})
	}
	t := s.now()
	s.ds = &next
	tk = s.jr.log(recOverlay, overlayRecord{Area: &a, At: t})
	s.notifyLocked()
	return cloneArea(a), nil
}

// PutPlace implements data.OverlayEditor.
func (s *Store) PutPlace(ctx context.Context, e data.PlaceEdit) (_ geo.Place, err error) {
	if err := ctx.Err(); err != nil {
		return geo.Place{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	pos := slices.IndexFunc(s.ds.Places, func(p geo.Place) bool { return p.ID == e.Place.ID })
	var old *geo.Place
	if pos >= 0 {
		old = &s.ds.Places[pos]
	}
	v := 0
	if old != nil {
		v = old.Version
	}
	if err := overlayBase("place", e.Place.ID, old != nil, v, e.Create, e.BaseVersion); err != nil {
		return geo.Place{}, err
	}
	p := e.Place
	next := *s.ds
	next.Places = slices.Clone(s.ds.Places)
	if old == nil {
		p.Version = 1
		next.Places = append(next.Places, p)
	} else {
		if geo.SamePlace(old, &p) {
			return *old, nil
		}
		p.Version = old.Version + 1
		next.Places[pos] = p
	}
	if problems := data.CheckOverlays(&next); len(problems) > 0 {
		return geo.Place{}, fmt.Errorf("memory: %w", &data.ValidationError{Problems: problems})
	}
	t := s.now()
	s.ds = &next
	tk = s.jr.log(recOverlay, overlayRecord{Place: &p, At: t})
	s.notifyLocked()
	return p, nil
}

// DeleteArea implements data.OverlayEditor.
func (s *Store) DeleteArea(ctx context.Context, d data.OverlayDelete) error {
	return s.deleteOverlay(ctx, "area", d)
}

// DeletePlace implements data.OverlayEditor.
func (s *Store) DeletePlace(ctx context.Context, d data.OverlayDelete) error {
	return s.deleteOverlay(ctx, "place", d)
}

func (s *Store) deleteOverlay(ctx context.Context, kind string, d data.OverlayDelete) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	next := *s.ds
	rec := overlayRecord{At: s.now()}
	var found bool
	var version int
	if kind == "area" {
		pos := slices.IndexFunc(s.ds.Areas, func(a geo.Area) bool { return a.ID == d.ID })
		if found = pos >= 0; found {
			version = s.ds.Areas[pos].Version
			next.Areas = slices.Delete(slices.Clone(s.ds.Areas), pos, pos+1)
		}
		rec.DeleteArea = d.ID
	} else {
		pos := slices.IndexFunc(s.ds.Places, func(p geo.Place) bool { return p.ID == d.ID })
		if found = pos >= 0; found {
			version = s.ds.Places[pos].Version
			next.Places = slices.Delete(slices.Clone(s.ds.Places), pos, pos+1)
		}
		rec.DeletePlace = d.ID
	}
	if !found {
		return fmt.Errorf("memory: %s %q: %w (none with this id is in force)", kind, d.ID, data.ErrNotFound)
	}
	if d.BaseVersion != 0 && d.BaseVersion != version {
		return fmt.Errorf("memory: %s %s: %w: the delete was made against version %d but version %d is in force; reload and try again", kind, d.ID, data.ErrConflict, d.BaseVersion, version)
	}
	s.ds = &next
	tk = s.jr.log(recOverlay, rec)
	s.notifyLocked()
	return nil
}

// overlayBase applies the rules of AreaEdit.Create and BaseVersion.
func overlayBase(kind, id string, exists bool, version int, create bool, base int) error {
	switch {
	case create && exists:
		return fmt.Errorf("memory: %s %s: %w: the id is in force already; PUT to change it", kind, id, data.ErrConflict)
	case !exists && base != 0:
		return fmt.Errorf("memory: %s %q: %w (none with this id is in force)", kind, id, data.ErrNotFound)
	case exists && base != 0 && base != version:
		return fmt.Errorf("memory: %s %s: %w: the edit was made against version %d but version %d is in force; reload and edit again", kind, id, data.ErrConflict, base, version)
	}
	return nil
}

func oldVersion(a *geo.Area) int {
	if a == nil {
		return 0
	}
	return a.Version
}

// replayOverlay applies an overlay record as it was done. It runs at open,
// unshared, without validating again.
func (s *Store) replayOverlay(r overlayRecord) {
	next := *s.ds
	switch {
	case r.Area != nil:
		next.Areas = slices.Clone(s.ds.Areas)
		if i := slices.IndexFunc(next.Areas, func(a geo.Area) bool { return a.ID == r.Area.ID }); i >= 0 {
			next.Areas[i] = *r.Area
		} else {
			next.Areas = append(next.Areas, *r.Area)
		}
	case r.Place != nil:
		next.Places = slices.Clone(s.ds.Places)
		if i := slices.IndexFunc(next.Places, func(p geo.Place) bool { return p.ID == r.Place.ID }); i >= 0 {
			next.Places[i] = *r.Place
		} else {
			next.Places = append(next.Places, *r.Place)
		}
	case r.DeleteArea != "":
		next.Areas = slices.DeleteFunc(slices.Clone(s.ds.Areas), func(a geo.Area) bool { return a.ID == r.DeleteArea })
	case r.DeletePlace != "":
		next.Places = slices.DeleteFunc(slices.Clone(s.ds.Places), func(p geo.Place) bool { return p.ID == r.DeletePlace })
	}
	s.ds = &next
}

func cloneArea(a geo.Area) geo.Area {
	a.Geometry = cloneMulti(a.Geometry)
	return a
}
