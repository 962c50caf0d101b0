package geo

import (
	"math"
	"time"

	"github.com/paulmach/orb"
)

// placeRaster answers PlacesNear for radii up to nearRadiusMeters from one
// cell: each cell lists the places that can lie within that radius of a
// point of it, so a lookup reads one short list instead of the cells of
// a box. A cheap lower bound of the haversine's a rejects the candidates
// clearly too far; the others are measured exactly as DistanceMeters
// measures, with the cosines of the places' latitudes computed once, so
// the answer is the one the place grid gives, bit for bit.
type placeRaster struct {
	minX, minY, maxX, maxY float64 // a point outside [min, max) takes the place grid
	sx, sy                 float64 // cells per degree
	nx, ny                 int
	cosLow                 []float64 // by row: at most the cosine of the latitude of any point of it
	start                  []int32   // cell c's places are items[start[c]:start[c+1]]
	items                  []int32   // place positions, in the place grid's visiting order
	places                 []nearPlace
}

// nearPlace is what the pre-test and the distance need of a place, packed
// apart from Place: 32 bytes a place, where a Place spans several cache
// lines.
type nearPlace struct {
	lon, lat float64
	cos      float64 // math.Cos of the latitude in radians, as DistanceMeters computes it
	timed    bool    // the place has a period: Validity.In decides
}

// nearRadiusMeters is the widest radius the raster answers: the API's
// default places_radius (api.defaultPlacesRadiusMeters); wider radii are
// the place grid's. nearCellMeters is the side of a cell; maxNearCells
// bounds the raster (a wider spread gets larger cells, more candidates).
// The raster is built only within nearMaxLat of the equator and for a
// spread of at most nearMaxSpan degrees, where the bounds below hold
// (the terms of a stay increasing, cos stays well above 0) and no cell
// wraps the antimeridian.
const (
	nearRadiusMeters = 500
	nearCellMeters   = 500
	maxNearCells     = 1 << 20
	nearMaxLat       = 80
	nearMaxSpan      = 60
)

// nearSlack widens the test of a lower bound against the radius's a: it
// covers the rounding of the few operations that compute both (relative
// errors of about 1e-15), so a rejected place is too far by a clear
// margin, and the raster lists a place for a cell unless it is too far by
// a wider one. nearEdgeDegrees widens a cell for the rounding of the
// arithmetic that puts a point in it.
const (
	nearSlack       = 1e-9
	nearListSlack   = 1e-3
	nearEdgeDegrees = 1e-9
)

// haversineLow is at most the haversine's a = sin²(u) + c·sin²(v) for the
// half-angles u and v (radians) and c the product of the latitudes'
// cosines, or a lower bound of c: sin²x ≥ x²(1 − x²/3) for every x, and
// sin²v ≥ 0 where that bound is negative. It increases with |u|, |v| and
// c for |u|, |v| below 1.2 radians.
func haversineLow(u, v, c float64) float64 {
	u2, v2 := u*u, v*v
	return u2*(1-u2/3) + c*max(0, v2*(1-v2/3))
}

// radiusA is at least the haversine's a of a distance of radiusMeters,
// sin²(r/2R) ≤ (r/2R)², widened by slack: a place whose a is larger lies
// farther than radiusMeters in DistanceMeters too.
func radiusA(radiusMeters, slack float64) float64 {
	h := radiusMeters / (2 * EarthRadiusMeters)
	return h * h * (1 + slack)
}

