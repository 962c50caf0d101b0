package tiles

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/tidwall/rtree"

	"jingge/geo"
)

// feature is one feature of an index layer: a shape made of arcs, or a point.
type feature struct {
	id    string // the id in the dataset, unique within its layer
	props geojson.Properties
	enc   []prop    // props, ready to encode
	shape shape     // nil for a point feature
	point orb.Point // world units, for a point feature
	bound orb.Bound // world units
}

func (f *feature) isPoint() bool { return f.shape == nil }

// indexLayer is a layer whose features come from the index.
type indexLayer struct {
	info     LayerInfo
	src      *Source
	features []feature // sorted by id
	tree     rtree.RTreeGN[float64, int32]
	byID     map[string]int
}

// builder derives the layers of a Source from its index and grid shapes.
type builder struct {
	s      *Source
	ix     *geo.Index
	ds     *geo.Dataset
	shapes []shape // by grid position
	// leaves are the grids of the finest partition: community grids, and
	// police grids without community grids of their own.
	leaves      []int
	faces       faces
	members     []int // by grid position
	officers    []int
	population  []int // leaves: their own; police grids with children: the sum of their children
	stationAt   map[string]int
	townshipAt  map[string]int
	gridAt      map[string]int
	hasChildren []bool
	areaShapes  []shape // by area position
}

func newBuilder(s *Source, ix *geo.Index, shapes []shape) *builder {
	ds := ix.Dataset()
	b := &builder{s: s, ix: ix, ds: ds, shapes: shapes,
		members: make([]int, len(ds.Grids)), officers: make([]int, len(ds.Grids)),
		population: make([]int, len(ds.Grids)), hasChildren: make([]bool, len(ds.Grids)),
		stationAt: map[string]int{}, townshipAt: map[string]int{}, gridAt: map[string]int{}}
	for i, st := range ds.Stations {
		b.stationAt[st.ID] = i
	}
	for i, tw := range ds.Townships {
		b.townshipAt[tw.Code] = i
	}
	for i := range ds.Grids {
		b.gridAt[ds.Grids[i].ID] = i
	}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.Level == geo.CommunityLevel {
			if p, ok := b.gridAt[g.ParentID]; ok {
				b.hasChildren[p] = true
			}
		}
	}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		for _, m := range ix.Members(g.ID) {
			b.members[i]++
			if m.Role.IsPolice() {
				b.officers[i]++
			}
		}
		if g.Level == geo.CommunityLevel || !b.hasChildren[i] {
			b.leaves = append(b.leaves, i)
			b.population[i] += g.Population
			if p, ok := b.gridAt[g.ParentID]; ok && g.Level == geo.CommunityLevel {
				b.population[p] += g.Population
			}
		}
	}
	leafShapes := make([]shape, len(b.leaves))
	for k, i := range b.leaves {
		leafShapes[k] = shapes[i]
	}
	b.faces = s.topo.facesOf(leafShapes)
	return b
}

func (b *builder) layers() []*indexLayer {
	return []*indexLayer{
		b.regions(), b.county(), b.townships(), b.stations(), b.grids(geo.PoliceLevel), b.grids(geo.CommunityLevel),
		b.areas(), b.places(), b.checkpoints(),
	}
}

// dissolveBy dissolves the leaves by group (group returns -1 for none) and
// makes sure the outlines keep their area when simplified.
func (b *builder) dissolveBy(n int, group func(g *geo.Grid) int) []shape {
	groupOf := make([]int32, len(b.leaves))
	for k, i := range b.leaves {
		groupOf[k] = int32(group(&b.ds.Grids[i]))
	}
	out := b.s.topo.dissolve(b.faces, groupOf, n)
	for _, sh := range out {
		for _, p := range sh {
			for _, c := range p {
				b.s.topo.requireInterior(c)
			}
		}
	}
	return out
}

