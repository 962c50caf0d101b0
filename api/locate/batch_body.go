package locate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo/crs"
)

// ErrTooMany is the kind of refusal of a batch holding more points than
// its limit; the API answers it 413.
var ErrTooMany = errors.New("locate: too many points in one batch")

// batchBody is every shape POST /api/v1/lookup accepts, decoded in one
// pass: GeoJSON (FeatureCollection, Feature, Point, MultiPoint) or the
// compact {"crs": ..., "points": [[lon, lat], ...]}. A member none of
// them has is refused, so a misspelt "point" is not silently ignored;
// GeoJSON's own optional members (bbox, properties) are allowed.
type batchBody struct {
	Type        *string           `json:"type"`
	CRS         json.RawMessage   `json:"crs"`
	Points      []intake.Position `json:"points"`
	Features    []batchFeature    `json:"features"`
	Geometry    *intake.Geometry  `json:"geometry"`
	Coordinates json.RawMessage   `json:"coordinates"`
	ID          json.RawMessage   `json:"id"`
	Properties  json.RawMessage   `json:"properties"`
	BBox        json.RawMessage   `json:"bbox"`
}

type batchFeature struct {
	Type       string           `json:"type"`
	ID         json.RawMessage  `json:"id"`
	Geometry   *intake.Geometry `json:"geometry"`
	Properties json.RawMessage  `json:"properties"`
	BBox       json.RawMessage  `json:"bbox"`
}

// batchMembers lists the members a batch body may have, for problems.
const batchMembers = "type, crs, points, features, geometry, coordinates, id, properties, bbox"

// BatchPoint is one point of a batch with the id it came with.
type BatchPoint struct {
	pos  intake.Position
	name string // where it sits in the request, for error messages
	id   json.RawMessage
}

// bodyShapes is said whenever a body has the wrong shape.
const bodyShapes = `send GeoJSON (a FeatureCollection of Point features, a Point Feature, a Point or a MultiPoint) or {"crs": "gcj02", "points": [[lon, lat], ...]}`

// ParseBatch reads a body of POST /api/v1/lookup into points and the
// system they are in: the body's "crs" and the crs query parameter
// (queryCRS, given when hasQueryCRS) must agree when both are given. A
// batch of more than maxPoints points is refused with a *data.RequestError
// of kind ErrTooMany; every other refusal is a *data.RequestError of kind
// data.ErrInvalid naming the members at fault.
func ParseBatch(body []byte, queryCRS string, hasQueryCRS bool, maxPoints int) (crs.CRS, []BatchPoint, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return "", nil, invalidBody("the request body is empty; %s", bodyShapes)
	}
	var b batchBody
	unknown, err := decodeBatchBody(body, &b)
	if err != nil {
		return "", nil, err
	}
	from, err := BatchCRS(b.CRS, queryCRS, hasQueryCRS)
	if err != nil {
		return "", nil, err
	}
	points, err := batchPoints(&b, maxPoints)
	if err != nil {
		return "", nil, err
	}
	if err := badPoints(points); err != nil {
		return "", nil, err
	}
	if unknown != nil {
		return "", nil, unknown
	}
	return from, points, nil
}

// batchPoints reads the points of a decoded batch body, each named by
// its place in the body.
func batchPoints(b *batchBody, maxPoints int) ([]BatchPoint, error) {
	var points []BatchPoint
	typ := ""
	if b.Type != nil {
		typ = *b.Type
	}
	switch {
	case b.Type == nil && b.Points != nil:
		if err := checkCount(maxPoints, len(b.Points)); err != nil {
			return nil, err
		}
		points = make([]BatchPoint, len(b.Points))
		for i, p := range b.Points {
			points[i] = BatchPoint{pos: p, name: "points[" + strconv.Itoa(i) + "]"}
		}
	case b.Type == nil:
		return nil, invalidBody("the body has neither a GeoJSON \"type\" nor \"points\"; %s", bodyShapes)
	case typ == "FeatureCollection":
		if b.Features == nil {
			return nil, data.InvalidParams(data.Param{Name: "features", Reason: "a FeatureCollection needs a features array"})
		}
		if err := checkCount(maxPoints, len(b.Features)); err != nil {
			return nil, err
		}
		points = make([]BatchPoint, len(b.Features))
		for i, f := range b.Features {
			name := "features[" + strconv.Itoa(i) + "]"
			if f.Type != "Feature" {
				return nil, data.InvalidParams(data.Param{Name: name + ".type", Reason: fmt.Sprintf("every member of features must be a GeoJSON Feature, got type %q", f.Type)})
			}
			pos, err := intake.PointGeometry(f.Geometry, name+".geometry")
			if err != nil {
				return nil, err
			}
			points[i] = BatchPoint{pos: pos, name: name + ".geometry.coordinates", id: idOf(f.ID)}
		}
	case typ == "Feature":
		pos, err := intake.PointGeometry(b.Geometry, "geometry")
		if err != nil {
			return nil, err
		}
		points = []BatchPoint{{pos: pos, name: "geometry.coordinates", id: idOf(b.ID)}}
	case typ == "Point":
		var pos intake.Position
		if err := json.Unmarshal(orNull(b.Coordinates), &pos); err != nil {
			return nil, JSONError(err)
		}
		points = []BatchPoint{{pos: pos, name: "coordinates"}}
	case typ == "MultiPoint":
		var list []intake.Position
		if err := json.Unmarshal(orNull(b.Coordinates), &list); err != nil || list == nil {
			return nil, data.InvalidParams(data.Param{Name: "coordinates", Reason: "a MultiPoint's coordinates must be an array of positions [[lon, lat], ...]"})
		}
		if err := checkCount(maxPoints, len(list)); err != nil {
			return nil, err
		}
		points = make([]BatchPoint, len(list))
		for i, p := range list {
			points[i] = BatchPoint{pos: p, name: "coordinates[" + strconv.Itoa(i) + "]"}
		}
	default:
		return nil, invalidBody("GeoJSON type %q cannot be looked up; %s", intake.Clip([]byte(typ)), bodyShapes)
	}
	return points, nil
}

