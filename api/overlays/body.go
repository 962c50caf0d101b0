package overlays

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
	"jingge/geo/topo"
)

// featureBody is the body of POST and PUT of an overlay: a GeoJSON Feature
// with the whole new content (PUT replaces, it does not merge), the
// version it was made against and the crs of its geometry.
type featureBody[P any] struct {
	Type        string          `json:"type"`
	ID          json.RawMessage `json:"id"`
	Geometry    json.RawMessage `json:"geometry"`
	Properties  *P              `json:"properties"`
	BaseVersion *int            `json:"base_version"`
	CRS         *string         `json:"crs"`
}

// overlayProps are the properties of an area's or a place's body.
type overlayProps struct {
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

// checkpointProps are the properties of a checkpoint's body.
type checkpointProps struct {
	Name    string `json:"name"`
	Station string `json:"station"`
	Road    string `json:"road"`
	Notes   string `json:"notes"`
}

// edit is a decoded, checked body: the feature's id, the version it was
// made against and its geometry in the dataset's datum.
type edit struct {
	id    string
	base  int
	area  orb.MultiPolygon
	point orb.Point
}

// params gathers the faults of one body, to refuse them all at once.
type params []data.Param

func (p *params) add(name, format string, args ...any) {
	*p = append(*p, data.Param{Name: name, Reason: fmt.Sprintf(format, args...)})
}

// readFeature decodes and checks the body of an edit of kind k with
// properties P, read by props. pathID is the id of the path ("" for POST,
// whose id is the body's); every field at fault is named in one refusal.
func readFeature[P any](s *Service, k *Kind, body []byte, pathID string, props func(v *view, p *P, bad *params)) (*edit, *P, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, &data.RequestError{Kind: data.ErrInvalid, Type: "invalid-body", Message: k.empty}
	}
	var b featureBody[P]
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name := strings.Trim(rest, `"`)
			return nil, nil, data.InvalidParams(data.Param{Name: name, Reason: fmt.Sprintf("unknown member %q; %s is a Feature with %s", name, k.article, k.shape)})
		}
		return nil, nil, intake.JSONError(err)
	}
	v, err := s.current()
	if err != nil {
		return nil, nil, err
	}
	var bad params
	if b.Type != "Feature" {
		bad.add("type", `%s is a GeoJSON Feature: type must be "Feature", got %q`, k.article, intake.Clip([]byte(b.Type)))
	}
	e := &edit{id: pathID}
	from := readHead(k, &b.ID, b.BaseVersion, b.CRS, pathID, e, &bad)
	props(v, b.Properties, &bad)
	readGeometry(v, k, b.Geometry, from, e, &bad)
	if len(bad) > 0 {
		return nil, nil, data.InvalidParams(bad...)
	}
	return e, b.Properties, nil
}

// readHead reads the id, base_version and crs of an edit's body into e
// and returns the body's crs.
func readHead(k *Kind, rawID *json.RawMessage, base *int, crsText *string, pathID string, e *edit, bad *params) crs.CRS {
	var bodyID string
	hasID := len(*rawID) > 0 && string(*rawID) != "null"
	switch {
	case hasID && json.Unmarshal(*rawID, &bodyID) != nil:
		bad.add("id", "id must be a string, got %s", intake.Clip(*rawID))
	case pathID == "" && strings.TrimSpace(bodyID) == "":
		bad.add("id", "a new %s needs an id (the Feature's \"id\"), unique among the %s", k.singular, k.plural)
	case pathID == "":
		e.id = bodyID
	case hasID && bodyID != pathID:
		bad.add("id", "the body's id %q differs from the %s %q in the path; leave it out or make them agree", bodyID, k.singular, pathID)
	}
	if base != nil {
		if *base < 1 {
			bad.add("base_version", "base_version must be a version number (1 or more), got %d", *base)
		}
		e.base = *base
	}
	from := crs.WGS84
	if crsText != nil {
		c, err := crs.Parse(*crsText)
		if err != nil {
			bad.add("crs", "%v", err)
		}
		from = c
	}
	return from
}

// readStation checks that station is one of the dataset's.
func readStation(v *view, station string, bad *params) {
	if _, ok := v.ix.Station(station); !ok {
		bad.add("properties.station", "station must be the id of a station of the dataset (%s), got %q", StationIDs(v.ix), station)
	}
}

// readOverlay checks an area's or a place's properties: name, kind,
// station and period; it returns the kind and the period.
func readOverlay(v *view, k *Kind, p *overlayProps, bad *params) (kind string, val geo.Validity) {
	if p == nil {
		bad.add("properties", "properties are required: name, kind and station at least")
		return "", val
	}
	if strings.TrimSpace(p.Name) == "" {
		bad.add("properties.name", "name cannot be empty")
	}
	kind, err := k.parseKind(p.Kind)
	if err != nil {
		bad.add("properties.kind", "%v", err)
	}
	readStation(v, p.Station, bad)
	var errFrom, errTo error
	val.ValidFrom, errFrom = v.dayOrTime(p.ValidFrom)
	val.ValidTo, errTo = v.dayOrTime(p.ValidTo)
	if errFrom != nil {
		bad.add("properties.valid_from", "%v", errFrom)
	}
	if errTo != nil {
		bad.add("properties.valid_to", "%v", errTo)
	}
	if errFrom == nil && errTo == nil && !val.ValidFrom.IsZero() && !val.ValidTo.IsZero() && !val.ValidTo.After(val.ValidFrom) {
		bad.add("properties.valid_to", "valid_to (%s) must be after valid_from (%s)", p.ValidTo, p.ValidFrom)
	}
	return kind, val
}

// readGeometry reads an area's Polygon or MultiPolygon, or a place's or
// checkpoint's Point, into e, converted from the body's crs to the datum.
func readGeometry(v *view, k *Kind, raw json.RawMessage, from crs.CRS, e *edit, bad *params) {
	if len(raw) == 0 || string(raw) == "null" {
		bad.add("geometry", "geometry is required: a Polygon or MultiPolygon for an area, a Point for a place")
		return
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		bad.add("geometry", "geometry is not a GeoJSON geometry: %v", err)
		return
	}
	if k != Areas { // places and checkpoints are points
		pt, ok := g.Geometry().(orb.Point)
		if !ok {
			bad.add("geometry", "a %s's geometry is a Point, got a %s", k.singular, g.Type)
			return
		}
		if _, err := intake.ParseCoordinates(strconv.FormatFloat(pt[0], 'g', -1, 64), strconv.FormatFloat(pt[1], 'g', -1, 64)); err != nil {
			bad.add("geometry", "the point %v is not a longitude/latitude pair", pt)
			return
		}
		e.point = crs.Convert(pt, from, v.datum)
		return
	}
	var mp orb.MultiPolygon
	switch x := g.Geometry().(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{x}
	case orb.MultiPolygon:
		mp = x
	default:
		bad.add("geometry", "an area's geometry is a Polygon or MultiPolygon, got a %s", g.Type)
		return
	}
	if err := topo.ValidateMultiPolygon(mp); err != nil {
		bad.add("geometry", "geometry is not a valid area: %s", strings.ReplaceAll(err.Error(), "topo: ", ""))
		return
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for i := range ring {
				ring[i] = crs.Convert(ring[i], from, v.datum)
			}
		}
	}
	e.area = mp
}

// dayOrTime reads an RFC 3339 time, or a date (midnight in the dataset's
// zone); "" is the zero time, an open end.
func (v *view) dayOrTime(text string) (time.Time, error) {
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