// newLayer builds an index layer from unsorted features.
func (b *builder) newLayer(info LayerInfo, feats []feature) *indexLayer {
	l := &indexLayer{info: info, src: b.s, byID: make(map[string]int, len(feats))}
	order := sortedIDs(len(feats), func(i int) string { return feats[i].id })
	for _, i := range order {
		f := feats[i]
		if f.isPoint() {
			f.bound = orb.Bound{Min: f.point, Max: f.point}
		} else {
			if len(f.shape) == 0 {
				continue
			}
			for k, p := range f.shape {
				cb := b.s.topo.chainBound(p[0])
				if k == 0 {
					f.bound = cb
				} else {
					f.bound = f.bound.Union(cb)
				}
			}
			if info.ID == LayerPoliceGrids || info.ID == LayerCommunityGrids {
				if b.s.hasGrids {
					b.s.worldBound = b.s.worldBound.Union(f.bound)
				} else {
					b.s.worldBound, b.s.hasGrids = f.bound, true
				}
			}
		}
		f.enc = propsOf(f.props)
		l.byID[f.id] = len(l.features)
		l.tree.Insert(f.bound.Min, f.bound.Max, int32(len(l.features)))
		l.features = append(l.features, f)
	}
	return l
}

var regionFields = []Field{
	{"id", "String", "terrain region id: hill, plateau, plain or mountain"},
	{"name_zh", "String", "Chinese name: 岭中, 塬上, 川下 or 山间"},
	{"name_en", "String", "English name"},
	{"blueprint", "String", "the policing plan's slogan for the region"},
}

func (b *builder) regions() *indexLayer {
	at := map[geo.Terrain]int{}
	for i, t := range geo.Terrains {
		at[t] = i
	}
	shapes := b.dissolveBy(len(geo.Terrains), func(g *geo.Grid) int {
		if si, ok := b.stationAt[g.StationID]; ok {
			if i, ok := at[b.ds.Stations[si].Region]; ok {
				return i
			}
		}
		return -1
	})
	var feats []feature
	for i, t := range geo.Terrains {
		r, _ := t.Region()
		feats = append(feats, feature{id: string(t), shape: shapes[i], props: geojson.Properties{
			"id": string(t), "name_zh": r.NameZH, "name_en": r.NameEN, "blueprint": r.Blueprint,
		}})
	}
	return b.newLayer(LayerInfo{ID: LayerRegions, Description: "the four terrain regions (四警蓝图), dissolved from their stations' grids",
		MinZoom: 0, MaxZoom: MaxZoom, Fields: regionFields}, feats)
}

var countyFields = []Field{
	{"id", "String", "always county"},
	{"name", "String", "the dataset's name"},
}

func (b *builder) county() *indexLayer {
	shapes := b.dissolveBy(1, func(*geo.Grid) int { return 0 })
	feats := []feature{{id: "county", shape: shapes[0], props: geojson.Properties{"id": "county", "name": b.ds.Meta.Name}}}
	return b.newLayer(LayerInfo{ID: LayerCounty, Description: "the outline of the territory: the union of all grids",
		MinZoom: 0, MaxZoom: MaxZoom, Fields: countyFields}, feats)
}

var townshipFields = []Field{
	{"id", "String", "the township's 9-digit statistical code"},
	{"name", "String", "the township's name (乡镇/街道)"},
}

func (b *builder) townships() *indexLayer {
	shapes := b.dissolveBy(len(b.ds.Townships), func(g *geo.Grid) int {
		if i, ok := b.townshipAt[g.Township]; ok {
			return i
		}
		return -1
	})
	var feats []feature
	for i, tw := range b.ds.Townships {
		feats = append(feats, feature{id: tw.Code, shape: shapes[i], props: geojson.Properties{"id": tw.Code, "name": tw.Name}})
	}
	return b.newLayer(LayerInfo{ID: LayerTownships, Description: "townships (乡镇/街道), dissolved from the grids that name them",
		MinZoom: 6, MaxZoom: MaxZoom, Fields: townshipFields}, feats)
}

var stationFields = []Field{
	{"kind", "String", "area (the station's territory) or point (the station building)"},
	{"id", "String", "station id"},
	{"name", "String", "Chinese name"},
	{"name_en", "String", "English name"},
	{"region", "String", "terrain region id"},
	{"brand", "String", "the station's brand (一所一品)"},
	{"police_grids", "Number", "police grids of the station"},
	{"community_grids", "Number", "community grids of the station"},
	{"population", "Number", "residents of the station's grids"},
	{"members", "Number", "people serving the station or its grids"},
}

