package httpx

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// FeatureCollection is an RFC 7946 feature collection.
type FeatureCollection[P any] struct {
	Type     string       `json:"type"` // always "FeatureCollection"
	Features []Feature[P] `json:"features"`
}

// Feature is an RFC 7946 feature whose properties are P. Geometry is null
// for a feature without a location.
type Feature[P any] struct {
	Type       string            `json:"type"` // always "Feature"
	ID         string            `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties P                 `json:"properties"`
}

func NewFeature[P any](id string, g orb.Geometry, props P) Feature[P] {
	f := Feature[P]{Type: "Feature", ID: id, Properties: props}
	if g != nil {
		f.Geometry = geojson.NewGeometry(g)
	}
	return f
}

// AreaGeometry writes a one-part MultiPolygon as a Polygon, the plainer
// form most GeoJSON readers expect, and anything else as it is.
func AreaGeometry(mp orb.MultiPolygon) orb.Geometry {
	switch len(mp) {
	case 0:
		return nil
	case 1:
		return mp[0]
	}
	return mp
}
