package geo

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// WithGrids returns the index of ix's dataset with each grid of gs in
// place of the grid of the same id, derived from ix instead of built
// afresh: the R-trees are copied on write and only the changed grids'
// entries moved, only the changed grids are prepared again, and only the
// cells of the cover that a changed grid's old or new bound comes near are
// rasterised again. The derived index answers every query exactly as
// NewIndex of the edited dataset (the same grids in the same order) would.
//
// ix is not changed and its readers are not disturbed; the two share what
// the edit did not touch (the other grids' prepared edges, most R-tree
// nodes, the stations, members and overlays). ok is false when the edit
// cannot be derived locally: a grid of gs that ix does not hold or that
// appears twice, a changed level, police grid or station (they change the
// trees, the hits or the stations' grids), a terrain or geometry NewIndex
// would refuse, or coordinates that are not finite. The caller then builds
// the index with NewIndex.
func (ix *Index) WithGrids(gs []Grid) (nx *Index, ok bool) {
	pos := make([]int, len(gs))
	for k := range gs {
		i, ok := ix.derivable(&gs[k])
		if !ok || slices.Contains(pos[:k], i) {
			return nil, false
		}
		pos[k] = i
	}
	d := *ix
	ds := *ix.ds
	ds.Grids = slices.Clone(ix.ds.Grids)
	d.ds = &ds
	var dirty []orb.Bound // the old and new bounds of the leaves that moved
	copied := false
	for k, i := range pos {
		ds.Grids[i] = gs[k]
		if orb.Equal(ix.ds.Grids[i].Geometry, gs[k].Geometry) {
			continue
		}
		if !copied {
			d.prepared = slices.Clone(ix.prepared)
			d.community, d.police = copyTree(&ix.community), copyTree(&ix.police)
			copied = true
		}
		old := ix.prepared[i].Bound()
		d.prepared[i] = *Prepare(gs[k].Geometry)
		now := d.prepared[i].Bound()
		var tree *rtree.RTreeGN[float64, int32]
		switch ix.leafTree(i) {
		case 1:
			tree = &d.community
		case 2:
			tree = &d.police
		default:
			continue // a police grid with community grids is in no tree
		}
		if ix.hasLeaves && ix.cover.cells == nil {
			return nil, false // NewIndex gave ix no cover; it decides afresh
		}
		tree.Delete(old.Min, old.Max, int32(i))
		tree.Insert(now.Min, now.Max, int32(i))
		dirty = append(dirty, old, now)
	}
	if len(dirty) == 0 {
		return &d, true
	}
	if lb := d.leavesBound(dirty, ix.leafBound); lb != ix.leafBound {
		// The raster is sized to the leaves' extent: a new one, as
		// NewIndex would make.
		d.leafBound, d.cover = lb, cover{}
		d.buildCover()
		return &d, true
	}
	// The cells are copied (a lookup reads them without indirection);
	// the blocks are shared, the new ones going to extra.
	d.cover.cells = slices.Clone(ix.cover.cells)
	d.cover.extra = slices.Clone(ix.cover.extra)
	d.cover.derived = true
	for k := 0; k+1 < len(dirty); k += 2 {
		d.recoverCells(dirty[k].Union(dirty[k+1]))
	}
	if len(d.cover.extra) > len(d.cover.lists)/4 {
		// extra is copied by every derivation: past a quarter of lists,
		// one copy of what is in use costs less than carrying it on.
		d.cover.compact()
	}
	return &d, true
}

// derivable returns the position of the grid g replaces and whether
// WithGrids can put it there (see WithGrids).
func (ix *Index) derivable(g *Grid) (int, bool) {
	i, ok := ix.gridAt[g.ID]
	if !ok {
		return 0, false
	}
	old := &ix.ds.Grids[i]
	if old.Level != g.Level || old.ParentID != g.ParentID || old.StationID != g.StationID {
		return 0, false
	}
	if g.Terrain != "" && !g.Terrain.Valid() || len(g.Geometry) == 0 {
		return 0, false
	}
	for _, poly := range g.Geometry {
		for _, ring := range poly {
			for _, p := range ring {
				if !finite(p[0]) || !finite(p[1]) {
					return 0, false
				}
			}
		}
	}
	return i, true
}

// copyTree returns a copy-on-write copy of t without touching t, which
// readers may be searching: Copy marks the tree it is called on as well.
func copyTree(t *rtree.RTreeGN[float64, int32]) rtree.RTreeGN[float64, int32] {
	local := *t
	return *local.Copy()
}

// leavesBound returns the union of the leaves' bounds after the leaves
// whose old and new bounds are listed in dirty moved, lb being the union
// before. While every one of them lies strictly inside lb, none of them
// made its edge and none goes beyond, so the union is lb; otherwise it is
// taken over every leaf again.
func (ix *Index) leavesBound(dirty []orb.Bound, lb orb.Bound) orb.Bound {
	inside := true
	for _, b := range dirty {
		inside = inside && b.Min[0] > lb.Min[0] && b.Min[1] > lb.Min[1] && b.Max[0] < lb.Max[0] && b.Max[1] < lb.Max[1]
	}
	if inside {
		return lb
	}
	var out orb.Bound
	first := true
	for i := range ix.prepared {
		if ix.leafTree(i) == 0 {
			continue
		}
		if b := ix.prepared[i].Bound(); first {
			out, first = b, false
		} else {
			out = out.Union(b)
		}
	}
	return out
}
