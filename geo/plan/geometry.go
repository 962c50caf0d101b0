package plan

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	ogeo "github.com/paulmach/orb/geo"

	"jingge/geo"
)

// earthRadiusKm is the one earth radius of jingge (geo.EarthRadiusMeters).
const earthRadiusKm = geo.EarthRadiusMeters / 1000

func rad(deg float64) float64 { return deg * math.Pi / 180 }

// distanceKm is the distance between two points given in radians, by the
// equirectangular approximation: within 0.1% of the great-circle distance
// below 100 km, which is more than good enough for a response-time
// estimate and several times faster than haversine.
func distanceKm(lon1, lat1, lon2, lat2 float64) float64 {
	x := (lon2 - lon1) * math.Cos((lat1+lat2)/2)
	y := lat2 - lat1
	return earthRadiusKm * math.Sqrt(x*x+y*y)
}

// geoAreaKm2 is the area of mp in km² on the sphere of
// geo.EarthRadiusMeters, which is orb's.
func geoAreaKm2(mp orb.MultiPolygon) float64 { return ogeo.Area(mp) / 1e6 }

// segmentKm is the great-circle length of one boundary segment, by
// haversine, which stays accurate for segments of a few metres.
func segmentKm(a, b orb.Point) float64 { return geo.DistanceMeters(a, b) / 1000 }

// PolsbyPopper is the compactness 4πA/P² of a shape of area A and perimeter
// P (any consistent units, e.g. km² and km): 1 for a circle, π/4 for a
// square, towards 0 for long or ragged shapes. It is 0 when P is 0.
func PolsbyPopper(area, perimeter float64) float64 {
	if perimeter <= 0 {
		return 0
	}
	return 4 * math.Pi * area / (perimeter * perimeter)
}

// Compactness is the Polsby–Popper score of one shape, with its geodesic
// area and the geodesic length of all its rings (holes included).
func Compactness(mp orb.MultiPolygon) float64 {
	per := 0.0
	for _, poly := range mp {
		for _, ring := range poly {
			forEachSegment(ring, func(a, b orb.Point) { per += segmentKm(a, b) })
		}
	}
	return PolsbyPopper(geoAreaKm2(mp), per)
}

// forEachSegment calls f for every segment of ring with distinct ends,
// closing the ring if its last point is not its first.
func forEachSegment(ring orb.Ring, f func(a, b orb.Point)) {
	for k := 0; k+1 < len(ring); k++ {
		if ring[k] != ring[k+1] {
			f(ring[k], ring[k+1])
		}
	}
	if n := len(ring); n > 2 && ring[0] != ring[n-1] {
		f(ring[n-1], ring[0])
	}
}

// segKey names a segment regardless of direction.
type segKey [4]float64

func keyOf(a, b orb.Point) segKey {
	if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
		a, b = b, a
	}
	return segKey{a[0], a[1], b[0], b[1]}
}

// boundaries finds, for every unit, the length of its boundary that no
// other unit shares (outer) and the units it shares border segments with.
// Neighbouring grids share identical vertices, so a border segment appears
// exactly twice, once in each grid; a segment seen twice in the same unit
// is inside it and counts for neither. Units that touch only at a point are
// not neighbours. Sums run in dataset order, so results are bit-identical
// from run to run.
func boundaries(units []*geo.Grid) (outer []float64, adj [][]neighbor) {
	type use struct {
		a, b int32
		n    int32
		km   float64
	}
	seen := make(map[segKey]use)
	var order []segKey
	for u, g := range units {
		for _, poly := range g.Geometry {
			for _, ring := range poly {
				forEachSegment(ring, func(a, b orb.Point) {
					k := keyOf(a, b)
					if e, ok := seen[k]; ok {
						e.n++
						if e.n == 2 {
							e.b = int32(u)
						}
						seen[k] = e
						return
					}
					seen[k] = use{a: int32(u), b: -1, n: 1, km: segmentKm(a, b)}
					order = append(order, k)
				})
			}
		}
	}
	outer = make([]float64, len(units))
	shared := map[[2]int32]float64{}
	for _, k := range order {
		e := seen[k]
		switch {
		case e.n == 1 || e.n > 2: // n > 2 only in broken topology: count it as outer
			outer[e.a] += e.km
		case e.a != e.b:
			shared[[2]int32{min(e.a, e.b), max(e.a, e.b)}] += e.km
		}
	}
	adj = make([][]neighbor, len(units))
	for p, km := range shared {
		adj[p[0]] = append(adj[p[0]], neighbor{unit: p[1], km: km})
		adj[p[1]] = append(adj[p[1]], neighbor{unit: p[0], km: km})
	}
	for u := range adj {
		slices.SortFunc(adj[u], func(x, y neighbor) int { return cmp.Compare(x.unit, y.unit) })
	}
	return outer, adj
}
