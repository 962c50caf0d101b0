package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"jingge/data"
	"jingge/geo"
)

// Body is a request body of new incidents as read by Decode, before any
// coordinate is converted.
type Body struct {
	// CRS is the body's "crs" member, "" when it has none.
	CRS string
	// Incidents hold the incidents as sent, their locations in CRS.
	Incidents []geo.Incident
	// Names say where each incident sits in the body, for messages:
	// "incidents[3]", "features[0]", or "" for a lone incident.
	Names []string
	// Problems lists, per incident, what is wrong with it; only
	// Options.KeepBad lets a body with problems through.
	Problems [][]data.Param
}

// Options control Decode.
type Options struct {
	// MaxCount, when positive, is the most incidents a body may hold;
	// more is a 413 problem.
	MaxCount int
	// KeepBad returns a body whose incidents have problems, listed in
	// Body.Problems, instead of refusing it; for imports that
	// skip bad rows.
	KeepBad bool
	// Zone is the local time of times given without an offset: the
	// dataset's (geo.Meta.Location). Nil means UTC.
	Zone *time.Location
}

// ErrTooMany is the kind of refusal of a body holding more items than its
// route allows (incidents over Options.MaxCount, a patrol batch over its
// limit of pings); the API answers it with 413, the refusal's message
// naming the items and the limit.
var ErrTooMany = errors.New("intake: too many items in one body")

// invalidBody refuses a body as a whole: its shape, its JSON.
func invalidBody(format string, args ...any) *data.RequestError {
	return &data.RequestError{Kind: data.ErrInvalid, Type: "invalid-body", Message: fmt.Sprintf(format, args...)}
}

// incidentShapes is said whenever a body of incidents has the wrong shape.
const incidentShapes = `send one incident {"occurred_at": "2026-05-01T14:30:00+08:00", "category": "traffic", "location": [lon, lat], ...}, a batch {"crs": "gcj02", "incidents": [...]}, or GeoJSON (a Point Feature or a FeatureCollection of them) with the incident's fields as properties`

// incidentJSON is one incident as a client writes it.
type incidentJSON struct {
	OccurredAt *string   `json:"occurred_at"`
	ReportedAt *string   `json:"reported_at"`
	Category   *string   `json:"category"`
	Severity   *int      `json:"severity"`
	Status     *string   `json:"status"`
	Cleared    *bool     `json:"cleared"`
	Location   *Position `json:"location"`
	Source     *string   `json:"source"`
	Summary    *string   `json:"summary"`
}

// incidentFields lists the members of incidentJSON, for hints.
var incidentFields = []string{"occurred_at", "reported_at", "category", "severity", "status", "cleared", "location", "source", "summary"}

// incidentsEnvelope is every shape of body, decoded in one pass.
type incidentsEnvelope struct {
	Type      *string           `json:"type"`
	CRS       json.RawMessage   `json:"crs"`
	Incidents []json.RawMessage `json:"incidents"`
	Features  []json.RawMessage `json:"features"`
}

