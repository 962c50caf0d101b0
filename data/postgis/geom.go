package postgis

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// srid is the SRID of every geometry column: coordinates are longitude and
// latitude in the dataset's datum (dataset_meta.datum).
const srid = 4326

// encodeMulti encodes mp as WKB for ST_GeomFromWKB.
func encodeMulti(mp orb.MultiPolygon) []byte {
	b, err := wkb.Marshal(mp)
	if err != nil {
		// wkb.Marshal fails only for geometry types it does not know.
		panic(fmt.Sprintf("postgis: encoding a MultiPolygon: %v", err))
	}
	return b
}

// decodeMulti decodes the WKB of a Polygon or MultiPolygon.
func decodeMulti(b []byte) (orb.MultiPolygon, error) {
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

// checkRings reports the first structural problem of mp that PostGIS would
// refuse to even parse: no polygons, empty or unclosed rings, rings with
// fewer than four positions, positions that are not longitude/latitude.
// Self-intersections and the like are left to ST_IsValid.
func checkRings(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return errors.New("the geometry is empty")
	}
	for pi, poly := range mp {
		if len(poly) == 0 {
			return fmt.Errorf("polygon %d has no rings", pi)
		}
		for ri, ring := range poly {
			if len(ring) < 4 {
				return fmt.Errorf("polygon %d ring %d has %d positions, a ring needs at least 4", pi, ri, len(ring))
			}
			if ring[0] != ring[len(ring)-1] {
				return fmt.Errorf("polygon %d ring %d is not closed (its first and last positions differ)", pi, ri)
			}
			for _, p := range ring {
				if !lonLat(p) {
					return fmt.Errorf("polygon %d ring %d has position %v, which is not a longitude/latitude pair", pi, ri, p)
				}
			}
		}
	}
	return nil
}

func lonLat(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}