// badPoints refuses a batch naming its bad points (at most
// intake.MaxReported of them); nil when every point is good.
func badPoints(points []BatchPoint) error {
	var bad []data.Param
	badCount := 0
	for _, p := range points {
		if p.pos.Err != "" {
			badCount++
			if len(bad) < intake.MaxReported {
				bad = append(bad, data.Param{Name: p.name, Reason: p.name + " " + p.pos.Err})
			}
		}
	}
	if badCount > 0 {
		re := data.InvalidParams(bad...)
		re.Message = fmt.Sprintf("%d of %d points are invalid (nothing was looked up): %s", badCount, len(points), re.Message)
		return re
	}
	return nil
}

// decodeBatchBody decodes body in one pass, refusing members no shape
// has. A body with such a member is decoded again leniently, so the
// caller can report what is wrong with its shape first (a
// GeometryCollection says so, not that "geometries" is unknown); the
// unknown member comes back in unknown. Any other failure is decoded again
// by json.Unmarshal for its established messages (and its check for data
// after the value, which a Decoder does not make).
func decodeBatchBody(body []byte, b *batchBody) (unknown error, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	derr := dec.Decode(b)
	if derr == nil && len(bytes.TrimSpace(body[dec.InputOffset():])) == 0 {
		return nil, nil
	}
	if name, ok := strings.CutPrefix(fmt.Sprint(derr), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		unknown = data.InvalidParams(data.Param{Name: name, Reason: fmt.Sprintf("unknown member %q; a batch body has only %s (GeoJSON features: type, id, geometry, properties, bbox); %s", name, batchMembers, bodyShapes)})
	}
	*b = batchBody{}
	if err := json.Unmarshal(body, b); err != nil {
		return nil, JSONError(err)
	}
	return unknown, nil
}

// checkCount refuses a batch of n points over maxPoints.
func checkCount(maxPoints, n int) error {
	if n > maxPoints {
		return &data.RequestError{Kind: ErrTooMany, Type: "batch-too-large", Message: fmt.Sprintf("the batch holds %d points, more than the limit of %d per request; split it into requests of at most %d points", n, maxPoints, maxPoints)}
	}
	return nil
}

// invalidBody refuses a body of the wrong shape.
func invalidBody(format string, args ...any) *data.RequestError {
	return &data.RequestError{Kind: data.ErrInvalid, Type: "invalid-body", Message: fmt.Sprintf(format, args...)}
}

// orNull makes a missing member decode like a JSON null.
func orNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}

// idOf keeps a feature id to echo; a null id is no id.
func idOf(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

// BatchCRS picks the system of a batch from ?crs= (queryText, given when
// hasQuery) and the body's "crs" (bodyRaw, JSON); given twice, the two
// must agree.
func BatchCRS(bodyRaw json.RawMessage, queryText string, hasQuery bool) (crs.CRS, error) {
	var bodyText string
	hasBody := len(bodyRaw) > 0 && string(bodyRaw) != "null"
	if hasBody {
		if err := json.Unmarshal(bodyRaw, &bodyText); err != nil {
			return "", data.InvalidParams(data.Param{Name: "crs", Reason: `the body's "crs" must be a string such as "gcj02"; the GeoJSON 2008 crs object is not supported`})
		}
	}
	var fromQuery, fromBody crs.CRS
	var bad []data.Param
	var err error
	if hasQuery {
		if fromQuery, err = ParseCRS("crs", queryText); err != nil {
			bad = append(bad, paramsOf(err)...)
		}
	}
	if hasBody {
		if fromBody, err = ParseCRS("crs", bodyText); err != nil {
			bad = append(bad, paramsOf(err)...)
		}
	}
	if len(bad) > 0 {
		return "", data.InvalidParams(bad...)
	}
	switch {
	case hasQuery && hasBody && fromQuery != fromBody:
		return "", data.InvalidParams(data.Param{Name: "crs", Reason: fmt.Sprintf("crs is %s in the query but %s in the body; give it once or make them agree", fromQuery, fromBody)})
	case hasQuery:
		return fromQuery, nil
	case hasBody:
		return fromBody, nil
	}
	return crs.WGS84, nil
}

// JSONError explains a JSON decoding failure of a batch body: where the
// syntax broke, or which member had the wrong kind of value.
func JSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return invalidBody("the body is not valid JSON: %v (at byte %d)", syn, syn.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return invalidBody("the body must be a JSON object, got a JSON %s; %s", typ.Value, bodyShapes)
	case errors.As(err, &typ):
		return data.InvalidParams(data.Param{Name: typ.Field, Reason: fmt.Sprintf("%s has the wrong kind of value: a JSON %s where %s belongs", typ.Field, typ.Value, intake.JSONKind(typ.Type.Kind().String()))})
	}
	return invalidBody("the body could not be decoded: %v", err)
}

// paramsOf is the invalid parameters of a refusal; nil for any other error.
func paramsOf(err error) []data.Param {
	var re *data.RequestError
	if errors.As(err, &re) {
		return re.Params
	}
	return nil
}
