package geo

import (
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// overlayIndex holds the areas and key places of a dataset in indexes of
// their own, beside the grids', so a grid lookup does not pay for them.
type overlayIndex struct {
	areaAt   map[string]int
	placeAt  map[string]int
	areaPrep []Prepared // by area position
	// areaCover answers AreasAt; placeRaster PlacesNear up to
	// nearRadiusMeters, placeGrid wider radii, placeTree the radii too wide
	// for the grid's cells.
	areaCover   areaCover
	placeRaster placeRaster
	placeGrid   placeGrid
	placeTree   rtree.RTreeGN[float64, int32]
}

// build indexes ds's areas and places. Duplicate ids are Check's to
// report; the index keeps the last.
func (o *overlayIndex) build(ds *Dataset) {
	o.areaAt = make(map[string]int, len(ds.Areas))
	o.placeAt = make(map[string]int, len(ds.Places))
	o.areaPrep = make([]Prepared, len(ds.Areas))
	for i := range ds.Areas {
		a := &ds.Areas[i]
		o.areaAt[a.ID] = i
		o.areaPrep[i] = *Prepare(a.Geometry)
	}
	for i := range ds.Places {
		p := &ds.Places[i]
		o.placeAt[p.ID] = i
		o.placeTree.Insert(p.Location, p.Location, int32(i))
	}
	o.areaCover.build(ds.Areas, o.areaPrep)
	o.placeGrid.build(ds.Places)
	o.placeRaster.build(ds.Places, &o.placeGrid)
}

// Areas returns every area in dataset order. Callers must not change them.
func (ix *Index) Areas() []Area { return ix.ds.Areas }

// Places returns every key place in dataset order. Callers must not change
// them.
func (ix *Index) Places() []Place { return ix.ds.Places }

// Area returns the area with the given id.
func (ix *Index) Area(id string) (*Area, bool) {
	i, ok := ix.overlays.areaAt[id]
	if !ok {
		return nil, false
	}
	return &ix.ds.Areas[i], true
}

// Place returns the key place with the given id.
func (ix *Index) Place(id string) (*Place, bool) {
	i, ok := ix.overlays.placeAt[id]
	if !ok {
		return nil, false
	}
	return &ix.ds.Places[i], true
}

// AreaIntersects reports whether area a of this index shares a point with
// b. a must come from Areas or Area.
func (ix *Index) AreaIntersects(a *Area, b orb.Bound) bool {
	i, ok := ix.overlays.areaAt[a.ID]
	if !ok {
		return false
	}
	p := &ix.overlays.areaPrep[i]
	return p.Bound().Intersects(b) && MultiPolygonIntersectsBound(a.Geometry, p, b)
}

// AreasAt appends to dst the areas in force at t that contain pt, ordered
// by id, and returns the extended slice. A point on an area's border is
// inside by the half-open rule of Prepared (on its west and south edges,
// not its east and north ones). It allocates only when dst must grow.
func (ix *Index) AreasAt(pt orb.Point, t time.Time, dst []*Area) []*Area {
	entries, sub := ix.overlays.areaCover.cell(pt)
	for _, e := range entries { // in id order
		i := e.area >> 2
		if e.area&coverTimed != 0 && !ix.ds.Areas[i].In(t) {
			continue
		}
		switch {
		case e.area&coverWhole != 0: // the area holds the cell
		case e.subs&sub != 0: // an edge reaches pt's sub-cell
			if !ix.overlays.areaPrep[i].Contains(pt) {
				continue
			}
		case e.subs>>16&sub == 0: // pt's sub-cell is outside the area
			continue
		}
		dst = append(dst, &ix.ds.Areas[i])
	}
	return dst
}

// PlaceNear is a key place and its distance from a lookup's point.
type PlaceNear struct {
	Place          *Place
	DistanceMeters float64
}

// PlacesNear appends to dst the key places in force at t within
// radiusMeters of pt (great-circle, DistanceMeters), nearest first and by
// id among equals, and returns the extended slice. It allocates only when
// dst must grow.
func (ix *Index) PlacesNear(pt orb.Point, radiusMeters float64, t time.Time, dst []PlaceNear) []PlaceNear {
	if !(radiusMeters >= 0) || !lonLat(pt) {
		return dst
	}
	start := len(dst)
	dst, done := ix.overlays.placeRaster.near(pt, radiusMeters, t, ix.ds.Places, dst)
	if !done {
		dst = ix.placesNearInGrid(pt, radiusMeters, t, dst)
	}
	sortNear(dst[start:])
	return dst
}

// sortNear sorts found nearest first and by id among equals, keeping the
// order of places with the same distance and id: an insertion sort, for
// a handful of places and no allocation.
func sortNear(found []PlaceNear) {
	for i := 1; i < len(found); i++ {
		for j := i; j > 0 && nearer(found[j], found[j-1]); j-- {
			found[j], found[j-1] = found[j-1], found[j]
		}
	}
}

// placesNearInGrid appends the places PlacesNear answers, unsorted, from
// the cells of the place grid the circle's box reaches or the tree.
func (ix *Index) placesNearInGrid(pt orb.Point, radiusMeters float64, t time.Time, dst []PlaceNear) []PlaceNear {
	min, max := radiusBound(pt, radiusMeters)
	visit := func(i int32) {
		p := &ix.ds.Places[i]
		l := p.Location
		if l[0] < min[0] || l[0] > max[0] || l[1] < min[1] || l[1] > max[1] || !p.In(t) {
			return
		}
		if d := DistanceMeters(pt, l); d <= radiusMeters {
			dst = append(dst, PlaceNear{Place: p, DistanceMeters: d})
		}
	}
	if !ix.overlays.placeGrid.search(min, max, visit) {
		ix.overlays.placeTree.Search(min, max, func(_, _ [2]float64, i int32) bool {
			visit(i)
			return true
		})
	}
	return dst
}

func nearer(a, b PlaceNear) bool {
	if a.DistanceMeters != b.DistanceMeters {
		return a.DistanceMeters < b.DistanceMeters
	}
	return a.Place.ID < b.Place.ID
}

// radiusBound is a longitude/latitude box holding every point within
// radiusMeters of pt; near the poles it spans every longitude. A circle
// of angular radius δ at latitude φ spans asin(sin δ / cos φ) of
// longitude each way, a little more than δ / cos φ; both half-widths are
// widened by a relative 1e-9, more than the rounding of DistanceMeters
// and of this arithmetic, so a place the haversine puts at exactly the
// radius is in the box.
func radiusBound(pt orb.Point, radiusMeters float64) (min, max [2]float64) {
	const pad = 1 + 1e-9
	delta := radiusMeters / EarthRadiusMeters
	dLat := delta * 180 / math.Pi * pad
	cos := math.Cos(pt[1] * math.Pi / 180)
	dLon := 360.0
	if lat := math.Abs(pt[1]) + dLat; lat < 89 && cos > 0 {
		dLon = math.Asin(math.Min(1, math.Sin(delta)/cos)) * 180 / math.Pi * pad
	}
	return [2]float64{pt[0] - dLon, pt[1] - dLat}, [2]float64{pt[0] + dLon, pt[1] + dLat}
}
