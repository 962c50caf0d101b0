package locate

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// OutsideError is a point in no grid, with what the client needs to find
// the mistake: the point as understood, the bounds of the dataset, the
// closest station, and in Detail a guess when the coordinates look
// swapped. It is a data.ErrNotFound.
type OutsideError struct {
	// Detail says it for people; it is the error's text.
	Detail string
	// HasGrids is false when the dataset has no grids; Point, Bounds and
	// Nearest are then unset.
	HasGrids bool
	// Point is the point in the dataset's datum.
	Point DatumPoint
	// Bounds is the bounding box of every grid, [minLon, minLat, maxLon,
	// maxLat] in the dataset's datum.
	Bounds [4]float64
	// Nearest is the station closest to Point, nil when no station is
	// placed.
	Nearest *ClosestStation
}

func (e *OutsideError) Error() string { return e.Detail }

// Unwrap makes the error a data.ErrNotFound.
func (e *OutsideError) Unwrap() error { return data.ErrNotFound }

// outside builds the error of a point pt (in from; at in the datum) in
// no grid.
func (l *Locator) outside(pt orb.Point, from crs.CRS, at orb.Point) error {
	name := l.ix.Meta().Name
	if !l.hasGrids {
		return &OutsideError{Detail: fmt.Sprintf("the point lon %g, lat %g is outside every grid of the dataset %q: the dataset has no grids", pt[0], pt[1], name)}
	}
	b := l.bounds
	detail := fmt.Sprintf("the point lon %g, lat %g (%s) is outside every grid of the dataset %q, whose grids lie within lon %s to %s, lat %s to %s (%s)",
		pt[0], pt[1], from.Label(), name, deg(b.Min[0]), deg(b.Max[0]), deg(b.Min[1]), deg(b.Max[1]), l.datum.Label())
	switch swapped := l.ToDatum(orb.Point{pt[1], pt[0]}, from); {
	case b.Contains(at):
		detail += "; it falls in a gap between grids"
	case b.Contains(swapped) && l.ix.Lookup(swapped).Found():
		detail += "; lon and lat look swapped: lon comes first"
	}
	return &OutsideError{Detail: detail, HasGrids: true,
		Point:   DatumPoint{Lon: at[0], Lat: at[1], Datum: l.datumName},
		Bounds:  [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		Nearest: l.NearestStation(at)}
}

// NearestStation is the station whose building is closest to at (in the
// dataset's datum), or nil when no station is placed.
func (l *Locator) NearestStation(at orb.Point) *ClosestStation {
	var best *ClosestStation
	for _, st := range l.ix.Stations() {
		if st.Location == (orb.Point{}) {
			continue
		}
		d := geo.DistanceMeters(at, st.Location)
		if best == nil || d < best.DistanceMeters {
			best = &ClosestStation{StationRef: *NewStationRef(&st), DistanceMeters: math.Round(d)}
		}
	}
	return best
}

// deg writes degrees to 4 decimals (about 10 m), enough for a person to
// compare; the exact bounds travel in Bounds.
func deg(x float64) string { return strconv.FormatFloat(math.Round(x*1e4)/1e4, 'f', -1, 64) }
