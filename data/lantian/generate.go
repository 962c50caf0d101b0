package lantian

import (
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// DefaultSeed is the seed of the bundled dataset (after the bureau's "1551"
// prevention model).
const DefaultSeed = 1551

// Generate builds the Lantian demo dataset from the reference data in fsys
// (laid out like Source) deterministically: the same inputs and seed give
// the same dataset, byte for byte once written.
//
// The county is rasterised on the source's own 1/1024-degree lattice;
// townships grow from their approximate seats and villages from seeds
// scattered in their township (multi-source Dijkstra over smooth noise, so
// every region is one connected piece); police grids group 2–6 adjacent
// villages of one township and station. Shared borders are traced once,
// smoothed and reused by both neighbours, so the grids partition the county
// exactly. The source is taken to be GCJ-02 and converted to WGS-84.
func Generate(fsys fs.FS, seed uint64) (*geo.Dataset, error) {
	src, err := readSources(fsys)
	if err != nil {
		return nil, err
	}
	g := &generator{src: src, rng: rand.New(rand.NewPCG(seed, 0x6a696e6767650a))}
	return g.run(seed)
}

type generator struct {
	src *sources
	rng *rand.Rand
	r   *raster

	townshipOf []int // village -> township
	stationOf  []int // village -> station
	policeOf   []int // village -> police grid
	police     []policeGroup
	seeds      []int // village -> seed cell
	fine       []int // cell -> village
}

type policeGroup struct {
	township, station, seq int
	villages               []int
}

func (g *generator) run(seed uint64) (*geo.Dataset, error) {
	src := g.src
	g.r = newRaster(src.county)
	r := g.r
	coarse := newNoise(g.rng, r.w, r.h, 28)
	fineNoise := newNoise(g.rng, r.w, r.h, 9)
	cost := func(c int) float64 {
		i, j := c%r.w, c/r.w
		return 0.5 + 0.7*coarse.at(i, j) + 0.3*fineNoise.at(i, j)
	}

	// Townships grow from their seats over the whole county.
	tSeeds := make([]int, len(src.townships))
	for k, t := range src.townships {
		s, err := g.nearestInside(r.cellAt(t.Seat), tSeeds[:k])
		if err != nil {
			return nil, fmt.Errorf("lantian: township %s: %w", t.Name, err)
		}
		tSeeds[k] = s
	}
	tLabel := r.grow(tSeeds, cost, func(c, _ int) bool { return r.inside[c] })

	// Villages grow from seeds inside their own township.
	townshipAt := map[string]int{}
	for k, t := range src.townships {
		townshipAt[t.Code] = k
	}
	g.townshipOf = make([]int, len(src.villages))
	for v, row := range src.villages {
		t, ok := townshipAt[row.Township]
		if !ok {
			return nil, fmt.Errorf("lantian: village %s: unknown township %s", row.Code, row.Township)
		}
		g.townshipOf[v] = t
	}
	g.seeds = g.placeVillageSeeds(tLabel, tSeeds)
	g.fine = r.grow(g.seeds, cost, func(c, v int) bool { return tLabel[c] == g.townshipOf[v] })
	for c, in := range r.inside {
		if in && g.fine[c] == outside {
			return nil, fmt.Errorf("lantian: cell %d was reached by no village", c)
		}
	}
	township := func(v int) int { return g.townshipOf[v] }
	county := func(int) int { return 0 }
	if err := r.removePinches(g.fine, []func(int) int{func(v int) int { return v }, township, county}); err != nil {
		return nil, err
	}

	// Stations own townships; a township shared by two stations is split
	// into two connected halves. Police grids group adjacent villages.
	adj := g.adjacency()
	if err := g.assignStations(adj); err != nil {
		return nil, err
	}
	g.groupPolice(adj)
	policeLevel := func(v int) int { return g.policeOf[v] }
	station := func(v int) int { return g.stationOf[v] }
	levels := []func(int) int{func(v int) int { return v }, policeLevel, township, station, county}
	if err := r.removePinches(g.fine, levels); err != nil {
		return nil, err
	}
	counts := []int{len(src.villages), len(g.police), len(src.townships), len(src.stations), 1}
	for k, lv := range levels {
		if err := g.checkConnected(lv, counts[k]); err != nil {
			return nil, err
		}
	}

	topo := newTopology(r, g.fine, func(p orb.Point) orb.Point {
		return crs.GCJ02ToWGS84(orb.Point{r.x0 + p[0]/cellsPerDegree, r.y0 + p[1]/cellsPerDegree})
	})
	villageGeom, err := topo.regions(counts[0], levels[0])
	if err != nil {
		return nil, err
	}
	policeGeom, err := topo.regions(counts[1], policeLevel)
	if err != nil {
		return nil, err
	}
	townshipGeom, err := topo.regions(counts[2], township)
	if err != nil {
		return nil, err
	}
	countyGeom, err := topo.regions(1, county)
	if err != nil {
		return nil, err
	}
	if err := checkArcs(topo.arcs); err != nil {
		return nil, err
	}
	return g.assemble(seed, villageGeom, policeGeom, townshipGeom, countyGeom[0])
}

// nearestInside returns the inside cell nearest to c (c itself if inside)
// that is not already taken.
func (g *generator) nearestInside(c int, taken []int) (int, error) {
	r := g.r
	if c < 0 {
		return 0, fmt.Errorf("seat outside the raster")
	}
	seen := map[int]bool{c: true}
	queue := []int{c}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if r.inside[x] && !slices.Contains(taken, x) {
			return x, nil
		}
		r.neighbours4(x, func(n int) {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		})
	}
	return 0, fmt.Errorf("no free inside cell")
}

