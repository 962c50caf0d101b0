package locate

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo/crs"
)

// A lookup answers what else holds the point, the special areas and the
// key places near it, only when asked (include=areas,places): the
// default answer stays as it was, byte for byte, and a client that needs
// only the grid pays nothing for the overlays.

// Bounds of places_radius, in metres.
const (
	defaultPlacesRadiusMeters = 500
	maxPlacesRadiusMeters     = 5000
)

// Include is what include= and places_radius= asked for. The zero
// Include asks for nothing.
type Include struct {
	areas, places bool
	radiusMeters  float64
}

// ParseInclude reads include (a comma-separated list of areas and places)
// and places_radius (metres, 1 to 5,000; only with places) through
// param, which returns a query parameter's value and whether it was
// given.
func ParseInclude(param func(name string) (string, bool)) (Include, error) {
	inc := Include{radiusMeters: defaultPlacesRadiusMeters}
	var bad []data.Param
	if text, ok := param("include"); ok {
		for _, part := range strings.Split(text, ",") {
			switch strings.TrimSpace(part) {
			case "areas":
				inc.areas = true
			case "places":
				inc.places = true
			default:
				bad = append(bad, data.Param{Name: "include", Reason: fmt.Sprintf("include is a comma-separated list of areas and places, got %q", part)})
			}
		}
	}
	if text, ok := param("places_radius"); ok {
		r, err := data.ParseDecimal(text)
		switch {
		case !inc.places:
			bad = append(bad, data.Param{Name: "places_radius", Reason: "places_radius is the radius of include=places; add include=places or leave places_radius out"})
		case err != nil || math.IsNaN(r) || r < 1 || r > maxPlacesRadiusMeters:
			bad = append(bad, data.Param{Name: "places_radius", Reason: fmt.Sprintf("places_radius is a number of metres from 1 to %d, got %q", maxPlacesRadiusMeters, text)})
		default:
			inc.radiusMeters = r
		}
	}
	if len(bad) > 0 {
		return inc, data.InvalidParams(bad...)
	}
	return inc, nil
}

// AreaHit is a special area that holds a looked-up point.
type AreaHit struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	KindZH  string `json:"kind_zh"`
	Station string `json:"station"`
}

// PlaceHit is a key place near a looked-up point, with its position in
// WGS-84 and its great-circle distance, rounded to the metre.
type PlaceHit struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Kind           string  `json:"kind"`
	KindZH         string  `json:"kind_zh"`
	Station        string  `json:"station"`
	Lon            float64 `json:"lon"`
	Lat            float64 `json:"lat"`
	DistanceMeters float64 `json:"distance_m"`
}

// AddOverlays adds to resp what inc asks for, around resp's point, for
// the features in force at now.
func (l *Locator) AddOverlays(resp *Response, inc Include, now time.Time) {
	at := orb.Point{resp.Point.Lon, resp.Point.Lat}
	if inc.areas {
		hits := []AreaHit{}
		for _, a := range l.ix.AreasAt(at, now, nil) {
			hits = append(hits, AreaHit{ID: a.ID, Name: a.Name, Kind: string(a.Kind), KindZH: a.Kind.LabelZH(), Station: a.StationID})
		}
		resp.AlsoInside = &hits
	}
	if inc.places {
		hits := []PlaceHit{}
		for _, n := range l.ix.PlacesNear(at, inc.radiusMeters, now, nil) {
			p := n.Place
			w := crs.Convert(p.Location, l.datum, crs.WGS84)
			hits = append(hits, PlaceHit{ID: p.ID, Name: p.Name, Kind: string(p.Kind), KindZH: p.Kind.LabelZH(), Station: p.StationID,
				Lon: w[0], Lat: w[1], DistanceMeters: math.Round(n.DistanceMeters)})
		}
		resp.PlacesNearby = &hits
	}
}
