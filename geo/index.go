package geo

import (
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Hit is the answer to a point lookup: the community grid that holds the
// point (nil where the dataset has only police grids), its police grid and
// its station. All three are nil for a point outside every grid.
type Hit struct {
	Community *Grid
	Police    *Grid
	Station   *Station
}

// Found reports whether the point fell in any grid.
func (h Hit) Found() bool { return h.Police != nil || h.Community != nil }

// Terrain is the terrain of the place hit, by the rule of Index.GridTerrain:
// the community grid's own terrain, else the police grid's own, else the
// station's region. It is "" for a point outside every grid.
func (h Hit) Terrain() Terrain {
	switch {
	case h.Community != nil && h.Community.Terrain != "":
		return h.Community.Terrain
	case h.Police != nil && h.Police.Terrain != "":
		return h.Police.Terrain
	case h.Station != nil:
		return h.Station.Region
	}
	return ""
}

// Index is an immutable, query-ready view of a Dataset. Every method is safe
// for concurrent use; an Index is replaced, never changed.
type Index struct {
	ds        *Dataset
	stationAt map[string]int
	gridAt    map[string]int
	memberAt  map[string]int
	prepared  []Prepared // by grid position; edges packed in one arena, in grid order
	hitRefs   []hitRef   // by grid position: what its Hit points at
	children  [][]int    // police grid position -> community grid positions
	members   [][]int    // grid position -> member positions
	community rtree.RTreeGN[float64, int32]
	police    rtree.RTreeGN[float64, int32]
	// policeOnly holds police grids that have no community grids of their
	// own; only those need a second search after a community miss.
	policeOnly bool
	// leafBound is the union of the bounds of the grids in the two trees,
	// empty when there are none: points far outside it skip the outline
	// rule's search.
	leafBound orb.Bound
	hasLeaves bool
	zone      *time.Location // the dataset's, see Location
	// cover answers most lookups without the R-trees (cover.go).
	cover    cover
	overlays overlayIndex // areas and key places, see overlay_index.go
}

// ErrInvalidDataset is wrapped by NewIndex when the dataset's references
// do not resolve.
var ErrInvalidDataset = errors.New("geo: invalid dataset")

// NewIndex checks ds's references (CheckIndex) and builds its index; a
// dataset they do not resolve in gives a *DatasetError. ds must not be
// changed afterwards.
func NewIndex(ds *Dataset) (*Index, error) { return newIndex(ds, true) }

// newIndex is NewIndex, with the cell cover or without it (every lookup
// then takes the exact path).
func newIndex(ds *Dataset, withCover bool) (*Index, error) {
	ix := &Index{
		ds:        ds,
		stationAt: make(map[string]int, len(ds.Stations)),
		gridAt:    make(map[string]int, len(ds.Grids)),
		memberAt:  make(map[string]int, len(ds.Members)),
		prepared:  make([]Prepared, len(ds.Grids)),
		hitRefs:   make([]hitRef, len(ds.Grids)),
		children:  make([][]int, len(ds.Grids)),
		members:   make([][]int, len(ds.Grids)),
	}
	if problems := CheckIndex(ds); len(problems) > 0 {
		return nil, &DatasetError{Problems: problems}
	}
	ix.zone = time.UTC
	if loc, err := ds.Meta.Location(); err == nil {
		ix.zone = loc
	}
	for i, s := range ds.Stations {
		ix.stationAt[s.ID] = i
	}
	for i, g := range ds.Grids {
		ix.gridAt[g.ID] = i
	}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		ix.hitRefs[i] = hitRef{police: int32(i), station: int32(ix.stationAt[g.StationID])}
		if g.Level == CommunityLevel {
			ix.hitRefs[i].police = -1
		}
		if g.Level == CommunityLevel && g.ParentID != "" {
			p := ix.gridAt[g.ParentID]
			ix.children[p] = append(ix.children[p], i)
			ix.hitRefs[i].police = int32(p)
		}
	}
	for i, m := range ds.Members {
		ix.memberAt[m.ID] = i
		for _, gid := range m.GridIDs {
			gi := ix.gridAt[gid]
			ix.members[gi] = append(ix.members[gi], i)
		}
	}
	ix.sortMembers()
	ix.prepareAll()
	for _, i := range hilbertOrder(ix.prepared) {
		g := &ds.Grids[i]
		b := ix.prepared[i].Bound()
		switch {
		case g.Level == CommunityLevel:
			ix.community.Insert(b.Min, b.Max, int32(i))
		case len(ix.children[i]) == 0:
			ix.police.Insert(b.Min, b.Max, int32(i))
			ix.policeOnly = true
		default:
			continue
		}
		if !ix.hasLeaves {
			ix.leafBound, ix.hasLeaves = b, true
		}
		ix.leafBound = ix.leafBound.Union(b)
	}
	if withCover {
		ix.buildCover()
	}
	ix.overlays.build(ds)
	return ix, nil
}