func (b *builder) stations() *indexLayer {
	shapes := b.dissolveBy(len(b.ds.Stations), func(g *geo.Grid) int {
		if i, ok := b.stationAt[g.StationID]; ok {
			return i
		}
		return -1
	})
	type agg struct{ police, community, population int }
	aggs := make([]agg, len(b.ds.Stations))
	memberSets := make([]map[string]bool, len(b.ds.Stations))
	for i := range memberSets {
		memberSets[i] = map[string]bool{}
	}
	for _, m := range b.ds.Members {
		if si, ok := b.stationAt[m.StationID]; ok {
			memberSets[si][m.ID] = true
		}
	}
	for i := range b.ds.Grids {
		g := &b.ds.Grids[i]
		si, ok := b.stationAt[g.StationID]
		if !ok {
			continue
		}
		if g.Level == geo.PoliceLevel {
			aggs[si].police++
		} else {
			aggs[si].community++
		}
		if g.Level == geo.CommunityLevel || !b.hasChildren[i] {
			aggs[si].population += g.Population
		}
		for _, m := range b.ix.Members(g.ID) {
			memberSets[si][m.ID] = true
		}
	}
	project := projector(b.ds.Meta.Datum)
	var feats []feature
	for i, st := range b.ds.Stations {
		props := func(kind string) geojson.Properties {
			return geojson.Properties{
				"kind": kind, "id": st.ID, "name": st.Name, "name_en": st.NameEN, "region": string(st.Region), "brand": st.Brand,
				"police_grids": count(aggs[i].police), "community_grids": count(aggs[i].community),
				"population": count(aggs[i].population), "members": count(len(memberSets[i])),
			}
		}
		if len(shapes[i]) > 0 {
			feats = append(feats, feature{id: st.ID, shape: shapes[i], props: props("area")})
		}
		if st.Location != (orb.Point{}) {
			feats = append(feats, feature{id: st.ID + "#point", point: project(st.Location), props: props("point")})
		}
	}
	return b.newLayer(LayerInfo{ID: LayerStations, Description: "police stations (派出所): their areas, dissolved from their grids, and their buildings as points",
		MinZoom: 0, MaxZoom: MaxZoom, Fields: stationFields}, feats)
}

var gridFields = []Field{
	{"id", "String", "grid id (its code)"},
	{"code", "String", "grid code"},
	{"name", "String", "grid name"},
	{"station", "String", "station id"},
	{"station_name", "String", "station name"},
	{"region", "String", "terrain region id of the station"},
	{"township", "String", "township code"},
	{"population", "Number", "residents (a police grid: the sum of its community grids)"},
	{"members", "Number", "people serving the grid"},
	{"officers", "Number", "community officers and auxiliary officers serving the grid"},
}

var policeGridFields = append(append([]Field(nil), gridFields...),
	Field{"community_grids", "Number", "community grids in the police grid"})

var communityGridFields = append(append([]Field(nil), gridFields...),
	Field{"police_grid", "String", "id of the police grid holding the community grid"})

func (b *builder) grids(level geo.Level) *indexLayer {
	children := map[string]int{}
	for i := range b.ds.Grids {
		if g := &b.ds.Grids[i]; g.Level == geo.CommunityLevel {
			children[g.ParentID]++
		}
	}
	var feats []feature
	for i := range b.ds.Grids {
		g := &b.ds.Grids[i]
		if g.Level != level {
			continue
		}
		p := geojson.Properties{
			"id": g.ID, "code": g.ID, "name": g.Name, "station": g.StationID, "township": g.Township,
			"population": count(b.population[i]), "members": count(b.members[i]), "officers": count(b.officers[i]),
		}
		if si, ok := b.stationAt[g.StationID]; ok {
			p["station_name"] = b.ds.Stations[si].Name
			p["region"] = string(b.ds.Stations[si].Region)
		}
		if level == geo.PoliceLevel {
			p["community_grids"] = count(children[g.ID])
		} else {
			p["police_grid"] = g.ParentID
		}
		feats = append(feats, feature{id: g.ID, shape: b.shapes[i], props: p})
	}
	if level == geo.PoliceLevel {
		return b.newLayer(LayerInfo{ID: LayerPoliceGrids, Description: "police grids (警格)",
			MinZoom: 6, MaxZoom: MaxZoom, Fields: policeGridFields}, feats)
	}
	return b.newLayer(LayerInfo{ID: LayerCommunityGrids, Description: "community grids (网格)",
		MinZoom: 6, MaxZoom: MaxZoom, Fields: communityGridFields}, feats)
}

// count is a non-negative count as tiles carry it: unsigned, the smallest
// MVT encoding for it.
func count(n int) uint64 {
	if n < 0 {
		return 0
	}
	return uint64(n)
}
