package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
	"jingge/geo/topo"
)

// overlayBodyJSON is the body of POST and PUT of an area or a place: a
// GeoJSON Feature with the whole new content (PUT replaces, it does not
// merge), the version it was made against and the crs of its geometry.
type overlayBodyJSON struct {
	Type        string            `json:"type"`
	ID          json.RawMessage   `json:"id"`
	Geometry    json.RawMessage   `json:"geometry"`
	Properties  *overlayBodyProps `json:"properties"`
	BaseVersion *int              `json:"base_version"`
	CRS         *string           `json:"crs"`
}

type overlayBodyProps struct {
	Name    string      `json:"name"`
	Kind    string      `json:"kind"`
	Station string      `json:"station"`
	Liaison geo.Liaison `json:"liaison"`
	Opening string      `json:"opening"`
	// ValidFrom and ValidTo are RFC 3339 times, or dates read in the
	// dataset's time zone; empty for an open end.
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
}

// overlayInput is a decoded, checked body: the feature's head and its
// geometry in the dataset's datum.
type overlayInput struct {
	id       string
	kind     string
	props    *overlayBodyProps
	validity geo.Validity
	area     orb.MultiPolygon
	point    orb.Point
	base     int
}

// readOverlayBody decodes and checks the body of an edit of kind k. pathID
// is the id of the path ("" for POST, whose id is the body's); every field
// at fault is named in one 400.
func (s *Server) readOverlayBody(r *http.Request, k overlayKind, pathID string) (*overlayInput, *view, error) {
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return nil, nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, httpx.InvalidBody(`the request body is empty; send a GeoJSON Feature {"type": "Feature", "id": "...", "geometry": {...}, "properties": {"name": ..., "kind": ..., "station": ...}}`)
	}
	var b overlayBodyJSON
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name := strings.Trim(rest, `"`)
			return nil, nil, httpx.Invalid(httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("unknown member %q; %s is a Feature with id, geometry, properties (name, kind, station, liaison, opening, valid_from, valid_to), base_version and crs", name, k.article)})
		}
		return nil, nil, httpx.AsProblem(intake.JSONError(err))
	}
	v, err := s.current()
	if err != nil {
		return nil, nil, err
	}
	in := &overlayInput{id: pathID, props: b.Properties}
	var bad []httpx.InvalidParam
	fail := func(name, format string, args ...any) {
		bad = append(bad, httpx.InvalidParam{Name: name, Reason: fmt.Sprintf(format, args...)})
	}
	if b.Type != "Feature" {
		fail("type", `%s is a GeoJSON Feature: type must be "Feature", got %q`, k.article, intake.Clip([]byte(b.Type)))
	}
	from := readOverlayHead(k, &b, pathID, in, fail)
	readOverlayProps(v, k, b.Properties, in, fail)
	s.readOverlayGeometry(v, k, b.Geometry, from, in, fail)
	if len(bad) > 0 {
		return nil, nil, httpx.Invalid(bad...)
	}
	return in, v, nil
}

// readOverlayHead reads the id, base_version and crs of an edit's body
// into in, naming each fault with fail, and returns the body's crs.
func readOverlayHead(k overlayKind, b *overlayBodyJSON, pathID string, in *overlayInput, fail func(name, format string, args ...any)) crs.CRS {
	var bodyID string
	hasID := len(b.ID) > 0 && string(b.ID) != "null"
	switch {
	case hasID && json.Unmarshal(b.ID, &bodyID) != nil:
		fail("id", "id must be a string, got %s", intake.Clip(b.ID))
	case pathID == "" && strings.TrimSpace(bodyID) == "":
		fail("id", "a new %s needs an id (the Feature's \"id\"), unique among the %s", k.singular, k.plural)
	case pathID == "":
		in.id = bodyID
	case hasID && bodyID != pathID:
		fail("id", "the body's id %q differs from the %s %q in the path; leave it out or make them agree", bodyID, k.singular, pathID)
	}
	if b.BaseVersion != nil {
		if *b.BaseVersion < 1 {
			fail("base_version", "base_version must be a version number (1 or more), got %d", *b.BaseVersion)
		}
		in.base = *b.BaseVersion
	}
	from := crs.WGS84
	if b.CRS != nil {
		c, err := crs.Parse(*b.CRS)
		if err != nil {
			fail("crs", "%v", err)
		}
		from = c
	}
	return from
}