// Dataset returns the dataset the index was built from. Callers must not
// change it.
func (ix *Index) Dataset() *Dataset { return ix.ds }

// Meta returns the dataset's description.
func (ix *Index) Meta() Meta { return ix.ds.Meta }

// Lookup finds the grids and station responsible for pt, given in the
// dataset's datum. Every point of the union of the grids gets exactly one
// grid (of the leaf grids: community grids, and police grids without
// community grids), by two rules:
//
//   - Half-open: a point on a boundary shared by two grids belongs to the
//     one east of it (north of it on an east-west boundary), see Prepared.
//   - Outline: a point that rule gives to no grid, because it lies on the
//     union's own outline or on the ring of a hole no grid fills, belongs to
//     the grid whose edge it lies on (Prepared.OnBoundary); where several
//     grids' edges meet there, to the one with the lowest id, so the answer
//     does not depend on the order of the dataset.
//
// The outline rule costs nothing for points the half-open rule places.
// Most points are answered by the cell cover without an exact test; the
// answer is the same. Lookup does not allocate.
func (ix *Index) Lookup(pt orb.Point) Hit {
	found, fx, fy := ix.cover.cell(pt)
	switch {
	case found == outsideRaster:
		found = ix.exactLeaf(pt)
	case found < noLeaf:
		found = ix.borderLeaf(pt, ix.cover.block(found), subCell(fx, fy))
	}
	if found < 0 {
		return Hit{}
	}
	return ix.hitOf(int(found))
}

// borderLeaf is the exact path's answer for pt, in sub-cell sub of a
// border cell with block: the candidates in search order, each tested
// only if its edges come near the sub-cell, since the others hold all of
// it or none of it; then the outline rule over those tested, as no other
// leaf has an edge near pt.
func (ix *Index) borderLeaf(pt orb.Point, block []int32, sub int) int32 {
	in, near := uint32(1)<<sub, uint32(1)<<(sub+16)
	tested := false
	for k := 0; k+1 < len(block); k += 2 {
		gi, parts := block[k], uint32(block[k+1])
		switch {
		case parts&near != 0:
			if ix.prepared[gi].Contains(pt) {
				return gi
			}
			tested = true
		case parts&in != 0:
			return gi
		}
	}
	best := int32(-1)
	for k := 0; tested && k+1 < len(block); k += 2 {
		gi := block[k]
		if uint32(block[k+1])&near != 0 && (best < 0 || ix.ds.Grids[gi].ID < ix.ds.Grids[best].ID) && ix.prepared[gi].OnBoundary(pt) {
			best = gi
		}
	}
	return best
}

// exactLeaf is leafOf without the cover: the R-tree searches and the exact
// tests, by the half-open rule and then the outline rule.
func (ix *Index) exactLeaf(pt orb.Point) int32 {
	found := ix.holder(pt)
	if found < 0 {
		found = ix.edgeOwner(pt)
	}
	return found
}