// Decode reads a body of new incidents: one incident object, a batch
// {"incidents": [...]} or GeoJSON (a Point Feature or a FeatureCollection
// of them) whose properties are the incident's fields, each with an
// optional "crs" member. An object member the format does not have is an
// error, so a misspelt field is never silently dropped. More than
// opts.MaxCount incidents is a *data.RequestError of kind ErrTooMany; every
// other fault is one of kind data.ErrInvalid naming each bad incident and
// field (with opts.KeepBad, faults of single incidents are only listed in
// the result).
func Decode(body []byte, opts Options) (*Body, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, invalidBody("the request body is empty; %s", incidentShapes)
	}
	var env incidentsEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, JSONError(err)
	}
	out := &Body{}
	if len(env.CRS) > 0 && string(env.CRS) != "null" {
		if err := json.Unmarshal(env.CRS, &out.CRS); err != nil {
			return nil, data.InvalidParams(data.Param{Name: "crs", Reason: `the body's "crs" must be a string such as "gcj02"`})
		}
	}
	var items []json.RawMessage
	var prefix string
	geoJSON := false
	if env.Incidents != nil || env.Features != nil {
		if bad := unknownEnvelopeMembers(body); len(bad) > 0 {
			return nil, data.InvalidParams(bad...)
		}
	}
	switch {
	case env.Type != nil && *env.Type == "FeatureCollection":
		if env.Features == nil {
			return nil, data.InvalidParams(data.Param{Name: "features", Reason: "a FeatureCollection needs a features array"})
		}
		items, prefix, geoJSON = env.Features, "features", true
	case env.Type != nil && *env.Type == "Feature":
		items, geoJSON = []json.RawMessage{body}, true
	case env.Type != nil:
		return nil, invalidBody("GeoJSON type %q does not hold incidents; %s", Clip([]byte(*env.Type)), incidentShapes)
	case env.Incidents != nil:
		items, prefix = env.Incidents, "incidents"
	default:
		items = []json.RawMessage{body}
	}
	if maxCount := opts.MaxCount; maxCount > 0 && len(items) > maxCount {
		return nil, &data.RequestError{Kind: ErrTooMany, Type: "batch-too-large", Message: fmt.Sprintf("the batch holds %d incidents, more than the limit of %d per request; split it into requests of at most %d", len(items), maxCount, maxCount)}
	}
	if len(items) == 0 {
		return nil, data.InvalidParams(data.Param{Name: prefix, Reason: prefix + " is empty; send at least one incident"})
	}
	bad, badItems := out.decodeItems(items, prefix, geoJSON, zoneOr(opts.Zone))
	if badItems > 0 && !opts.KeepBad {
		p := data.InvalidParams(bad[:min(len(bad), MaxReported)]...)
		p.Message = fmt.Sprintf("%d of %d incidents are invalid (nothing was stored): %s", badItems, len(items), p.Message)
		return nil, p
	}
	return out, nil
}

// decodeItems decodes each item of a body (GeoJSON features when geoJSON)
// into b, named after prefix, reading times without an offset in zone. It returns the problems of the bad items,
// collected until MaxReported or more are in hand, and how many items
// were bad.
func (b *Body) decodeItems(items []json.RawMessage, prefix string, geoJSON bool, zone *time.Location) (bad []data.Param, badItems int) {
	b.Problems = make([][]data.Param, len(items))
	for i, raw := range items {
		name := ""
		if prefix != "" {
			name = prefix + "[" + strconv.Itoa(i) + "]"
		}
		var inc geo.Incident
		var problems []data.Param
		if geoJSON {
			inc, problems = decodeIncidentFeature(raw, name, prefix == "", zone)
		} else {
			inc, problems = decodeIncident(raw, name, prefix == "", zone)
		}
		if len(problems) > 0 {
			badItems++
			if len(bad) < MaxReported {
				bad = append(bad, problems...)
			}
		}
		b.Incidents = append(b.Incidents, inc)
		b.Names = append(b.Names, name)
		b.Problems[i] = problems
	}
	return bad, badItems
}

// unknownEnvelopeMembers names the members of a batch or collection body
// that it cannot have.
func unknownEnvelopeMembers(body []byte) []data.Param {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return nil
	}
	var bad []data.Param
	for k := range obj {
		switch k {
		case "type", "crs", "incidents", "features", "bbox":
		default:
			bad = append(bad, data.Param{Name: nameOr(k, `""`), Reason: fmt.Sprintf("unknown member %q; a batch has crs and incidents, a FeatureCollection crs and features", Clip([]byte(k)))})
		}
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].Name < bad[j].Name })
	return bad
}

// Member joins a member name to the name of the object holding it.
func Member(object, name string) string {
	if object == "" {
		return name
	}
	return object + "." + name
}

