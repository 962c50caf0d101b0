package memory

import (
	"slices"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// Clone returns a deep copy of ds: no slice of the copy is shared with ds.
func Clone(ds *geo.Dataset) *geo.Dataset {
	out := &geo.Dataset{
		Meta:      cloneMeta(ds.Meta),
		County:    cloneMulti(ds.County),
		Townships: slices.Clone(ds.Townships),
		Stations:  slices.Clone(ds.Stations),
		Grids:     slices.Clone(ds.Grids),
		Members:   slices.Clone(ds.Members),
		Areas:     slices.Clone(ds.Areas),
		Places:    slices.Clone(ds.Places),

		Checkpoints: slices.Clone(ds.Checkpoints),
	}
	for i := range out.Areas {
		out.Areas[i].Geometry = cloneMulti(out.Areas[i].Geometry)
	}
	for i := range out.Townships {
		out.Townships[i].StationIDs = slices.Clone(out.Townships[i].StationIDs)
		out.Townships[i].Geometry = cloneMulti(out.Townships[i].Geometry)
	}
	for i := range out.Grids {
		out.Grids[i].Geometry = cloneMulti(out.Grids[i].Geometry)
	}
	for i := range out.Members {
		out.Members[i].GridIDs = slices.Clone(out.Members[i].GridIDs)
		out.Members[i].Roles = slices.Clone(out.Members[i].Roles)
	}
	return out
}

func cloneMeta(m geo.Meta) geo.Meta {
	m.Real = slices.Clone(m.Real)
	m.Synthetic = slices.Clone(m.Synthetic)
	m.Caveats = slices.Clone(m.Caveats)
	m.Sources = slices.Clone(m.Sources)
	return m
}

func cloneMulti(mp orb.MultiPolygon) orb.MultiPolygon {
	if mp == nil {
		return nil
	}
	return mp.Clone()
}