// holder returns the position of the leaf grid holding pt by the half-open
// rule, or -1. Where leaves overlap, the first in search order holds it
// (searchOrder): a community grid before a police grid, then the one
// earlier in the dataset, so the answer does not depend on the shape of
// the R-trees.
func (ix *Index) holder(pt orb.Point) int32 {
	found := int32(-1)
	first := func(_, _ [2]float64, gi int32) bool {
		if (found < 0 || gi < found) && ix.prepared[gi].Contains(pt) {
			found = gi
		}
		return true
	}
	ix.community.Search(pt, pt, first)
	if found < 0 && ix.policeOnly {
		ix.police.Search(pt, pt, first)
	}
	return found
}

// edgeOwner returns the position of the leaf grid with the lowest id that
// has pt on an edge, or -1. Grid bounds are exact, so the search box is
// widened by the tolerance of OnBoundary.
func (ix *Index) edgeOwner(pt orb.Point) int32 {
	x, y := pt[0], pt[1]
	if x-x != 0 || y-y != 0 { // NaN or infinite
		return -1
	}
	tol := onEdgeTolerance(x, y)
	lb := &ix.leafBound
	if !ix.hasLeaves || x < lb.Min[0]-tol || x > lb.Max[0]+tol || y < lb.Min[1]-tol || y > lb.Max[1]+tol {
		return -1
	}
	lo, hi := [2]float64{x - tol, y - tol}, [2]float64{x + tol, y + tol}
	best := int32(-1)
	consider := func(_, _ [2]float64, gi int32) bool {
		if (best < 0 || ix.ds.Grids[gi].ID < ix.ds.Grids[best].ID) && ix.prepared[gi].OnBoundary(pt) {
			best = gi
		}
		return true
	}
	ix.community.Search(lo, hi, consider)
	if ix.policeOnly {
		ix.police.Search(lo, hi, consider)
	}
	return best
}

// hitRef is what the Hit of a grid points at, packed in one word so that
// a lookup answered by the cover reads one place besides its cell: the
// position of the grid's police grid (its own for a police grid, -1 for a
// community grid without one) and of its station.
type hitRef struct{ police, station int32 }

func (ix *Index) hitOf(gi int) Hit {
	r := ix.hitRefs[gi]
	h := Hit{Station: &ix.ds.Stations[r.station]}
	if int(r.police) != gi {
		h.Community = &ix.ds.Grids[gi]
	}
	if r.police >= 0 {
		h.Police = &ix.ds.Grids[r.police]
	}
	return h
}

// prepareAll prepares every grid and packs all their edge tables into
// arenas in grid order, so a lookup's candidates sit close in memory.
func (ix *Index) prepareAll() {
	nEdges, nStarts, nFlat := 0, 0, 0
	for i := range ix.ds.Grids {
		p := Prepare(ix.ds.Grids[i].Geometry)
		ix.prepared[i] = *p
		nEdges += len(p.edges)
		nStarts += len(p.bandStart)
		nFlat += len(p.flat)
	}
	edges := make([]edge, 0, nEdges)
	starts := make([]int32, 0, nStarts)
	flat := make([]edge, 0, nFlat)
	flatStarts := make([]int32, 0, nStarts)
	for i := range ix.prepared {
		p := &ix.prepared[i]
		e0, s0, f0 := len(edges), len(starts), len(flat)
		edges = append(edges, p.edges...)
		starts = append(starts, p.bandStart...)
		p.edges = edges[e0:len(edges):len(edges)]
		p.bandStart = starts[s0:len(starts):len(starts)]
		// The horizontal edges, needed only by the outline rule, go in
		// arenas of their own so they do not spread the hot ones.
		fs0 := len(flatStarts)
		flat = append(flat, p.flat...)
		flatStarts = append(flatStarts, p.flatStart...)
		p.flat = flat[f0:len(flat):len(flat)]
		p.flatStart = flatStarts[fs0:len(flatStarts):len(flatStarts)]
	}
}

// LookupBatch looks up every point of pts and writes the answers to out,
// which must be at least as long as pts. It does not allocate.
func (ix *Index) LookupBatch(pts []orb.Point, out []Hit) {
	for i, p := range pts {
		out[i] = ix.Lookup(p)
	}
}

// Stations returns all stations in dataset order. Callers must not change them.
func (ix *Index) Stations() []Station { return ix.ds.Stations }

