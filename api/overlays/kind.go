package overlays

import (
	"fmt"
	"strings"

	"jingge/geo"
)

// Kind is what the routes of one kind of overlay share: its names in
// messages and the kinds of feature it has.
type Kind struct {
	singular, plural string
	article          string // "an area", "a place"
	kinds            []string
	// shape says what a body holds, empty what to send instead of nothing.
	shape, empty string
}

const (
	overlayShape = "id, geometry, properties (name, kind, station, liaison, opening, valid_from, valid_to), base_version and crs"
	overlayEmpty = `the request body is empty; send a GeoJSON Feature {"type": "Feature", "id": "...", "geometry": {...}, "properties": {"name": ..., "kind": ..., "station": ...}}`
)

// The kinds of overlay.
var (
	Areas       = &Kind{"area", "areas", "an area", kindNames(geo.AreaKinds), overlayShape, overlayEmpty}
	Places      = &Kind{"place", "places", "a place", kindNames(geo.PlaceKinds), overlayShape, overlayEmpty}
	Checkpoints = &Kind{"checkpoint", "checkpoints", "a checkpoint", nil, "id, geometry (a Point), properties (name, station, road, notes), base_version and crs",
		`the request body is empty; send a GeoJSON Feature {"type": "Feature", "id": "...", "geometry": {"type": "Point", ...}, "properties": {"name": ..., "station": ..., "road": ...}}`}
)

func kindNames[K ~string](ks []K) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// parseKind reads a kind's code or Chinese name.
func (k *Kind) parseKind(text string) (string, error) {
	var kind string
	var err error
	if k == Areas {
		var a geo.AreaKind
		a, err = geo.ParseAreaKind(text)
		kind = string(a)
	} else {
		var p geo.PlaceKind
		p, err = geo.ParsePlaceKind(text)
		kind = string(p)
	}
	if err != nil {
		return "", fmt.Errorf("kind must be one of %s (or its Chinese name), got %q", strings.Join(k.kinds, ", "), text)
	}
	return kind, nil
}

// StationIDs lists the stations of ix for a message refusing a station id.
func StationIDs(ix *geo.Index) string {
	ids := make([]string, 0, len(ix.Stations()))
	for _, st := range ix.Stations() {
		ids = append(ids, st.ID)
	}
	if len(ids) == 0 {
		return "it has none"
	}
	return "one of " + strings.Join(ids, ", ")
}
