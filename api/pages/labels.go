package pages

import (
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"jingge/api/httpx"
	"jingge/geo"
)

// LabelProperties describe one label point of GET /api/v1/labels.
type LabelProperties struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Kind is "police" (a police grid), "community" (a community grid) or
	// "township".
	Kind    string      `json:"kind"`
	Station string      `json:"station,omitempty"`
	Region  geo.Terrain `json:"region,omitempty"`
}

// Labels keeps the label points of the index they were made from, so an
// index is worked out once however often the pages ask. The zero value is
// ready to use; it is safe for concurrent use.
type Labels struct {
	mu   sync.Mutex
	ix   *geo.Index
	body httpx.FeatureCollection[LabelProperties]
}

// Of returns one point per police grid, community grid and township of
// ix, inside it, to hang its name on, converted to WGS-84 by toWGS84. Maps
// label areas from these rather than from the vector tiles, where an area
// cut by tile edges would be labelled once per tile.
func (c *Labels) Of(ix *geo.Index, toWGS84 func(orb.Point) orb.Point) httpx.FeatureCollection[LabelProperties] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ix == ix {
		return c.body
	}
	ds := ix.Dataset()
	fc := httpx.FeatureCollection[LabelProperties]{Type: "FeatureCollection", Features: make([]httpx.Feature[LabelProperties], 0, len(ds.Grids)+len(ds.Townships))}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		pt, ok := labelPoint(g.Geometry)
		if !ok {
			continue
		}
		props := LabelProperties{ID: g.ID, Name: g.Name, Kind: string(g.Level), Station: g.StationID}
		if st, ok := ix.Station(g.StationID); ok {
			props.Region = st.Region
		}
		fc.Features = append(fc.Features, httpx.NewFeature(g.ID, toWGS84(pt), props))
	}
	for i := range ds.Townships {
		t := &ds.Townships[i]
		if pt, ok := labelPoint(t.Geometry); ok {
			fc.Features = append(fc.Features, httpx.NewFeature(t.Code, toWGS84(pt), LabelProperties{ID: t.Code, Name: t.Name, Kind: "township"}))
		}
	}
	c.ix, c.body = ix, fc
	return fc
}

// labelPoint is where an area's label goes: inside its largest part, at
// the middle of the widest stretch of the horizontal line through that
// part's centroid that lies inside it. Unlike the centroid itself, the
// point is always inside, even for a crescent; unlike a label per vector
// tile, there is one per area.
func labelPoint(mp orb.MultiPolygon) (orb.Point, bool) {
	var best orb.Polygon
	bestArea := 0.0
	for _, p := range mp {
		if a := math.Abs(planar.Area(p)); a > bestArea {
			best, bestArea = p, a
		}
	}
	if best == nil {
		return orb.Point{}, false
	}
	c, _ := planar.CentroidArea(best)
	y := c[1]
	var xs []float64
	for _, ring := range best {
		for i := 0; i+1 < len(ring); i++ {
			a, b := ring[i], ring[i+1]
			// Half-open in y, so a vertex on the line counts once.
			if (a[1] <= y) != (b[1] <= y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	widest, at := -1.0, c[0]
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > widest {
			widest, at = w, (xs[i]+xs[i+1])/2
		}
	}
	return orb.Point{at, y}, true
}
