package pack

import (
	"bytes"
	"compress/gzip"
	"slices"

	"github.com/paulmach/orb"

	"jingge/api/locate"
	"jingge/geo"
)

// build builds the pack of the stations in scope (all of them when scope
// is empty), asked for station.
func (c *Cache) build(station string, scale int64, fullPhones bool, scope []string) *Pack {
	ix := c.ix
	ds := ix.Dataset()
	meta := ds.Meta
	zone := meta.TimeZone
	if zone == "" {
		zone = geo.LegacyTimeZone
	}
	in := func(id string) bool { return len(scope) == 0 || slices.Contains(scope, id) }
	p := &Pack{
		Dataset: meta.Name, Datum: c.datum, TimeZone: zone, Station: station,
		Complete: len(scope) == 0, Scale: scale,
		Stations: []Station{}, Grids: []Grid{}, Members: []Member{},
		Counts: map[string]int{},
	}
	for i := range ds.Stations {
		st := &ds.Stations[i]
		if !in(st.ID) {
			continue
		}
		r, _ := st.Region.Region()
		p.Stations = append(p.Stations, Station{ID: st.ID, Name: st.Name, NameEN: st.NameEN, Region: st.Region, RegionZH: r.NameZH, Phone: st.Phone})
	}
	memberAt := map[string]int{}
	var bound orb.Bound
	first := true
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if !in(g.StationID) {
			continue
		}
		pg := Grid{ID: g.ID, Name: g.Name, Level: g.Level, Station: g.StationID, Parent: g.ParentID,
			Township: c.townships[g.Township], Terrain: ix.GridTerrain(g), Members: []int{}}
		for _, m := range ix.Members(g.ID) {
			at, ok := memberAt[m.ID]
			if !ok {
				at = len(p.Members)
				memberAt[m.ID] = at
				p.Members = append(p.Members, locate.NewMemberInfo(m))
			}
			pg.Members = append(pg.Members, at)
		}
		if g.Level == geo.CommunityLevel || len(ix.Children(g.ID)) == 0 {
			pg.Geometry = EncodeGeometry(g.Geometry, scale)
			b := g.Geometry.Bound()
			if first {
				bound, first = b, false
			}
			bound = bound.Union(b)
		}
		p.Grids = append(p.Grids, pg)
		p.Counts[string(g.Level)]++
	}
	if !fullPhones {
		for i := range p.Members {
			p.Members[i].Phone = c.maskPhone(p.Members[i].Phone)
		}
	}
	p.Counts["members"] = len(p.Members)
	p.Counts["stations"] = len(p.Stations)
	p.Bounds = [4]float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]}
	return p
}

// stationNeighbours lists, for each station, the stations whose grids
// share a vertex with its grids (neighbours in a partition share their
// border's points), in dataset order.
func stationNeighbours(ix *geo.Index) map[string][]string {
	ds := ix.Dataset()
	at := map[orb.Point][]string{}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		for _, poly := range g.Geometry {
			for _, ring := range poly {
				for _, pt := range ring {
					if ids := at[pt]; !slices.Contains(ids, g.StationID) {
						at[pt] = append(ids, g.StationID)
					}
				}
			}
		}
	}
	touch := map[string]map[string]bool{}
	for _, ids := range at {
		for _, a := range ids {
			for _, b := range ids {
				if a != b {
					if touch[a] == nil {
						touch[a] = map[string]bool{}
					}
					touch[a][b] = true
				}
			}
		}
	}
	out := make(map[string][]string, len(ds.Stations))
	for _, st := range ds.Stations {
		out[st.ID] = []string{}
		for _, other := range ds.Stations {
			if touch[st.ID][other.ID] {
				out[st.ID] = append(out[st.ID], other.ID)
			}
		}
	}
	return out
}

// gzipSize is the size of b gzipped at the default level.
func gzipSize(b []byte) int {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Len()
}
