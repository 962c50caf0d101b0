package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"

	"jingge/data"
)

// Geometry is a GeoJSON geometry as a body carries it, its coordinates
// not yet read.
type Geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	BBox        json.RawMessage `json:"bbox"`
}

// Position is a GeoJSON position [lon, lat] or [lon, lat, altitude]. Its
// decoder never fails; it records what is wrong in Err, so one bad point
// can be named by its place in the request.
type Position struct {
	Point orb.Point
	// Err says what is wrong with the position; "" when it is good.
	Err string
}

// MaxReported caps how many bad points one 400 lists.
const MaxReported = 20

// Coordinate limits, in degrees.
const (
	MaxLon = 180 // the largest |longitude|
	MaxLat = 90  // the largest |latitude|
)

// degreesError is a bad longitude or latitude; outOfRange tells a number
// beyond the limit from one that is no number.
type degreesError struct {
	data.Param
	outOfRange bool
}

// ParseCoordinates reads a longitude and a latitude written as decimal
// degrees. Its error is a *data.RequestError (kind data.ErrInvalid) naming each bad
// value as "lon" or "lat", with a reason meant for people.
func ParseCoordinates(lonText, latText string) (orb.Point, error) {
	var bad []data.Param
	lon, lonErr := parseDegrees("lon", lonText, MaxLon)
	lat, latErr := parseDegrees("lat", latText, MaxLat)
	if lonErr != nil {
		bad = append(bad, lonErr.Param)
	}
	if latErr != nil {
		if latErr.outOfRange && lonErr == nil && math.Abs(lat) <= MaxLon && math.Abs(lon) <= MaxLat {
			latErr.Reason += " (lon and lat may be swapped: lon comes first)"
		}
		bad = append(bad, latErr.Param)
	}
	if len(bad) > 0 {
		return orb.Point{}, data.InvalidParams(bad...)
	}
	return orb.Point{lon, lat}, nil
}

func parseDegrees(name, text string, limit float64) (float64, *degreesError) {
	what := map[string]string{"lon": "longitude", "lat": "latitude"}[name]
	if text == "" {
		return 0, &degreesError{Param: data.Param{Name: name, Reason: fmt.Sprintf("%s is required: the %s in decimal degrees, between %g and %g", name, what, -limit, limit)}}
	}
	v, err := data.ParseDecimal(text)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, &degreesError{Param: data.Param{Name: name, Reason: fmt.Sprintf("%s must be a number between %g and %g, got %q; write plain decimal degrees such as %g", name, -limit, limit, text, map[string]float64{"lon": 109.32, "lat": 34.15}[name])}}
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, &degreesError{Param: data.Param{Name: name, Reason: fmt.Sprintf("%s must be a finite number between %g and %g, got %q", name, -limit, limit, text)}}
	case math.Abs(v) > limit:
		return v, &degreesError{outOfRange: true, Param: data.Param{Name: name, Reason: fmt.Sprintf("%s must be a number between %g and %g, got %s", name, -limit, limit, text)}}
	}
	return v, nil
}

// UnmarshalJSON implements json.Unmarshaler. The bytes are valid JSON
// already; numbers cannot hold ',' or ']', so splitting on ',' is safe.
func (p *Position) UnmarshalJSON(b []byte) error {
	*p = Position{}
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		p.Err = fmt.Sprintf("must be a position [lon, lat], got %s", Clip(b))
		return nil
	}
	inner := bytes.TrimSpace(b[1 : len(b)-1])
	n := 0
	for len(inner) > 0 {
		tok := inner
		if i := bytes.IndexByte(inner, ','); i >= 0 {
			tok, inner = inner[:i], inner[i+1:]
		} else {
			inner = nil
		}
		v, err := strconv.ParseFloat(string(bytes.TrimSpace(tok)), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			// Strings, nulls, booleans and nested arrays all land here.
			p.Err = fmt.Sprintf("must hold numbers [lon, lat], got %s", Clip(b))
			return nil
		}
		if n < 2 {
			p.Point[n] = v
		}
		n++
	}
	if n < 2 || n > 3 {
		p.Err = fmt.Sprintf("must have 2 numbers [lon, lat] (or 3 with altitude), got %d in %s", n, Clip(b))
		return nil
	}
	lon, lat := p.Point[0], p.Point[1]
	switch {
	case math.Abs(lon) > MaxLon:
		p.Err = fmt.Sprintf("longitude must be between -180 and 180, got %g", lon)
	case math.Abs(lat) > MaxLat:
		p.Err = fmt.Sprintf("latitude must be between -90 and 90, got %g", lat)
		if math.Abs(lon) <= MaxLat && math.Abs(lat) <= MaxLon {
			p.Err += " (lon and lat may be swapped: lon comes first)"
		}
	}
	return nil
}

// Clip quotes at most 40 bytes of a client's input for an error message.
func Clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// PointGeometry reads a Point geometry, the only kind a feature may carry.
func PointGeometry(g *Geometry, name string) (Position, error) {
	if g == nil {
		return Position{}, data.InvalidParams(data.Param{Name: name, Reason: name + " is missing or null; every feature needs a Point geometry"})
	}
	if g.Type != "Point" {
		return Position{}, data.InvalidParams(data.Param{Name: name + ".type", Reason: fmt.Sprintf("%s must be a Point, got type %q", name, Clip([]byte(g.Type)))})
	}
	raw := g.Coordinates
	if len(raw) == 0 {
		raw = json.RawMessage("null") // a missing member reads like null
	}
	var pos Position
	if err := json.Unmarshal(raw, &pos); err != nil {
		return Position{}, JSONError(err)
	}
	return pos, nil
}

// JSONKind names the kind of JSON value a Go kind decodes from, for
// messages about a value of the wrong kind.
func JSONKind(goKind string) string {
	switch goKind {
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "string":
		return "a string"
	}
	return "something else"
}
