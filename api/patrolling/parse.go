package patrolling

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"jingge/api/intake"
	"jingge/data"
)

// PingInput is one position in a POST /api/v1/patrols/pings body, as the
// client sent it. Speed and heading may be left out (unknown).
type PingInput struct {
	Officer    string   `json:"officer"`
	At         string   `json:"at"` // RFC 3339, e.g. 2025-05-01T08:00:00+08:00
	Lon        *float64 `json:"lon"`
	Lat        *float64 `json:"lat"`
	SpeedMPS   *float64 `json:"speed_mps,omitempty"`
	HeadingDeg *float64 `json:"heading_deg,omitempty"`
}

// PingBody is the body of POST /api/v1/patrols/pings.
type PingBody struct {
	CRS   string      `json:"crs,omitempty"` // wgs84 (default), gcj02 or bd09
	Pings []PingInput `json:"pings"`
}

// parsedPing is one ping read from a body: its values, or what is wrong
// with it.
type parsedPing struct {
	officer string
	at      time.Time
	lon     float64
	lat     float64
	speed   float64 // NaN: unknown
	heading float64 // NaN: unknown
	// errs name the ping's bad members ("pings[3].at") and say why.
	errs []data.Param
}

// pingsBody decodes a body in one pass; each ping decodes itself and keeps
// what is wrong with it, so every bad ping can be named at once.
type pingsBody struct {
	CRS   json.RawMessage `json:"crs"`
	Pings *[]parsedPing   `json:"pings"`
}

// Ping value limits.
const (
	maxSpeedMPS = 100 // 360 km/h: faster is a broken receiver
)

// UnmarshalJSON implements json.Unmarshaler: it never fails on a ping's
// content, it records the problem.
func (p *parsedPing) UnmarshalJSON(b []byte) error {
	*p = parsedPing{speed: math.NaN(), heading: math.NaN()}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		p.bad("", "must be an object {\"officer\", \"at\", \"lon\", \"lat\", \"speed_mps\", \"heading_deg\"}, got "+intake.Clip(b))
		return nil
	}
	var in PingInput
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			p.bad("."+typ.Field, fmt.Sprintf("must be %s, got a JSON %s", pingFieldKind(typ.Field), typ.Value))
		default:
			// The only other failure of valid JSON: an unknown member.
			p.bad("", strings.TrimPrefix(err.Error(), "json: ")+"; a ping has officer, at, lon, lat, speed_mps and heading_deg")
		}
		return nil
	}
	f := pingFields{officer: in.Officer, at: in.At}
	f.lon, f.hasLon = deref(in.Lon)
	f.lat, f.hasLat = deref(in.Lat)
	f.speed, f.hasSpeed = deref(in.SpeedMPS)
	f.heading, f.hasHeading = deref(in.HeadingDeg)
	p.set(f)
	return nil
}

func deref(v *float64) (float64, bool) {
	if v == nil {
		return 0, false
	}
	return *v, true
}

// pingFields are the members of one ping as sent; has* say which numbers
// were there.
type pingFields struct {
	officer, at                          string
	lon, lat, speed, heading             float64
	hasLon, hasLat, hasSpeed, hasHeading bool
}

// set checks f and keeps its values, recording every problem.
func (p *parsedPing) set(f pingFields) {
	if f.officer == "" {
		p.bad(".officer", "is required: the member id of the officer, e.g. \"M00001\"")
	}
	p.officer = f.officer
	switch t, err := time.Parse(time.RFC3339Nano, f.at); {
	case f.at == "":
		p.bad(".at", "is required: the time of the position, RFC 3339 with a zone, e.g. \"2025-05-01T08:00:00+08:00\"")
	case err != nil:
		p.bad(".at", fmt.Sprintf("must be an RFC 3339 time with a zone, e.g. \"2025-05-01T08:00:00+08:00\", got %q", intake.Clip([]byte(f.at))))
	default:
		p.at = t
	}
	switch {
	case !f.hasLon:
		p.bad(".lon", "is required: the longitude in decimal degrees")
	case math.Abs(f.lon) > intake.MaxLon:
		p.bad(".lon", fmt.Sprintf("must be between -180 and 180, got %g", f.lon))
	default:
		p.lon = f.lon
	}
	switch {
	case !f.hasLat:
		p.bad(".lat", "is required: the latitude in decimal degrees")
	case math.Abs(f.lat) > intake.MaxLat:
		reason := fmt.Sprintf("must be between -90 and 90, got %g", f.lat)
		if f.hasLon && math.Abs(f.lon) <= intake.MaxLat && math.Abs(f.lat) <= intake.MaxLon {
			reason += " (lon and lat may be swapped: lon comes first)"
		}
		p.bad(".lat", reason)
	default:
		p.lat = f.lat
	}
	if f.hasLon && f.hasLat && f.lon == 0 && f.lat == 0 {
		p.bad("", "is at lon 0, lat 0, which is what a receiver without a fix sends; leave the ping out instead")
	}
	if f.hasSpeed {
		if f.speed < 0 || f.speed > maxSpeedMPS {
			p.bad(".speed_mps", fmt.Sprintf("must be between 0 and %d m/s, got %g", maxSpeedMPS, f.speed))
		}
		p.speed = f.speed
	}
	if f.hasHeading {
		switch {
		case f.heading < 0 || f.heading > 360:
			p.bad(".heading_deg", fmt.Sprintf("must be between 0 and 360 degrees clockwise from north, got %g", f.heading))
		case f.heading == 360:
			p.heading = 0
		default:
			p.heading = f.heading
		}
	}
}

