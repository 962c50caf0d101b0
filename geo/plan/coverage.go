package plan

import (
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// Origin is where a response starts: a station building or an officer's
// last reported position.
type Origin struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"` // "station" or "patrol"
	Location orb.Point `json:"-"`    // dataset datum
}

// StationOrigins returns every station as an origin, in dataset order.
func (m *Model) StationOrigins() []Origin {
	out := make([]Origin, len(m.stations))
	for i, s := range m.stations {
		out[i] = Origin{ID: s.ID, Kind: "station", Location: s.Location}
	}
	return out
}

// PatrolOrigins returns the latest position of every officer who reported
// one in the maxAge before at (pings after at are ignored), ordered by
// officer id. Pings must already be in the dataset's datum.
func PatrolOrigins(pings []geo.Ping, at time.Time, maxAge time.Duration) []Origin {
	latest := map[string]geo.Ping{}
	for _, p := range pings {
		if p.At.After(at) || at.Sub(p.At) > maxAge {
			continue
		}
		if q, ok := latest[p.OfficerID]; !ok || p.At.After(q.At) {
			latest[p.OfficerID] = p
		}
	}
	out := make([]Origin, 0, len(latest))
	for _, id := range sortedKeys(latest) {
		out = append(out, Origin{ID: id, Kind: "patrol", Location: latest[id].Location})
	}
	return out
}

// Coverage tells how fast the origins reach every grid and incident: the
// three circles (三层三圈) as response-time rings.
type Coverage struct {
	BandsMinutes []float64 `json:"bands_minutes"`
	// Grids holds every finest grid (community grids, and police grids
	// without any), in dataset order.
	Grids []GridReach `json:"grids"`
	// Rings are cumulative: ring k counts what is reached within
	// BandsMinutes[k] from the nearest origin.
	Rings      []RingShare `json:"rings"`
	Incidents  int         `json:"incidents"`
	Population int         `json:"population"`
	// ByOrigin, in the order of the origins given, splits the grids among the origins (each grid goes to the
	// origin that reaches it first) and, for each origin, into bands; a
	// tile layer can colour each grid by its origin and band.
	ByOrigin []OriginRings `json:"by_origin"`
}

// GridReach is how fast one grid is reached. Time is estimated to the
// grid's area centroid: straight-line distance × detour factor ÷ the road
// speed of the grid's terrain.
type GridReach struct {
	GridID       string  `json:"grid"`
	PoliceGridID string  `json:"police_grid"`
	Origin       string  `json:"origin"` // the nearest in time
	Minutes      float64 `json:"minutes"`
	// BandMinutes is the first band that holds Minutes; 0 beyond the last.
	BandMinutes float64 `json:"band_minutes"`
	Population  int     `json:"population"`
}

// RingShare is what one ring covers.
type RingShare struct {
	Minutes         float64 `json:"minutes"`
	Grids           int     `json:"grids"`
	Population      int     `json:"population"`
	PopulationShare float64 `json:"population_share"`
	// Incidents counts incidents whose own position is reached within
	// Minutes from the nearest origin.
	Incidents     int     `json:"incidents"`
	IncidentShare float64 `json:"incident_share"`
}

// OriginRings are the grids an origin reaches first, band by band.
type OriginRings struct {
	Origin string      `json:"origin"`
	Rings  []RingGrids `json:"rings"`
}

// RingGrids are the grids of one origin whose time falls in (previous
// band, Minutes]; the last entry, with Minutes 0, holds those beyond every
// band.
type RingGrids struct {
	Minutes float64  `json:"minutes"`
	GridIDs []string `json:"grids"`
}

// Coverage computes the response rings of origins under the model's
// travel settings. Origins must have distinct, non-empty ids.
func (m *Model) Coverage(origins []Origin) (Coverage, error) {
	if len(origins) == 0 {
		return Coverage{}, invalid("coverage: no origins; give stations or patrol positions")
	}
	seen := map[string]bool{}
	for _, o := range origins {
		if o.ID == "" || seen[o.ID] {
			return Coverage{}, invalid("coverage: origin id %q is empty or repeated; every origin needs its own id", o.ID)
		}
		seen[o.ID] = true
	}
	bands := m.cfg.Travel.BandsMinutes
	ol := make([][2]float64, len(origins))
	for i, o := range origins {
		ol[i] = [2]float64{rad(o.Location[0]), rad(o.Location[1])}
	}
	nearest := func(lon, lat, minutesPerK float64) (int, float64) {
		best, bt := 0, math.Inf(1)
		for i, o := range ol {
			if t := distanceKm(o[0], o[1], lon, lat) * minutesPerK; t < bt {
				best, bt = i, t
			}
		}
		return best, bt
	}
	bandOf := func(t float64) int { // index of the first band ≥ t, len(bands) beyond
		k, _ := slices.BinarySearch(bands, t)
		return k
	}
	c := Coverage{BandsMinutes: slices.Clone(bands), Rings: make([]RingShare, len(bands)), ByOrigin: make([]OriginRings, len(origins))}
	for i, o := range origins {
		c.ByOrigin[i] = OriginRings{Origin: o.ID, Rings: make([]RingGrids, len(bands)+1)}
		for k := range bands {
			c.ByOrigin[i].Rings[k].Minutes = bands[k]
		}
	}
	for k, b := range bands {
		c.Rings[k].Minutes = b
	}
	for _, lf := range m.leaves {
		o, t := nearest(lf.lon, lf.lat, lf.minutesPerK)
		k := bandOf(t)
		gr := GridReach{GridID: lf.grid.ID, PoliceGridID: m.units[lf.unit].ID, Origin: origins[o].ID, Minutes: t, Population: lf.grid.Population}
		if k < len(bands) {
			gr.BandMinutes = bands[k]
		}
		c.Grids = append(c.Grids, gr)
		c.Population += lf.grid.Population
		for j := k; j < len(bands); j++ {
			c.Rings[j].Grids++
			c.Rings[j].Population += lf.grid.Population
		}
		r := &c.ByOrigin[o].Rings[k]
		r.GridIDs = append(r.GridIDs, lf.grid.ID)
	}
	c.Incidents = len(m.incidents)
	for _, inc := range m.incidents {
		_, t := nearest(inc.lon, inc.lat, inc.minutesPerK)
		for j := bandOf(t); j < len(bands); j++ {
			c.Rings[j].Incidents++
		}
	}
	for k := range c.Rings {
		r := &c.Rings[k]
		if c.Population > 0 {
			r.PopulationShare = float64(r.Population) / float64(c.Population)
		}
		if c.Incidents > 0 {
			r.IncidentShare = float64(r.Incidents) / float64(c.Incidents)
		}
	}
	return c, nil
}