// decodeIncident reads one incident object. top is set for a lone
// incident, whose object may also hold the body's "crs".
func decodeIncident(raw json.RawMessage, name string, top bool, zone *time.Location) (geo.Incident, []data.Param) {
	var x incidentJSON
	if probs := strictDecode(raw, &x, name, top, false); len(probs) > 0 {
		return geo.Incident{}, probs
	}
	return x.incident(name, true, zone)
}

// decodeIncidentFeature reads a GeoJSON Feature with a Point geometry and
// the incident's fields as properties.
func decodeIncidentFeature(raw json.RawMessage, name string, top bool, zone *time.Location) (geo.Incident, []data.Param) {
	var f struct {
		Type       string          `json:"type"`
		ID         json.RawMessage `json:"id"`
		Geometry   *Geometry       `json:"geometry"`
		Properties json.RawMessage `json:"properties"`
		CRS        json.RawMessage `json:"crs"`
	}
	if probs := strictDecode(raw, &f, name, false, false); len(probs) > 0 {
		return geo.Incident{}, probs
	}
	if len(f.CRS) > 0 && !top {
		return geo.Incident{}, []data.Param{{Name: Member(name, "crs"), Reason: `give "crs" once, on the FeatureCollection`}}
	}
	if f.Type != "Feature" {
		return geo.Incident{}, []data.Param{{Name: Member(name, "type"), Reason: fmt.Sprintf("every member of features must be a GeoJSON Feature, got type %q", Clip([]byte(f.Type)))}}
	}
	pos, err := PointGeometry(f.Geometry, Member(name, "geometry"))
	if err != nil {
		var p *data.RequestError
		if errors.As(err, &p) && len(p.Params) > 0 {
			return geo.Incident{}, p.Params
		}
		return geo.Incident{}, []data.Param{{Name: Member(name, "geometry"), Reason: err.Error()}}
	}
	var x incidentJSON
	props := Member(name, "properties")
	if len(f.Properties) == 0 || string(f.Properties) == "null" {
		return geo.Incident{}, []data.Param{{Name: props, Reason: props + " is missing; it holds the incident's occurred_at, category and other fields"}}
	}
	if probs := strictDecode(f.Properties, &x, props, false, true); len(probs) > 0 {
		return geo.Incident{}, probs
	}
	if x.Location != nil {
		return geo.Incident{}, []data.Param{{Name: Member(props, "location"), Reason: "a feature's location is its geometry; leave location out of its properties"}}
	}
	x.Location = &pos
	inc, probs := x.incident(props, false, zone)
	for i := range probs {
		if probs[i].Name == Member(props, "location") {
			probs[i].Name = Member(name, "geometry.coordinates")
		}
	}
	return inc, probs
}

// strictDecode decodes raw into v, refusing members v does not have. The
// members a wrapper may carry (crs at the top, id in a feature's
// properties) are allowed where they belong.
func strictDecode(raw json.RawMessage, v any, name string, allowCRS, allowID bool) []data.Param {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		what := name
		if what == "" {
			what = "the body"
		}
		return []data.Param{{Name: nameOr(name, "body"), Reason: what + " must be a JSON object; " + incidentShapes}}
	}
	if allowCRS {
		delete(obj, "crs")
	}
	if allowID {
		delete(obj, "id")
	}
	clean, _ := json.Marshal(obj)
	dec := json.NewDecoder(bytes.NewReader(clean))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil || err == io.EOF {
		return nil
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := typ.Field
		return []data.Param{{Name: Member(name, field), Reason: fmt.Sprintf("%s has the wrong kind of value: a JSON %s where %s belongs", Member(name, field), typ.Value, JSONKind(typ.Type.Kind().String()))}}
	}
	if unknown, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		unknown = strings.Trim(unknown, `"`)
		if unknown == "" {
			unknown = `""`
		}
		reason := fmt.Sprintf("unknown member %q; an incident has %s", unknown, strings.Join(incidentFields, ", "))
		if hint := closestField(unknown); hint != "" {
			reason = fmt.Sprintf("unknown member %q; did you mean %q?", unknown, hint)
		}
		return []data.Param{{Name: Member(name, unknown), Reason: reason}}
	}
	return []data.Param{{Name: nameOr(name, "body"), Reason: fmt.Sprintf("could not be decoded: %v", err)}}
}

