package geotest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// Overlays adds nAreas special areas and nPlaces key places to ds, spread
// over the bound of its grids from seed, each owned by one of its stations
// (round robin). Areas are convex polygons of 12 vertices and random size,
// up to a fifth of the bound across, so they overlap grids and each other.
// Kinds cycle through geo.AreaKinds and geo.PlaceKinds. ds must have a
// station and a grid.
func Overlays(ds *geo.Dataset, nAreas, nPlaces int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	b := ds.Grids[0].Geometry.Bound()
	for _, g := range ds.Grids {
		b = b.Union(g.Geometry.Bound())
	}
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	at := func() orb.Point {
		return orb.Point{b.Min[0] + rng.Float64()*w, b.Min[1] + rng.Float64()*h}
	}
	for i := range nAreas {
		c := at()
		rx, ry := (0.02+rng.Float64()*0.08)*w, (0.02+rng.Float64()*0.08)*h
		ring := make(orb.Ring, 0, 13)
		for k := range 12 {
			a := 2 * math.Pi * float64(k) / 12
			ring = append(ring, orb.Point{c[0] + rx*math.Cos(a), c[1] + ry*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		ds.Areas = append(ds.Areas, geo.Area{
			ID: fmt.Sprintf("area-%04d", i), Name: fmt.Sprintf("Area %d", i),
			Kind: geo.AreaKinds[i%len(geo.AreaKinds)], StationID: ds.Stations[i%len(ds.Stations)].ID,
			Liaison:  geo.Liaison{Name: fmt.Sprintf("Liaison %d", i), Phone: fmt.Sprintf("139%08d", i)},
			Geometry: orb.MultiPolygon{{ring}},
		})
	}
	for i := range nPlaces {
		ds.Places = append(ds.Places, geo.Place{
			ID: fmt.Sprintf("place-%05d", i), Name: fmt.Sprintf("Place %d", i),
			Kind: geo.PlaceKinds[i%len(geo.PlaceKinds)], StationID: ds.Stations[i%len(ds.Stations)].ID,
			Liaison:  geo.Liaison{Name: fmt.Sprintf("Contact %d", i), Phone: fmt.Sprintf("138%08d", i)},
			Location: at(),
		})
	}
}