// bad records a problem with member (".at", or "" for the whole ping);
// the name gets the ping's index later.
func (p *parsedPing) bad(member, reason string) {
	p.errs = append(p.errs, data.Param{Name: member, Reason: reason})
}

func pingFieldKind(field string) string {
	switch field {
	case "officer", "at":
		return "a string"
	case "lon", "lat", "speed_mps", "heading_deg":
		return "a number"
	}
	return "something else"
}

// pingBodyShape is said whenever a ping body has the wrong shape.
const pingBodyShape = `send {"crs": "wgs84", "pings": [{"officer": "M00001", "at": "2025-05-01T08:00:00+08:00", "lon": 109.32, "lat": 34.15, "speed_mps": 1.4, "heading_deg": 90}, ...]}`

// Batch is a POST /api/v1/patrols/pings body as read: its pings, each
// with its values or what is wrong with it, and its crs member.
type Batch struct {
	crsRaw json.RawMessage
	pings  []parsedPing
}

// CRS is the body's crs member as JSON text, nil when it has none.
func (b *Batch) CRS() json.RawMessage { return b.crsRaw }

// ReadPings reads a POST /api/v1/patrols/pings body of at most maxPings
// pings. Problems of single pings are kept for Check, which names them
// all; only a body that is not a ping batch at all is refused here.
// checkText, when set, refuses JSON text that encoding/json would take
// but the API does not (a member given twice, a NUL); it is asked only of
// bodies the fast scanner leaves to encoding/json, as the scanner takes
// neither escapes nor repeated members.
func ReadPings(body []byte, maxPings int, checkText func([]byte) error) (*Batch, error) {
	crsRaw, pings, err := parsePingBody(body, maxPings, checkText)
	if err != nil {
		return nil, err
	}
	return &Batch{crsRaw: crsRaw, pings: pings}, nil
}

// parsePingBody reads a ping body: the pings and the body's crs member.
func parsePingBody(body []byte, maxPings int, checkText func([]byte) error) (crsRaw json.RawMessage, pings []parsedPing, err error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, invalidBody("the request body is empty; %s", pingBodyShape)
	}
	if crsRaw, pings, ok := scanPings(body); ok {
		if len(pings) > maxPings {
			return nil, nil, tooManyPings(len(pings), maxPings)
		}
		return crsRaw, pings, nil
	}
	// Anything the scanner does not take (escapes, unknown members, bad
	// syntax) goes through encoding/json, which also explains errors.
	if checkText != nil {
		if err := checkText(body); err != nil {
			return nil, nil, err
		}
	}
	return decodePingBody(body, maxPings)
}

// decodePingBody is parsePingBody by encoding/json.
func decodePingBody(body []byte, maxPings int) (crsRaw json.RawMessage, pings []parsedPing, err error) {
	var pb pingsBody
	if err := json.Unmarshal(body, &pb); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field == "pings" {
			return nil, nil, data.InvalidParams(data.Param{Name: "pings", Reason: "pings must be an array of ping objects; " + pingBodyShape})
		}
		if errors.As(err, &typ) && typ.Field == "" {
			return nil, nil, invalidBody("the body must be a JSON object, got a JSON %s; %s", typ.Value, pingBodyShape)
		}
		return nil, nil, intake.JSONError(err)
	}
	if pb.Pings == nil {
		return nil, nil, data.InvalidParams(data.Param{Name: "pings", Reason: "the body has no pings array; " + pingBodyShape})
	}
	if len(*pb.Pings) > maxPings {
		return nil, nil, tooManyPings(len(*pb.Pings), maxPings)
	}
	return pb.CRS, *pb.Pings, nil
}

// tooManyPings refuses a batch over the limit with the kind of an
// incident batch over its limit: both are 413s to the API.
func tooManyPings(n, maxPings int) error {
	return &data.RequestError{Kind: intake.ErrTooMany, Type: "batch-too-large", Message: fmt.Sprintf("the batch holds %d pings, more than the limit of %d per request; split it into requests of at most %d pings", n, maxPings, maxPings)}
}

// invalidBody refuses a body that is not a ping batch.
func invalidBody(format string, args ...any) error {
	return &data.RequestError{Kind: data.ErrInvalid, Type: "invalid-body", Message: fmt.Sprintf(format, args...)}
}
