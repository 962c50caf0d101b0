package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// CountyPackMaxGzipBytes is the threshold of the whole county: when the
// county's pack (with full phone numbers, the larger form) is at most this
// many bytes gzipped, every station's pack is the county's, which answers
// every point of it; above it a station's pack holds the station and its
// neighbours (stations whose grids share a vertex with it). It is the
// issue's goal for one station's pack, so a county that fits costs a phone
// no more than the goal allows.
const CountyPackMaxGzipBytes = 300_000

// packBody is one encoded pack, ready to send.
type packBody struct {
	json    []byte
	version string
}

// packCache builds the packs of one index once each: per scope (the
// county, or one station's area) and per phone form.
type packCache struct {
	v    *view
	once sync.Once
	// Derived once: the dataset's fingerprint, the scale, whether the
	// county fits, each station's neighbours.
	fingerprint string
	scale       int64
	county      bool
	neighbours  map[string][]string
	err         error

	mu     sync.Mutex
	bodies map[packKey]*packBody
}

type packKey struct {
	scope      string // "" for the county, else the station id
	station    string
	fullPhones bool
}

func newPackCache(v *view) *packCache {
	return &packCache{v: v, bodies: map[packKey]*packBody{}}
}

// prepare derives what every pack of the index shares.
func (c *packCache) prepare() error {
	c.once.Do(func() {
		ds := c.v.ix.Dataset()
		c.scale = packScale(ds)
		c.neighbours = stationNeighbours(c.v.ix)
		county, err := json.Marshal(c.v.buildPack("", c.scale, true, nil))
		if err != nil {
			c.err = fmt.Errorf("api: pack: %w", err)
			return
		}
		sum := sha256.Sum256(county)
		c.fingerprint = hex.EncodeToString(sum[:])
		c.county = gzipSize(county) <= CountyPackMaxGzipBytes
	})
	return c.err
}

// get returns the pack asked for station (may be "") in the phone form.
func (c *packCache) get(station string, fullPhones bool) (*packBody, error) {
	if err := c.prepare(); err != nil {
		return nil, err
	}
	key := packKey{station: station, fullPhones: fullPhones}
	if !c.county {
		key.scope = station
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.bodies[key]; ok {
		return b, nil
	}
	var scope []string
	if !c.county {
		scope = append([]string{station}, c.neighbours[station]...)
	}
	p := c.v.buildPack(station, c.scale, fullPhones, scope)
	phones := "masked"
	if fullPhones {
		phones = "full"
	}
	sum := sha256.Sum256([]byte(c.fingerprint + "\x00" + key.scope + "\x00" + station + "\x00" + phones))
	p.Version = hex.EncodeToString(sum[:10])
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("api: pack: %w", err)
	}
	b := &packBody{json: buf.Bytes(), version: p.Version}
	c.bodies[key] = b
	return b, nil
}

// buildPack builds the pack of the stations in scope (all of them when
// scope is empty), asked for station.
func (v *view) buildPack(station string, scale int64, fullPhones bool, scope []string) *Pack {
	ix := v.ix
	ds := ix.Dataset()
	meta := ds.Meta
	zone := meta.TimeZone
	if zone == "" {
		zone = geo.LegacyTimeZone
	}
	in := func(id string) bool { return len(scope) == 0 || slices.Contains(scope, id) }
	p := &Pack{
		Dataset: meta.Name, Datum: v.datumName, TimeZone: zone, Station: station,
		Complete: len(scope) == 0, Scale: scale,
		Stations: []PackStation{}, Grids: []PackGrid{}, Members: []MemberInfo{},
		Counts: map[string]int{},
	}
	for i := range ds.Stations {
		st := &ds.Stations[i]
		if !in(st.ID) {
			continue
		}
		r, _ := st.Region.Region()
		p.Stations = append(p.Stations, PackStation{ID: st.ID, Name: st.Name, NameEN: st.NameEN, Region: st.Region, RegionZH: r.NameZH, Phone: st.Phone})
	}
	memberAt := map[string]int{}
	var bound orb.Bound
	first := true
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if !in(g.StationID) {
			continue
		}
		pg := PackGrid{ID: g.ID, Name: g.Name, Level: g.Level, Station: g.StationID, Parent: g.ParentID,
			Township: v.townships[g.Township], Terrain: ix.GridTerrain(g), Members: []int{}}
		for _, m := range ix.Members(g.ID) {
			at, ok := memberAt[m.ID]
			if !ok {
				at = len(p.Members)
				memberAt[m.ID] = at
				p.Members = append(p.Members, MemberInfo{ID: m.ID, Name: m.Name, Role: m.Role, RoleZH: m.Role.LabelZH(), RoleEN: m.Role.LabelEN(), Roles: m.Roles, Phone: m.Phone})
			}
			pg.Members = append(pg.Members, at)
		}
		if g.Level == geo.CommunityLevel || len(ix.Children(g.ID)) == 0 {
			pg.Geometry = encodeGeometry(g.Geometry, scale)
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
			p.Members[i].Phone = maskPhone(p.Members[i].Phone)
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
