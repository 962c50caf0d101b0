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

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/geo"
	"jingge/geo/crs"
)

// BatchResponse answers POST /api/v1/lookup. Results are in input order.
type BatchResponse struct {
	CRS      string        `json:"crs"`   // the system the points were read in
	Datum    string        `json:"datum"` // the dataset's datum, the lookups' own
	Count    int           `json:"count"`
	Found    int           `json:"found"`
	NotFound int           `json:"not_found"`
	Results  []BatchResult `json:"results"`
}

// BatchResult is the answer for one input point. ID echoes the input
// feature's id, as it was sent (string or number), when it had one.
type BatchResult struct {
	Index         int             `json:"index"`
	ID            json.RawMessage `json:"id,omitempty"`
	Found         bool            `json:"found"`
	CommunityGrid *Ref            `json:"community_grid"`
	PoliceGrid    *Ref            `json:"police_grid"`
	Station       *Ref            `json:"station"`
}

// Ref names a grid or a station.
type Ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

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

// batchPoint is one point of a batch with the id it came with.
type batchPoint struct {
	pos  intake.Position
	name string // where it sits in the request, for error messages
	id   json.RawMessage
}

func (s *Server) handleLookupBatch(w http.ResponseWriter, r *http.Request, q query) error {
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	queryCRS, hasQueryCRS, err := queryCRSText(q)
	fieldsText, fieldsGiven := q.lookup("fields")
	sel, fieldsErr := parseLookupFields(fieldsText, fieldsGiven, true)
	if err != nil || fieldsErr != nil {
		return joinInvalid(err, fieldsErr)
	}
	from, points, err := s.parseBatch(body, queryCRS, hasQueryCRS)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	pts := make([]orb.Point, len(points))
	for i := range points {
		pts[i] = v.toDatum(points[i].pos.Point, from)
	}
	hits := make([]geo.Hit, len(pts))
	v.ix.LookupBatch(pts, hits)
	s.metrics.traffic.lookupBatch.Add(float64(len(pts)))
	resp := BatchResponse{CRS: string(from), Datum: v.datumName, Count: len(hits), Results: make([]BatchResult, len(hits))}
	for i, h := range hits {
		res := &resp.Results[i]
		res.Index, res.ID, res.Found = i, points[i].id, h.Found()
		if h.Community != nil {
			res.CommunityGrid = v.gridRefs[h.Community.ID]
		}
		if h.Police != nil {
			res.PoliceGrid = v.gridRefs[h.Police.ID]
		}
		if h.Station != nil {
			res.Station = v.stRefs[h.Station.ID]
		}
		if res.Found {
			resp.Found++
		}
	}
	resp.NotFound = resp.Count - resp.Found
	if fieldsGiven {
		httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, selectBatch(&resp, sel))
		return nil
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

// bodyShapes is said whenever a body has the wrong shape.
const bodyShapes = `send GeoJSON (a FeatureCollection of Point features, a Point Feature, a Point or a MultiPoint) or {"crs": "gcj02", "points": [[lon, lat], ...]}`

// parseBatch reads a batch body into points and the system they are in.
func (s *Server) parseBatch(body []byte, queryCRS string, hasQueryCRS bool) (crs.CRS, []batchPoint, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return "", nil, httpx.InvalidBody("the request body is empty; %s", bodyShapes)
	}
	var b batchBody
	unknown, err := decodeBatchBody(body, &b)
	if err != nil {
		return "", nil, err
	}
	from, err := batchCRS(b.CRS, queryCRS, hasQueryCRS)
	if err != nil {
		return "", nil, err
	}
	points, err := s.batchPoints(&b)
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
func (s *Server) batchPoints(b *batchBody) ([]batchPoint, error) {
	var points []batchPoint
	typ := ""
	if b.Type != nil {
		typ = *b.Type
	}
	switch {
	case b.Type == nil && b.Points != nil:
		if err := s.checkCount(len(b.Points)); err != nil {
			return nil, err
		}
		points = make([]batchPoint, len(b.Points))
		for i, p := range b.Points {
			points[i] = batchPoint{pos: p, name: "points[" + strconv.Itoa(i) + "]"}
		}
	case b.Type == nil:
		return nil, httpx.InvalidBody("the body has neither a GeoJSON \"type\" nor \"points\"; %s", bodyShapes)
	case typ == "FeatureCollection":
		if b.Features == nil {
			return nil, httpx.Invalid(httpx.InvalidParam{Name: "features", Reason: "a FeatureCollection needs a features array"})
		}
		if err := s.checkCount(len(b.Features)); err != nil {
			return nil, err
		}
		points = make([]batchPoint, len(b.Features))
		for i, f := range b.Features {
			name := "features[" + strconv.Itoa(i) + "]"
			if f.Type != "Feature" {
				return nil, httpx.Invalid(httpx.InvalidParam{Name: name + ".type", Reason: fmt.Sprintf("every member of features must be a GeoJSON Feature, got type %q", f.Type)})
			}
			pos, err := intake.PointGeometry(f.Geometry, name+".geometry")
			if err != nil {
				return nil, err
			}
			points[i] = batchPoint{pos: pos, name: name + ".geometry.coordinates", id: idOf(f.ID)}
		}
	case typ == "Feature":
		pos, err := intake.PointGeometry(b.Geometry, "geometry")
		if err != nil {
			return nil, err
		}
		points = []batchPoint{{pos: pos, name: "geometry.coordinates", id: idOf(b.ID)}}
	case typ == "Point":
		var pos intake.Position
		if err := json.Unmarshal(orNull(b.Coordinates), &pos); err != nil {
			return nil, jsonError(err)
		}
		points = []batchPoint{{pos: pos, name: "coordinates"}}
	case typ == "MultiPoint":
		var list []intake.Position
		if err := json.Unmarshal(orNull(b.Coordinates), &list); err != nil || list == nil {
			return nil, httpx.Invalid(httpx.InvalidParam{Name: "coordinates", Reason: "a MultiPoint's coordinates must be an array of positions [[lon, lat], ...]"})
		}
		if err := s.checkCount(len(list)); err != nil {
			return nil, err
		}
		points = make([]batchPoint, len(list))
		for i, p := range list {
			points[i] = batchPoint{pos: p, name: "coordinates[" + strconv.Itoa(i) + "]"}
		}
	default:
		return nil, httpx.InvalidBody("GeoJSON type %q cannot be looked up; %s", intake.Clip([]byte(typ)), bodyShapes)
	}
	return points, nil
}

// badPoints refuses a batch naming its bad points (at most
// intake.MaxReported of them); nil when every point is good.
func badPoints(points []batchPoint) error {
	var bad []httpx.InvalidParam
	badCount := 0
	for _, p := range points {
		if p.pos.Err != "" {
			badCount++
			if len(bad) < intake.MaxReported {
				bad = append(bad, httpx.InvalidParam{Name: p.name, Reason: p.name + " " + p.pos.Err})
			}
		}
	}
	if badCount > 0 {
		pr := httpx.Invalid(bad...)
		pr.Detail = fmt.Sprintf("%d of %d points are invalid (nothing was looked up): %s", badCount, len(points), pr.Detail)
		return pr
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
		unknown = httpx.Invalid(httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("unknown member %q; a batch body has only %s (GeoJSON features: type, id, geometry, properties, bbox); %s", name, batchMembers, bodyShapes)})
	}
	*b = batchBody{}
	if err := json.Unmarshal(body, b); err != nil {
		return nil, jsonError(err)
	}
	return unknown, nil
}

