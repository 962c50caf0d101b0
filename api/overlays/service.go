package overlays

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// Options configure New.
type Options struct {
	// Index returns the index in force and its datum, or the API's
	// refusal before one is loaded.
	Index func() (*geo.Index, crs.CRS, error)
	// Overlays edits areas and places, Checkpoints checkpoints; nil when
	// the store takes no edits (every edit is refused as read-only).
	Overlays    data.OverlayEditor
	Checkpoints data.CheckpointEditor
}

// Service edits and selects overlays. It keeps no state of its own; it is
// safe for concurrent use as its editors are.
type Service struct{ o Options }

// New returns a Service over opts.
func New(opts Options) *Service { return &Service{o: opts} }

// view is the index in force for one request, with its datum.
type view struct {
	ix    *geo.Index
	datum crs.CRS
}

func (s *Service) current() (*view, error) {
	ix, datum, err := s.o.Index()
	if err != nil {
		return nil, err
	}
	return &view{ix: ix, datum: datum}, nil
}

// Editable refuses before the first index is loaded, and as read-only when
// the store takes no edits of kind k; the API asks it before it reads the
// request.
func (s *Service) Editable(k *Kind) error {
	if _, err := s.current(); err != nil {
		return err
	}
	if k == Checkpoints && s.o.Checkpoints == nil {
		return &data.RequestError{Kind: data.ErrReadOnly, Message: "this server cannot edit checkpoints: its store takes no edits"}
	}
	if k != Checkpoints && s.o.Overlays == nil {
		return &data.RequestError{Kind: data.ErrReadOnly, Message: "this server cannot edit areas and places: its store takes no edits"}
	}
	return nil
}

// PutArea creates (create) or replaces the area of body, a GeoJSON Feature;
// pathID is the id of a PUT's path. It returns the area as stored, with
// its version.
func (s *Service) PutArea(ctx context.Context, body []byte, pathID string, create bool, actor string) (geo.Area, error) {
	var kind string
	var val geo.Validity
	e, p, err := readFeature(s, Areas, body, pathID, func(v *view, p *overlayProps, bad *params) { kind, val = readOverlay(v, Areas, p, bad) })
	if err != nil {
		return geo.Area{}, err
	}
	a := geo.Area{ID: e.id, Name: p.Name, Kind: geo.AreaKind(kind), StationID: p.Station, Liaison: p.Liaison, Opening: p.Opening, Validity: val, Geometry: e.area}
	got, err := s.o.Overlays.PutArea(ctx, data.AreaEdit{Area: a, Create: create, BaseVersion: e.base, Actor: actor})
	return got, refusal(err, Areas, e.id, create, e.base)
}

// PutPlace creates (create) or replaces the key place of body, as PutArea.
func (s *Service) PutPlace(ctx context.Context, body []byte, pathID string, create bool, actor string) (geo.Place, error) {
	var kind string
	var val geo.Validity
	e, p, err := readFeature(s, Places, body, pathID, func(v *view, p *overlayProps, bad *params) { kind, val = readOverlay(v, Places, p, bad) })
	if err != nil {
		return geo.Place{}, err
	}
	pl := geo.Place{ID: e.id, Name: p.Name, Kind: geo.PlaceKind(kind), StationID: p.Station, Liaison: p.Liaison, Opening: p.Opening, Validity: val, Location: e.point}
	got, err := s.o.Overlays.PutPlace(ctx, data.PlaceEdit{Place: pl, Create: create, BaseVersion: e.base, Actor: actor})
	return got, refusal(err, Places, e.id, create, e.base)
}

// PutCheckpoint creates (create) or replaces the checkpoint of body, as
// PutArea.
func (s *Service) PutCheckpoint(ctx context.Context, body []byte, pathID string, create bool, actor string) (geo.Checkpoint, error) {
	e, p, err := readFeature(s, Checkpoints, body, pathID, func(v *view, p *checkpointProps, bad *params) {
		if p == nil {
			bad.add("properties", "properties are required: name and station at least")
			return
		}
		if strings.TrimSpace(p.Name) == "" {
			bad.add("properties.name", "name cannot be empty")
		}
		readStation(v, p.Station, bad)
	})
	if err != nil {
		return geo.Checkpoint{}, err
	}
	c := geo.Checkpoint{ID: e.id, Name: p.Name, StationID: p.Station, Road: p.Road, Notes: p.Notes, Location: e.point}
	got, err := s.o.Checkpoints.PutCheckpoint(ctx, data.CheckpointEdit{Checkpoint: c, Create: create, BaseVersion: e.base, Actor: actor})
	return got, refusal(err, Checkpoints, e.id, create, e.base)
}

// Delete takes overlay id of kind k out of force; base_version of q, when
// given, must be the version in force.
func (s *Service) Delete(ctx context.Context, k *Kind, id, actor string, q func(string) (string, bool)) error {
	d := data.OverlayDelete{ID: id, Actor: actor}
	if text, ok := q("base_version"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 {
			return data.InvalidParams(data.Param{Name: "base_version", Reason: fmt.Sprintf("base_version must be a version number (1 or more), got %q", intake.Clip([]byte(text)))})
		}
		d.BaseVersion = n
	}
	var err error
	switch k {
	case Areas:
		err = s.o.Overlays.DeleteArea(ctx, d)
	case Places:
		err = s.o.Overlays.DeletePlace(ctx, d)
	default:
		err = s.o.Checkpoints.DeleteCheckpoint(ctx, d)
	}
	return refusal(err, k, d.ID, false, d.BaseVersion)
}

// refusal words a store's refusal of an edit for the client: content
// problems name each, an unknown id says where the list is, a conflict
// says what to do; other errors pass as they are.
func refusal(err error, k *Kind, id string, create bool, base int) error {
	if err == nil {
		return nil
	}
	var verr *data.ValidationError
	if errors.As(err, &verr) {
		ps := make([]data.Param, 0, len(verr.Problems))
		for _, p := range verr.Problems {
			ps = append(ps, data.Param{Name: p.Kind + " " + p.ID, Reason: p.String()})
		}
		re := data.InvalidParams(ps...)
		re.Cause = err
		re.Message = fmt.Sprintf("the %s was refused and nothing changed: %s", k.singular, re.Message)
		return re
	}
	if errors.Is(err, data.ErrNotFound) {
		return data.NotFound("there is no %s with id %q in force; GET /api/v1/%s lists them", k.singular, id, k.plural)
	}
	if errors.Is(err, data.ErrConflict) {
		msg := fmt.Sprintf("%s %s has changed since version %d, which the request was made against; GET /api/v1/%s/%s again and send the change against the version in force", k.singular, id, base, k.plural, id)
		if create {
			msg = fmt.Sprintf("%s with id %q is in force already; PUT /api/v1/%s/%s changes it", k.article, id, k.plural, id)
		}
		return &data.RequestError{Kind: data.ErrConflict, Cause: err, Message: msg}
	}
	return err
}
