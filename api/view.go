package api

import (
	"fmt"
	"jingge/api/httpx"
	"jingge/api/meta"
	"jingge/api/pack"

	"github.com/paulmach/orb"

	"jingge/api/locate"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// view is what the handlers derive from one index: its datum, the bounds
// of its grids, per-station counts and the small id/name pairs the batch
// lookup sends. It is built once per index and never changed.
type view struct {
	ix *geo.Index
	// loc answers lookups and owns the datum, bounds, refs and townships
	// below, which the view shares with it.
	loc       *locate.Locator
	datum     crs.CRS
	datumName string // as the dataset spells it, "wgs84" when unset
	bounds    orb.Bound
	hasGrids  bool
	stats     map[string]stationStats
	counts    meta.Counts
	gridRefs  map[string]*locate.Ref
	stRefs    map[string]*locate.Ref
	townships map[string]string // code -> name
	// gridMembers counts the members serving each grid.
	gridMembers map[string]int
	// packs holds the offline packs of this index, built on first use.
	packs *pack.Cache
}

// stationStats counts what a station is responsible for.
type stationStats struct {
	PoliceGrids    int
	CommunityGrids int
	Members        int
	Population     int
}

// current returns the view of the index in force, or a 503 problem before
// the first index is loaded.
func (s *Server) current() (*view, error) {
	ix := s.live.Load()
	if ix == nil {
		return nil, &httpx.Problem{Kind: data.ErrUnavailable, Detail: "no dataset is loaded yet; retry shortly", RetryAfterSeconds: s.retryAfterSeconds}
	}
	if v := s.views.Load(); v != nil && v.ix == ix {
		return v, nil
	}
	// Two requests racing here both build a view; either is correct.
	v, err := newView(ix)
	if err != nil {
		return nil, err
	}
	s.views.Store(v)
	return v, nil
}

// newView derives a view from ix. It fails only when the dataset names a
// datum crs does not know, which is a fault of the dataset, not the client.
func newView(ix *geo.Index) (*view, error) {
	ds := ix.Dataset()
	loc, err := locate.New(ix)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	v := &view{
		ix: ix, loc: loc, datum: loc.Datum(), datumName: loc.DatumName(),
		stats:       make(map[string]stationStats, len(ds.Stations)),
		gridRefs:    loc.GridRefs(),
		stRefs:      loc.StationRefs(),
		gridMembers: make(map[string]int, len(ds.Grids)),
		townships:   loc.Townships(),
	}
	v.bounds, v.hasGrids = loc.Bounds()
	members := make(map[string]map[string]bool, len(ds.Stations)) // station -> member ids
	addMember := func(station, member string) {
		if members[station] == nil {
			members[station] = map[string]bool{}
		}
		members[station][member] = true
	}
	for _, m := range ds.Members {
		if m.StationID != "" {
			addMember(m.StationID, m.ID)
		}
	}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		st := v.stats[g.StationID]
		if g.Level == geo.PoliceLevel {
			st.PoliceGrids++
			v.counts.PoliceGrids++
		} else {
			st.CommunityGrids++
			v.counts.CommunityGrids++
		}
		// People live in the leaves: community grids, and police grids
		// without community grids of their own.
		if g.Level == geo.CommunityLevel || len(ix.Children(g.ID)) == 0 {
			st.Population += g.Population
			v.counts.Population += g.Population
		}
		v.stats[g.StationID] = st
		gm := ix.Members(g.ID)
		v.gridMembers[g.ID] = len(gm)
		for _, m := range gm {
			addMember(g.StationID, m.ID)
		}
	}
	for id, ms := range members {
		st := v.stats[id]
		st.Members = len(ms)
		v.stats[id] = st
	}
	v.counts.Stations = len(ds.Stations)
	v.counts.Members = len(ds.Members)
	v.counts.Townships = len(ds.Townships)
	v.packs = pack.NewCache(ix, pack.Options{Datum: ds.Meta.Datum, MaskPhone: maskPhone})
	return v, nil
}

// toDatum converts p from c into the dataset's datum.
func (v *view) toDatum(p orb.Point, c crs.CRS) orb.Point { return crs.Convert(p, c, v.datum) }

// toWGS84 converts p from the dataset's datum to WGS-84, the only datum
// RFC 7946 GeoJSON allows.
func (v *view) toWGS84(p orb.Point) orb.Point { return crs.Convert(p, v.datum, crs.WGS84) }

// geometryWGS84 returns mp in WGS-84: mp itself when the dataset is in
// WGS-84 (the usual case, no copy), else a converted copy.
func (v *view) geometryWGS84(mp orb.MultiPolygon) orb.MultiPolygon {
	if v.datum == crs.WGS84 {
		return mp
	}
	out := mp.Clone()
	for _, poly := range out {
		for _, ring := range poly {
			for i, p := range ring {
				ring[i] = v.toWGS84(p)
			}
		}
	}
	return out
}