// checkCount enforces MaxBatchPoints.
func (s *Server) checkCount(n int) error {
	if n > s.maxBatchPoints {
		return httpx.TooLarge("batch-too-large", "the batch holds %d points, more than the limit of %d per request; split it into requests of at most %d points", n, s.maxBatchPoints, s.maxBatchPoints)
	}
	return nil
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

// batchCRS picks the system of a batch from ?crs= and the body's "crs";
// given twice, the two must agree.
func batchCRS(bodyRaw json.RawMessage, queryText string, hasQuery bool) (crs.CRS, error) {
	var bodyText string
	hasBody := len(bodyRaw) > 0 && string(bodyRaw) != "null"
	if hasBody {
		if err := json.Unmarshal(bodyRaw, &bodyText); err != nil {
			return "", httpx.Invalid(httpx.InvalidParam{Name: "crs", Reason: `the body's "crs" must be a string such as "gcj02"; the GeoJSON 2008 crs object is not supported`})
		}
	}
	var fromQuery, fromBody crs.CRS
	var errs []error
	var err error
	if hasQuery {
		if fromQuery, err = parseCRS("crs", queryText); err != nil {
			errs = append(errs, err)
		}
	}
	if hasBody {
		if fromBody, err = parseCRS("crs", bodyText); err != nil {
			errs = append(errs, err)
		}
	}
	if err := joinInvalid(errs...); err != nil {
		return "", err
	}
	switch {
	case hasQuery && hasBody && fromQuery != fromBody:
		return "", httpx.Invalid(httpx.InvalidParam{Name: "crs", Reason: fmt.Sprintf("crs is %s in the query but %s in the body; give it once or make them agree", fromQuery, fromBody)})
	case hasQuery:
		return fromQuery, nil
	case hasBody:
		return fromBody, nil
	}
	return crs.WGS84, nil
}

// jsonError explains a JSON decoding failure: where the syntax broke, or
// which member had the wrong kind of value.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return httpx.InvalidBody("the body is not valid JSON: %v (at byte %d)", syn, syn.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return httpx.InvalidBody("the body must be a JSON object, got a JSON %s; %s", typ.Value, bodyShapes)
	case errors.As(err, &typ):
		return httpx.Invalid(httpx.InvalidParam{Name: typ.Field, Reason: fmt.Sprintf("%s has the wrong kind of value: a JSON %s where %s belongs", typ.Field, typ.Value, intake.JSONKind(typ.Type.Kind().String()))})
	}
	return httpx.InvalidBody("the body could not be decoded: %v", err)
}