func nameOr(name, fallback string) string {
	if name == "" {
		return fallback
	}
	return name
}

// closestField guesses the field a misspelt member meant: one of at most
// two edits away.
func closestField(s string) string {
	s = strings.ToLower(s)
	best, bestD := "", 3
	for _, f := range incidentFields {
		if d := editDistance(s, f); d < bestD {
			best, bestD = f, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// incident checks the members of x and builds the incident; name prefixes
// the members in messages. Defaults (status, severity, reported_at) are
// left to data.NormalizeIncident.
func (x *incidentJSON) incident(name string, needLocation bool, zone *time.Location) (geo.Incident, []data.Param) {
	var inc geo.Incident
	var bad []data.Param
	fail := func(field, format string, args ...any) {
		bad = append(bad, data.Param{Name: Member(name, field), Reason: Member(name, field) + " " + fmt.Sprintf(format, args...)})
	}
	if x.OccurredAt == nil {
		fail("occurred_at", "is required: when the incident happened, e.g. 2026-05-01T14:30:00+08:00")
	} else if t, err := ParseTime(*x.OccurredAt, zone); err != nil {
		fail("occurred_at", "%v", err)
	} else {
		inc.OccurredAt = t
	}
	if x.ReportedAt != nil {
		if t, err := ParseTime(*x.ReportedAt, zone); err != nil {
			fail("reported_at", "%v", err)
		} else {
			inc.ReportedAt = t
		}
	}
	if x.Category == nil {
		fail("category", "is required: one of %s", categoryNames())
	} else if c, err := ParseCategory(*x.Category); err != nil {
		fail("category", "%v", err)
	} else {
		inc.Category = c
	}
	if x.Severity != nil {
		inc.Severity = *x.Severity
		if inc.Severity < 1 || inc.Severity > 5 {
			fail("severity", "must be 1 (minor) to 5 (major), got %d", inc.Severity)
		}
	}
	if x.Status != nil {
		inc.Status = geo.IncidentStatus(*x.Status)
		if !ValidStatus(inc.Status) {
			fail("status", "must be reported, dispatched, on_scene or closed, got %q", Clip([]byte(*x.Status)))
		}
	}
	if x.Cleared != nil {
		inc.Cleared = *x.Cleared
	}
	switch {
	case x.Location == nil && needLocation:
		fail("location", "is required: the position [lon, lat]")
	case x.Location != nil && x.Location.Err != "":
		fail("location", "%s", x.Location.Err)
	case x.Location != nil:
		inc.Location = x.Location.Point
	}
	if x.Source != nil {
		inc.Source = *x.Source
	}
	if x.Summary != nil {
		inc.Summary = *x.Summary
	}
	return inc, bad
}

// JSONError explains a body that is not JSON or not an object.
func JSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return invalidBody("the body is not valid JSON: %v (at byte %d)", syn, syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return invalidBody("the body is not valid JSON: it ends before the JSON value does")
	case errors.As(err, &typ) && typ.Field == "":
		return invalidBody("the body must be a JSON object, got a JSON %s; %s", typ.Value, incidentShapes)
	case errors.As(err, &typ):
		return data.InvalidParams(data.Param{Name: typ.Field, Reason: fmt.Sprintf("%s has the wrong kind of value: a JSON %s where %s belongs", typ.Field, typ.Value, JSONKind(typ.Type.Kind().String()))})
	}
	return invalidBody("the body could not be decoded: %v", err)
}

// zoneOr returns loc, or UTC when it is nil.
func zoneOr(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
