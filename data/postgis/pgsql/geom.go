package pgsql

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// SRID is the SRID of every geometry column: coordinates are longitude and
// latitude in the dataset's datum (dataset_meta.datum).
const SRID = 4326

// EncodeMulti encodes mp as WKB for ST_GeomFromWKB.
func EncodeMulti(mp orb.MultiPolygon) []byte {
	b, err := wkb.Marshal(mp)
	if err != nil {
		// wkb.Marshal fails only for geometry types it does not know.
		panic(fmt.Sprintf("postgis: encoding a MultiPolygon: %v", err))
	}
	return b
}

// DecodeMulti decodes the WKB of a Polygon or MultiPolygon.
func DecodeMulti(b []byte) (orb.MultiPolygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decoding geometry: %w", err)
	}
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g, nil
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	}
	return nil, fmt.Errorf("decoding geometry: got a %s, want a MultiPolygon", g.GeoJSONType())
}