// distanceCos is DistanceMeters(p1, p2) with the cosines of their
// latitudes given: orb's haversine (orb/geo.DistanceHaversine) written out
// operation for operation so the result is the same float64, which
// TestDistanceCosIsDistanceMeters holds it to.
func distanceCos(p1, p2 orb.Point, cos1, cos2 float64) float64 {
	dLat := (p1[1] - p2[1]) * math.Pi / 180.0
	dLon := (p1[0] - p2[0]) * math.Pi / 180.0
	dLat2Sin := math.Sin(dLat / 2)
	dLon2Sin := math.Sin(dLon / 2)
	a := dLat2Sin*dLat2Sin + cos2*cos1*dLon2Sin*dLon2Sin
	return 2.0 * EarthRadiusMeters * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

// latCos is the cosine of a latitude in degrees as DistanceMeters takes it.
func latCos(lat float64) float64 { return math.Cos(lat * math.Pi / 180.0) }

// build lists, for every cell, the places whose distance from some point
// of the cell can be nearRadiusMeters or less, in the order of g.items
// (so the answers come in the order the place grid gives them). It builds
// nothing where the place grid was not built or the bounds do not hold.
func (r *placeRaster) build(places []Place, g *placeGrid) {
	*r = placeRaster{}
	if g.nx == 0 {
		return
	}
	ext := orb.Bound{Min: places[0].Location, Max: places[0].Location}
	for i := range places {
		ext = ext.Extend(places[i].Location)
	}
	marginLat := 2 * nearRadiusMeters / EarthRadiusMeters * 180 / math.Pi
	maxLat := max(math.Abs(ext.Min[1]), math.Abs(ext.Max[1])) + marginLat
	if maxLat > nearMaxLat || ext.Max[0]-ext.Min[0] > nearMaxSpan || ext.Max[1]-ext.Min[1] > nearMaxSpan {
		return
	}
	cosMin := latCos(maxLat)
	marginLon := marginLat / cosMin
	if ext.Min[0]-marginLon <= -180 || ext.Max[0]+marginLon >= 180 {
		return
	}
	r.minX, r.minY = ext.Min[0]-marginLon, ext.Min[1]-marginLat
	r.maxX, r.maxY = ext.Max[0]+marginLon, ext.Max[1]+marginLat
	cellLat := nearCellMeters / EarthRadiusMeters * 180 / math.Pi
	cellLon := cellLat / cosMin
	w, h := r.maxX-r.minX, r.maxY-r.minY
	for (w/cellLon+1)*(h/cellLat+1) > maxNearCells {
		cellLat, cellLon = 2*cellLat, 2*cellLon
	}
	r.nx, r.ny = int(w/cellLon)+1, int(h/cellLat)+1
	r.sx, r.sy = float64(r.nx)/w, float64(r.ny)/h
	r.cosLow = make([]float64, r.ny)
	for y := range r.cosLow {
		lo, hi := r.rowLats(y)
		r.cosLow[y] = latCos(max(math.Abs(lo), math.Abs(hi))) * (1 - 1e-12)
	}
	r.places = make([]nearPlace, len(places))
	for i := range places {
		p := &places[i]
		r.places[i] = nearPlace{lon: p.Location[0], lat: p.Location[1], cos: latCos(p.Location[1]),
			timed: !p.ValidFrom.IsZero() || !p.ValidTo.IsZero()}
	}
	// Two passes over the places: count each cell's, then fill.
	r.start = make([]int32, r.nx*r.ny+1)
	limit := radiusA(nearRadiusMeters, nearSlack) * (1 + nearListSlack)
	reach := func(i int32, f func(cell int)) {
		p := &r.places[i]
		x0 := index(p.lon-marginLon, r.minX, r.sx, r.nx)
		x1 := index(p.lon+marginLon, r.minX, r.sx, r.nx)
		y0 := index(p.lat-marginLat, r.minY, r.sy, r.ny)
		y1 := index(p.lat+marginLat, r.minY, r.sy, r.ny)
		for y := y0; y <= y1; y++ {
			lo, hi := r.rowLats(y)
			u := gap(p.lat, lo, hi) * math.Pi / 180 / 2
			c := r.cosLow[y] * p.cos * (1 - 1e-12)
			for x := x0; x <= x1; x++ {
				west := r.minX + float64(x)/r.sx - nearEdgeDegrees
				east := r.minX + float64(x+1)/r.sx + nearEdgeDegrees
				v := gap(p.lon, west, east) * math.Pi / 180 / 2
				if haversineLow(u, v, c) <= limit {
					f(y*r.nx + x)
				}
			}
		}
	}
	for _, i := range g.items {
		reach(i, func(cell int) { r.start[cell+1]++ })
	}
	for k := 1; k < len(r.start); k++ {
		r.start[k] += r.start[k-1]
	}
	r.items = make([]int32, r.start[len(r.start)-1])
	fill := make([]int32, len(r.start)-1)
	copy(fill, r.start)
	for _, i := range g.items {
		reach(i, func(cell int) {
			r.items[fill[cell]] = i
			fill[cell]++
		})
	}
}

// rowLats is the latitudes of row y, widened for rounding.
func (r *placeRaster) rowLats(y int) (lo, hi float64) {
	return r.minY + float64(y)/r.sy - nearEdgeDegrees, r.minY + float64(y+1)/r.sy + nearEdgeDegrees
}

// gap is the distance from v to the interval [lo, hi], 0 inside it.
func gap(v, lo, hi float64) float64 {
	switch {
	case v < lo:
		return lo - v
	case v > hi:
		return v - hi
	}
	return 0
}

// near appends to dst the places in force at t within radiusMeters of pt,
// in the order the place grid visits them, unsorted; false when the raster
// cannot answer (no raster, a wider radius, a point outside it) and the
// place grid must. radiusMeters is not negative and pt is longitude and
// latitude.
//
// A candidate is rejected without measuring when the lower bound of its a
// exceeds the radius's a by the slack: its exact a is then larger by a
// relative 1e-9 less the rounding of a few operations, so its distance
// exceeds the radius by about 5e-10 of it, more than the 1e-14 the
// haversine's own rounding can take off. Every other candidate is
// measured by distanceCos and kept when it is within radiusMeters, as the
// place grid keeps it.
func (r *placeRaster) near(pt orb.Point, radiusMeters float64, t time.Time, places []Place, dst []PlaceNear) ([]PlaceNear, bool) {
	if !(radiusMeters <= nearRadiusMeters) || !(pt[0] >= r.minX && pt[0] < r.maxX && pt[1] >= r.minY && pt[1] < r.maxY) {
		return dst, false // also no raster: its bounds are all zero
	}
	y := index(pt[1], r.minY, r.sy, r.ny)
	k := y*r.nx + index(pt[0], r.minX, r.sx, r.nx)
	cands := r.items[r.start[k]:r.start[k+1]]
	if len(cands) == 0 {
		return dst, true
	}
	limit := radiusA(radiusMeters, nearSlack)
	cosLow := r.cosLow[y]
	var cos float64 // the point's, once a candidate needs it
	measured := false
	for _, i := range cands {
		p := &r.places[i]
		u := (pt[1] - p.lat) * math.Pi / 180.0 / 2
		v := (pt[0] - p.lon) * math.Pi / 180.0 / 2
		if haversineLow(u, v, cosLow*p.cos) > limit {
			continue
		}
		if p.timed && !places[i].In(t) {
			continue
		}
		if !measured {
			cos, measured = latCos(pt[1]), true
		}
		if d := distanceCos(pt, orb.Point{p.lon, p.lat}, cos, p.cos); d <= radiusMeters {
			dst = append(dst, PlaceNear{Place: &places[i], DistanceMeters: d})
		}
	}
	return dst, true
}

// bytes is the memory the raster holds.
func (r *placeRaster) bytes() int {
	return 8*len(r.cosLow) + 4*len(r.start) + 4*len(r.items) + 32*len(r.places)
}
