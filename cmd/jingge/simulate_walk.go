package main

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paulmach/orb"
	ogeo "github.com/paulmach/orb/geo"

	"jingge/geo"
)

// How simulated officers get about: on foot, by electric bike or by car,
// at these speeds on the plain; hills and mountains slow them by their
// terrain difficulty.
var travelModes = []struct {
	name     string
	speedMPS float64
	share    float64
}{
	{"foot", 1.4, 0.3},
	{"ebike", 5, 0.3},
	{"car", 11, 0.4},
}

// Walk tuning.
const (
	// strayChance is the chance that an officer's next target lies in a
	// grid outside their own area, so they cross into neighbouring grids.
	strayChance = 0.15
	// pauseChance is the chance of stopping for a while at a target.
	pauseChance   = 0.3
	maxPauseTicks = 6
	// headingJitterDeg is how far each step may stray from the straight line.
	headingJitterDeg = 25
	// sampleTries bounds rejection sampling of a point in an area.
	sampleTries = 200
)

// simOfficer is one simulated officer.
type simOfficer struct {
	id      string
	area    []*geo.Grid // the grids targets are drawn from
	inArea  map[string]bool
	bound   orb.Bound // of the area
	pos     orb.Point
	target  orb.Point
	base    float64 // m/s on the plain
	speed   float64 // m/s of the last step
	heading float64 // degrees clockwise from north
	pause   int     // ticks left standing still
}

// walker moves simulated officers along plausible routes inside their own
// grids, now and then into a neighbouring one. It is deterministic for a
// seed.
type walker struct {
	ix       *geo.Index
	rng      *rand.Rand
	officers []*simOfficer
}

// newWalker places up to n police officers of ix (all when n is 0), chosen
// by seed, at random points of their areas.
func newWalker(ix *geo.Index, n int, seed uint64) *walker {
	w := &walker{ix: ix, rng: rand.New(rand.NewPCG(seed, 0x70617472))}
	var police []*geo.Member
	ds := ix.Dataset()
	for i := range ds.Members {
		if ds.Members[i].Role.IsPolice() {
			police = append(police, &ds.Members[i])
		}
	}
	if n > 0 && n < len(police) {
		w.rng.Shuffle(len(police), func(i, j int) { police[i], police[j] = police[j], police[i] })
		police = police[:n]
		slices.SortFunc(police, func(a, b *geo.Member) int { return cmp.Compare(a.ID, b.ID) })
	}
	for _, m := range police {
		o := &simOfficer{id: m.ID, inArea: map[string]bool{}}
		for _, id := range m.GridIDs {
			g, ok := ix.Grid(id)
			if !ok {
				continue
			}
			o.area = append(o.area, g)
			o.inArea[g.ID] = true
			for _, c := range ix.Children(id) {
				o.inArea[c.ID] = true
			}
		}
		if len(o.area) == 0 {
			o.area = ix.StationArea(m.StationID)
			for _, g := range o.area {
				o.inArea[g.ID] = true
				for _, c := range ix.Children(g.ID) {
					o.inArea[c.ID] = true
				}
			}
		}
		if len(o.area) == 0 {
			continue // an officer with no grids and no station's grids cannot be placed
		}
		o.bound = o.area[0].Geometry.Bound()
		for _, g := range o.area[1:] {
			o.bound = o.bound.Union(g.Geometry.Bound())
		}
		o.base = w.mode()
		o.pos = w.pointIn(o)
		o.target = w.pointIn(o)
		w.officers = append(w.officers, o)
	}
	return w
}

// mode draws a travel speed from travelModes.
func (w *walker) mode() float64 {
	x := w.rng.Float64()
	for _, m := range travelModes {
		if x < m.share {
			return m.speedMPS
		}
		x -= m.share
	}
	return travelModes[len(travelModes)-1].speedMPS
}

// gridAt is the finest grid holding pt, or "".
func (w *walker) gridAt(pt orb.Point) string {
	h := w.ix.Lookup(pt)
	switch {
	case h.Community != nil:
		return h.Community.ID
	case h.Police != nil:
		return h.Police.ID
	}
	return ""
}

// pointIn draws a point inside o's area.
func (w *walker) pointIn(o *simOfficer) orb.Point {
	for range sampleTries {
		g := o.area[w.rng.IntN(len(o.area))]
		b := g.Geometry.Bound()
		pt := orb.Point{b.Min[0] + w.rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + w.rng.Float64()*(b.Max[1]-b.Min[1])}
		if o.inArea[w.gridAt(pt)] {
			return pt
		}
	}
	return o.area[0].Geometry.Bound().Center()
}

// pointNear draws a point in a grid outside o's area but near it, or
// falls back to a point inside.
func (w *walker) pointNear(o *simOfficer) orb.Point {
	b := o.bound.Pad(math.Max(o.bound.Max[0]-o.bound.Min[0], o.bound.Max[1]-o.bound.Min[1]) * 0.3)
	for range sampleTries {
		pt := orb.Point{b.Min[0] + w.rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + w.rng.Float64()*(b.Max[1]-b.Min[1])}
		if g := w.gridAt(pt); g != "" && !o.inArea[g] {
			return pt
		}
	}
	return w.pointIn(o)
}

// difficulty is the terrain difficulty at pt (1 outside every grid).
func (w *walker) difficulty(pt orb.Point) float64 {
	if r, ok := w.ix.Lookup(pt).Terrain().Region(); ok && r.Difficulty > 0 {
		return r.Difficulty
	}
	return 1
}

// step moves every officer by dt of simulated time.
func (w *walker) step(dt time.Duration) {
	for _, o := range w.officers {
		w.stepOne(o, dt.Seconds())
	}
}

func (w *walker) stepOne(o *simOfficer, seconds float64) {
	if o.pause > 0 {
		o.pause--
		o.speed = 0
		return
	}
	o.speed = o.base / w.difficulty(o.pos) * (0.8 + 0.4*w.rng.Float64())
	dist := o.speed * seconds
	left := ogeo.DistanceHaversine(o.pos, o.target)
	if dist >= left {
		o.heading = compass(ogeo.Bearing(o.pos, o.target))
		o.pos = o.target
		w.nextTarget(o)
		return
	}
	bearing := ogeo.Bearing(o.pos, o.target) + (w.rng.Float64()*2-1)*headingJitterDeg
	next := ogeo.PointAtBearingAndDistance(o.pos, bearing, dist)
	if w.gridAt(next) == "" {
		// Never walk off the map: head somewhere else instead.
		w.nextTarget(o)
		return
	}
	o.pos = next
	o.heading = compass(bearing)
}

// compass turns a bearing in degrees (any range) into [0, 360).
func compass(deg float64) float64 {
	d := math.Mod(deg, 360)
	if d < 0 {
		d += 360
	}
	return d
}

// nextTarget picks where o goes next, and maybe a pause first.
func (w *walker) nextTarget(o *simOfficer) {
	if w.rng.Float64() < strayChance {
		o.target = w.pointNear(o)
	} else {
		o.target = w.pointIn(o)
	}
	if w.rng.Float64() < pauseChance {
		o.pause = 1 + w.rng.IntN(maxPauseTicks)
	}
}