// placeVillageSeeds scatters one seed per village with Mitchell's best
// candidate sampling: urban communities (社区) near the township seat,
// villages over the whole township, each far from the seeds before it.
func (g *generator) placeVillageSeeds(tLabel, tSeeds []int) []int {
	r := g.r
	cellsOf := make([][]int, len(g.src.townships))
	for c, t := range tLabel {
		if t != outside && r.inside[c] {
			cellsOf[t] = append(cellsOf[t], c)
		}
	}
	dist2 := func(a, b int) float64 {
		di, dj := float64(a%r.w-b%r.w), float64(a/r.w-b/r.w)
		return di*di + dj*dj
	}
	seeds := make([]int, len(g.src.villages))
	placed := make([][]int, len(g.src.townships))
	place := func(v int, pool []int) {
		best, bestD := -1, -1.0
		for range 48 {
			c := pool[g.rng.IntN(len(pool))]
			d := math.Inf(1)
			for _, s := range placed[g.townshipOf[v]] {
				d = min(d, dist2(c, s))
			}
			if d > bestD {
				best, bestD = c, d
			}
		}
		seeds[v] = best
		placed[g.townshipOf[v]] = append(placed[g.townshipOf[v]], best)
	}
	for t, cells := range cellsOf {
		var urban, rural []int
		for v := range g.src.villages {
			if g.townshipOf[v] != t {
				continue
			}
			if strings.HasSuffix(g.src.villages[v].Name, "社区") {
				urban = append(urban, v)
			} else {
				rural = append(rural, v)
			}
		}
		radius2 := math.Pow(5+3.5*math.Sqrt(float64(len(urban))), 2)
		var near []int
		for _, c := range cells {
			if dist2(c, tSeeds[t]) <= radius2 {
				near = append(near, c)
			}
		}
		if len(near) < 4*len(urban) {
			near = cells
		}
		for _, v := range urban {
			place(v, near)
		}
		for _, v := range rural {
			place(v, cells)
		}
	}
	return seeds
}

// adjacency counts the cell edges each pair of villages shares.
func (g *generator) adjacency() []map[int]int {
	r := g.r
	adj := make([]map[int]int, len(g.src.villages))
	for v := range adj {
		adj[v] = map[int]int{}
	}
	for c, v := range g.fine {
		if v == outside {
			continue
		}
		i, j := c%r.w, c/r.w
		for _, n := range [2]int{c + 1, c + r.w} {
			if (n == c+1 && i+1 >= r.w) || (n == c+r.w && j+1 >= r.h) {
				continue
			}
			if u := g.fine[n]; u != outside && u != v {
				adj[v][u]++
				adj[u][v]++
			}
		}
	}
	return adj
}

// checkConnected verifies that each of n regions of a labelling is
// non-empty and 4-connected.
func (g *generator) checkConnected(level func(int) int, n int) error {
	r := g.r
	lab := func(c int) int {
		if g.fine[c] == outside {
			return outside
		}
		return level(g.fine[c])
	}
	seen := make([]bool, len(g.fine))
	parts := make([]int, n)
	for c := range g.fine {
		l := lab(c)
		if l == outside || seen[c] {
			continue
		}
		parts[l]++
		seen[c] = true
		stack := []int{c}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			r.neighbours4(x, func(y int) {
				if !seen[y] && lab(y) == l {
					seen[y] = true
					stack = append(stack, y)
				}
			})
		}
	}
	for l, p := range parts {
		if p != 1 {
			return fmt.Errorf("lantian: region %d of a level has %d pieces, want 1", l, p)
		}
	}
	return nil
}
