package geotest

import (
	"fmt"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// Holed returns a dataset over a mesh of blocks×blocks police grids of 3×3
// cells each, built like Lattice, in which some grids have holes that no
// grid fills, so the union of the grids has an outline inside the box as
// well as around it. Block (bx, by) is, by (bx + 2·by) mod 4:
//
//	0: a police grid of nine community grids, one per cell;
//	1: a police grid with its centre cell cut out, and eight community
//	   grids around that hole;
//	2: a police grid with its centre cell cut out, and one community grid
//	   of the same shape, hole included;
//	3: a police grid with its centre cell cut out and no community grids.
//
// Holes are rings of the polygon (clockwise); every vertex is shared with
// the neighbours as in Lattice. The same arguments give the same dataset.
func Holed(blocks, bends int, cellDeg float64, seed uint64) *geo.Dataset {
	n := 3 * blocks
	m := newMesh(n, bends, cellDeg, seed)
	ds := &geo.Dataset{
		Meta:     geo.Meta{Name: fmt.Sprintf("synthetic holed lattice %dx%d", n, n), Datum: "wgs84"},
		Stations: []geo.Station{{ID: "s1", Name: "Synthetic station", Region: geo.Plain, Location: m.corner[0]}},
	}
	cell := func(i, j int) string { return fmt.Sprintf("C%05d%05d", i, j) }
	for by := range blocks {
		for bx := range blocks {
			i0, j0 := 3*bx, 3*by
			outer := m.block(i0, j0, i0+3, j0+3)
			kind := (bx + 2*by) % 4
			geom := orb.MultiPolygon{{outer}}
			if kind != 0 {
				hole := m.block(i0+1, j0+1, i0+2, j0+2)
				geom = orb.MultiPolygon{{outer, reversed(hole)}}
			}
			pid := fmt.Sprintf("P%05d%05d", bx, by)
			ds.Grids = append(ds.Grids, geo.Grid{ID: pid, Level: geo.PoliceLevel, StationID: "s1", Geometry: geom})
			switch kind {
			case 0, 1:
				for j := j0; j < j0+3; j++ {
					for i := i0; i < i0+3; i++ {
						if kind == 1 && i == i0+1 && j == j0+1 {
							continue
						}
						ds.Grids = append(ds.Grids, geo.Grid{ID: cell(i, j), Level: geo.CommunityLevel, Name: fmt.Sprintf("cell %d,%d", i, j),
							StationID: "s1", ParentID: pid, Geometry: orb.MultiPolygon{{m.block(i, j, i+1, j+1)}}})
					}
				}
			case 2:
				ds.Grids = append(ds.Grids, geo.Grid{ID: cell(i0, j0), Level: geo.CommunityLevel, Name: fmt.Sprintf("ring %d,%d", bx, by),
					StationID: "s1", ParentID: pid, Geometry: geom})
			}
		}
	}
	return ds
}