// readOverlayProps reads an edit's properties into in: name, kind,
// station and period, naming each fault with fail.
func readOverlayProps(v *view, k overlayKind, p *overlayBodyProps, in *overlayInput, fail func(name, format string, args ...any)) {
	if p == nil {
		fail("properties", "properties are required: name, kind and station at least")
		return
	}
	if strings.TrimSpace(p.Name) == "" {
		fail("properties.name", "name cannot be empty")
	}
	kind, err := parseOverlayKind(k, p.Kind)
	if err != nil {
		fail("properties.kind", "%v", err)
	}
	in.kind = kind
	if _, ok := v.ix.Station(p.Station); !ok {
		fail("properties.station", "station must be the id of a station of the dataset (%s), got %q", stationIDs(v.ix), p.Station)
	}
	var errFrom, errTo error
	in.validity.ValidFrom, errFrom = v.parseDayOrTime(p.ValidFrom)
	in.validity.ValidTo, errTo = v.parseDayOrTime(p.ValidTo)
	if errFrom != nil {
		fail("properties.valid_from", "%v", errFrom)
	}
	if errTo != nil {
		fail("properties.valid_to", "%v", errTo)
	}
	if errFrom == nil && errTo == nil && !in.validity.ValidFrom.IsZero() && !in.validity.ValidTo.IsZero() && !in.validity.ValidTo.After(in.validity.ValidFrom) {
		fail("properties.valid_to", "valid_to (%s) must be after valid_from (%s)", p.ValidTo, p.ValidFrom)
	}
}

// readOverlayGeometry reads an area's Polygon or MultiPolygon, or a
// place's or checkpoint's Point, into in, converted from the body's crs to
// the datum.
func (s *Server) readOverlayGeometry(v *view, k overlayKind, raw json.RawMessage, from crs.CRS, in *overlayInput, fail func(name, format string, args ...any)) {
	if len(raw) == 0 || string(raw) == "null" {
		fail("geometry", "geometry is required: a Polygon or MultiPolygon for an area, a Point for a place")
		return
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		fail("geometry", "geometry is not a GeoJSON geometry: %v", err)
		return
	}
	if k.singular != "area" { // places and checkpoints are points
		pt, ok := g.Geometry().(orb.Point)
		if !ok {
			fail("geometry", "a %s's geometry is a Point, got a %s", k.singular, g.Type)
			return
		}
		if _, err := intake.ParseCoordinates(strconv.FormatFloat(pt[0], 'g', -1, 64), strconv.FormatFloat(pt[1], 'g', -1, 64)); err != nil {
			fail("geometry", "the point %v is not a longitude/latitude pair", pt)
			return
		}
		in.point = v.toDatum(pt, from)
		return
	}
	var mp orb.MultiPolygon
	switch x := g.Geometry().(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{x}
	case orb.MultiPolygon:
		mp = x
	default:
		fail("geometry", "an area's geometry is a Polygon or MultiPolygon, got a %s", g.Type)
		return
	}
	if err := topo.ValidateMultiPolygon(mp); err != nil {
		fail("geometry", "geometry is not a valid area: %s", strings.ReplaceAll(err.Error(), "topo: ", ""))
		return
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for i := range ring {
				ring[i] = v.toDatum(ring[i], from)
			}
		}
	}
	in.area = mp
}

// parseDayOrTime reads an RFC 3339 time, or a date (midnight in the
// dataset's zone); "" is the zero time, an open end.
func (v *view) parseDayOrTime(text string) (time.Time, error) {
	if text == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, text); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, text, v.ix.Location()); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2027-06-30) or an RFC 3339 time", intake.Clip([]byte(text)))
}

func (in *overlayInput) areaValue() geo.Area {
	p := in.props
	return geo.Area{ID: in.id, Name: p.Name, Kind: geo.AreaKind(in.kind), StationID: p.Station, Liaison: p.Liaison,
		Opening: p.Opening, Validity: in.validity, Geometry: in.area}
}

func (in *overlayInput) placeValue() geo.Place {
	p := in.props
	return geo.Place{ID: in.id, Name: p.Name, Kind: geo.PlaceKind(in.kind), StationID: p.Station, Liaison: p.Liaison,
		Opening: p.Opening, Validity: in.validity, Location: in.point}
}

// overlayEditor returns the store's editor: a 503 before the first index
// is loaded (as every route that reads it), a 409 when the store takes no
// edits.
func (s *Server) overlayEditor() (data.OverlayEditor, error) {
	if _, err := s.current(); err != nil {
		return nil, err
	}
	if s.overlays == nil {
		return nil, &httpx.Problem{Kind: data.ErrReadOnly, Detail: "this server cannot edit areas and places: its store takes no edits"}
	}
	return s.overlays, nil
}

func (s *Server) handleCreateArea(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putArea(w, r, "", true)
}

func (s *Server) handlePutArea(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putArea(w, r, mux.Vars(r)["id"], false)
}