// Station returns the station with the given id.
func (ix *Index) Station(id string) (*Station, bool) {
	i, ok := ix.stationAt[id]
	if !ok {
		return nil, false
	}
	return &ix.ds.Stations[i], true
}

// Grid returns the grid with the given id (its code).
func (ix *Index) Grid(id string) (*Grid, bool) {
	i, ok := ix.gridAt[id]
	if !ok {
		return nil, false
	}
	return &ix.ds.Grids[i], true
}

// GridTerrain returns the terrain of grid g's place: g's own Terrain when
// set; else, for a community grid, its police grid's own Terrain; else the
// Region of g's station. Taking the station's region is the fallback for
// datasets that record no terrain per grid; it is the one answer that
// changes when a grid moves to another station. GridTerrain returns "" only
// when g names a station the index does not hold.
func (ix *Index) GridTerrain(g *Grid) Terrain {
	if g.Terrain != "" {
		return g.Terrain
	}
	if g.ParentID != "" {
		if p, ok := ix.Grid(g.ParentID); ok && p.Terrain != "" {
			return p.Terrain
		}
	}
	if s, ok := ix.Station(g.StationID); ok {
		return s.Region
	}
	return ""
}

// Member returns the member with the given id.
func (ix *Index) Member(id string) (*Member, bool) {
	i, ok := ix.memberAt[id]
	if !ok {
		return nil, false
	}
	return &ix.ds.Members[i], true
}

// Children returns the community grids of a police grid, in dataset order.
func (ix *Index) Children(policeID string) []*Grid {
	i, ok := ix.gridAt[policeID]
	if !ok {
		return nil
	}
	out := make([]*Grid, len(ix.children[i]))
	for k, c := range ix.children[i] {
		out[k] = &ix.ds.Grids[c]
	}
	return out
}

// Members returns the members who serve the grid, police roles first, then
// by name.
func (ix *Index) Members(gridID string) []*Member {
	i, ok := ix.gridAt[gridID]
	if !ok {
		return nil
	}
	out := make([]*Member, len(ix.members[i]))
	for k, m := range ix.members[i] {
		out[k] = &ix.ds.Members[m]
	}
	return out
}

// sortMembers orders each grid's members once, at build time: police roles
// first, then by name.
func (ix *Index) sortMembers() {
	for _, ms := range ix.members {
		sort.SliceStable(ms, func(a, b int) bool {
			ma, mb := &ix.ds.Members[ms[a]], &ix.ds.Members[ms[b]]
			ra, rb := slices.Index(Roles, ma.Role), slices.Index(Roles, mb.Role)
			if ra != rb {
				return ra < rb
			}
			return ma.Name < mb.Name
		})
	}
}

// GridFilter selects grids for Grids. Zero fields select everything.
type GridFilter struct {
	Level   Level
	Station string
	Bound   *orb.Bound // grids whose geometry intersects the bound
}

// Grids returns the grids that pass f, in dataset order.
func (ix *Index) Grids(f GridFilter) []*Grid {
	var out []*Grid
	for i := range ix.ds.Grids {
		g := &ix.ds.Grids[i]
		if f.Level != "" && g.Level != f.Level {
			continue
		}
		if f.Station != "" && g.StationID != f.Station {
			continue
		}
		if f.Bound != nil && !ix.intersectsBound(i, *f.Bound) {
			continue
		}
		out = append(out, g)
	}
	return out
}

// intersectsBound reports whether grid i's geometry and b share any point.
func (ix *Index) intersectsBound(i int, b orb.Bound) bool {
	p := &ix.prepared[i]
	if !p.Bound().Intersects(b) {
		return false
	}
	return MultiPolygonIntersectsBound(ix.ds.Grids[i].Geometry, p, b)
}

// StationArea returns the union of the station's grids as the list of its
// police grids (or community grids where it has no police grids).
func (ix *Index) StationArea(stationID string) []*Grid {
	police := ix.Grids(GridFilter{Level: PoliceLevel, Station: stationID})
	if len(police) > 0 {
		return police
	}
	return ix.Grids(GridFilter{Level: CommunityLevel, Station: stationID})
}
