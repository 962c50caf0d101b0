package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"jingge/data"
	"jingge/geo"
)

// overlayKind is one kind of overlay the dataset holds (areas, places,
// checkpoints), as the edits the three share need it.
type overlayKind[T any] struct {
	name string                  // one overlay, for messages: "area"
	list func(*geo.Dataset) *[]T // the dataset's list of them
	// key returns an overlay's id and its version field.
	key  func(*T) (id string, version *int)
	same func(a, b *T) bool // same content, versions aside
	// clone copies an overlay so it shares nothing with the dataset.
	clone func(T) T
	// put and remove are the journal records of putting v in force and
	// of taking id out of force, at a time.
	put    func(v *T, at time.Time) (recordKind, any)
	remove func(id string, at time.Time) (recordKind, any)
}

// indexOf is the position of the overlay with id in list, -1 when none.
func (k *overlayKind[T]) indexOf(list []T, id string) int {
	return slices.IndexFunc(list, func(x T) bool {
		xid, _ := k.key(&x)
		return xid == id
	})
}

// putOverlay puts v in force under the rules of data.OverlayEditor:
// version 1 for a new id, the next for changed content, the version in
// force for unchanged content; create and base are the edit's Create and
// BaseVersion. The dataset's overlays are checked as a whole
// (data.CheckOverlays), and the edit journaled and announced.
func putOverlay[T any](ctx context.Context, s *Store, k *overlayKind[T], v T, create bool, base int) (_ T, err error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	list := *k.list(s.ds)
	id, _ := k.key(&v)
	pos := k.indexOf(list, id)
	var old *T
	version := 0
	if pos >= 0 {
		old = &list[pos]
		_, ov := k.key(old)
		version = *ov
	}
	if err := overlayBase(k.name, id, old != nil, version, create, base); err != nil {
		return zero, err
	}
	v = k.clone(v)
	_, nv := k.key(&v)
	next := *s.ds
	nextList := slices.Clone(list)
	if old == nil {
		*nv = 1
		nextList = append(nextList, v)
	} else {
		if k.same(old, &v) {
			return k.clone(*old), nil
		}
		*nv = version + 1
		nextList[pos] = v
	}
	*k.list(&next) = nextList
	if problems := data.CheckOverlays(&next); len(problems) > 0 {
		return zero, fmt.Errorf("memory: %w", &data.ValidationError{Problems: problems})
	}
	at := s.now()
	s.ds = &next
	tk = s.jr.log(k.put(&v, at))
	s.notifyLocked()
	return k.clone(v), nil
}

// deleteOverlay takes the overlay with d.ID out of force: ErrNotFound
// when none is in force, ErrConflict when d.BaseVersion is set and
// another version is in force. The edit is journaled and announced.
func deleteOverlay[T any](ctx context.Context, s *Store, k *overlayKind[T], d data.OverlayDelete) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	list := *k.list(s.ds)
	pos := k.indexOf(list, d.ID)
	if pos < 0 {
		return fmt.Errorf("memory: %s %q: %w (none with this id is in force)", k.name, d.ID, data.ErrNotFound)
	}
	if _, v := k.key(&list[pos]); d.BaseVersion != 0 && d.BaseVersion != *v {
		return fmt.Errorf("memory: %s %s: %w: the delete was made against version %d but version %d is in force; reload and try again", k.name, d.ID, data.ErrConflict, d.BaseVersion, *v)
	}
	next := *s.ds
	*k.list(&next) = slices.Delete(slices.Clone(list), pos, pos+1)
	s.ds = &next
	tk = s.jr.log(k.remove(d.ID, s.now()))
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

// replayPut puts v in force as a journaled edit did. It runs at open,
// unshared, without validating again.
func replayPut[T any](s *Store, k *overlayKind[T], v T) {
	next := *s.ds
	list := slices.Clone(*k.list(s.ds))
	id, _ := k.key(&v)
	if i := k.indexOf(list, id); i >= 0 {
		list[i] = v
	} else {
		list = append(list, v)
	}
	*k.list(&next) = list
	s.ds = &next
}

// replayRemove takes id out of force as a journaled edit did.
func replayRemove[T any](s *Store, k *overlayKind[T], id string) {
	next := *s.ds
	*k.list(&next) = slices.DeleteFunc(slices.Clone(*k.list(s.ds)), func(x T) bool {
		xid, _ := k.key(&x)
		return xid == id
	})
	s.ds = &next
}