func (s *Server) putArea(w http.ResponseWriter, r *http.Request, pathID string, create bool) error {
	ed, err := s.overlayEditor()
	if err != nil {
		return err
	}
	in, _, err := s.readOverlayBody(r, areaOverlay, pathID)
	if err != nil {
		return err
	}
	a, err := ed.PutArea(r.Context(), data.AreaEdit{Area: in.areaValue(), Create: create, BaseVersion: in.base, Actor: actorOf(r)})
	if err != nil {
		return overlayEditProblem(err, areaOverlay, in.id, create, in.base)
	}
	s.awaitEdit(r)
	v, err := s.current()
	if err != nil {
		return err
	}
	f := v.areaFeature(&a, time.Now())
	f.Properties.Liaison = &geo.Liaison{Name: a.Liaison.Name, Phone: phoneFor(r.Context(), a.Liaison.Phone)}
	httpx.WriteJSON(w, r, s.logger, editStatus(create), httpx.ContentTypeGeoJSON, f)
	return nil
}

func (s *Server) handleCreatePlace(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putPlace(w, r, "", true)
}

func (s *Server) handlePutPlace(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putPlace(w, r, mux.Vars(r)["id"], false)
}

func (s *Server) putPlace(w http.ResponseWriter, r *http.Request, pathID string, create bool) error {
	ed, err := s.overlayEditor()
	if err != nil {
		return err
	}
	in, _, err := s.readOverlayBody(r, placeOverlay, pathID)
	if err != nil {
		return err
	}
	p, err := ed.PutPlace(r.Context(), data.PlaceEdit{Place: in.placeValue(), Create: create, BaseVersion: in.base, Actor: actorOf(r)})
	if err != nil {
		return overlayEditProblem(err, placeOverlay, in.id, create, in.base)
	}
	s.awaitEdit(r)
	v, err := s.current()
	if err != nil {
		return err
	}
	f := v.placeFeature(&p, time.Now())
	f.Properties.Liaison = &geo.Liaison{Name: p.Liaison.Name, Phone: phoneFor(r.Context(), p.Liaison.Phone)}
	httpx.WriteJSON(w, r, s.logger, editStatus(create), httpx.ContentTypeGeoJSON, f)
	return nil
}

func editStatus(create bool) int {
	if create {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (s *Server) handleDeleteArea(w http.ResponseWriter, r *http.Request, q query) error {
	return s.deleteOverlay(w, r, q, areaOverlay)
}

func (s *Server) handleDeletePlace(w http.ResponseWriter, r *http.Request, q query) error {
	return s.deleteOverlay(w, r, q, placeOverlay)
}

// deleteOverlay takes an area or place out of force; base_version, when
// given, must be the version in force. The answer is 204.
func (s *Server) deleteOverlay(w http.ResponseWriter, r *http.Request, q query, k overlayKind) error {
	ed, err := s.overlayEditor()
	if err != nil {
		return err
	}
	d := data.OverlayDelete{ID: mux.Vars(r)["id"], Actor: actorOf(r)}
	if text, ok := q.lookup("base_version"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 {
			return httpx.Invalid(httpx.InvalidParam{Name: "base_version", Reason: fmt.Sprintf("base_version must be a version number (1 or more), got %q", intake.Clip([]byte(text)))})
		}
		d.BaseVersion = n
	}
	if k.singular == "area" {
		err = ed.DeleteArea(r.Context(), d)
	} else {
		err = ed.DeletePlace(r.Context(), d)
	}
	if err != nil {
		return overlayEditProblem(err, k, d.ID, false, d.BaseVersion)
	}
	s.awaitEdit(r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// overlayEditProblem words a store's refusal for the client: content
// problems are a 400 naming each, an unknown id a 404 saying where the
// list is; conflicts and the rest go to the one table in httpx/errors.go.
func overlayEditProblem(err error, k overlayKind, id string, create bool, base int) error {
	var verr *data.ValidationError
	if errors.As(err, &verr) {
		params := make([]httpx.InvalidParam, 0, len(verr.Problems))
		for _, p := range verr.Problems {
			params = append(params, httpx.InvalidParam{Name: p.Kind + " " + p.ID, Reason: p.String()})
		}
		pr := httpx.Invalid(params...)
		pr.Cause = err
		pr.Detail = fmt.Sprintf("the %s was refused and nothing changed: %s", k.singular, pr.Detail)
		return pr
	}
	if errors.Is(err, data.ErrNotFound) {
		return httpx.NotFound("there is no %s with id %q in force; GET /api/v1/%s lists them", k.singular, id, k.plural)
	}
	if errors.Is(err, data.ErrConflict) {
		detail := fmt.Sprintf("%s %s has changed since version %d, which the request was made against; GET /api/v1/%s/%s again and send the change against the version in force", k.singular, id, base, k.plural, id)
		if create {
			detail = fmt.Sprintf("%s with id %q is in force already; PUT /api/v1/%s/%s changes it", k.article, id, k.plural, id)
		}
		return &httpx.Problem{Kind: data.ErrConflict, Cause: err, Detail: detail}
	}
	return err
}
