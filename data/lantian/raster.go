package lantian

import (
	"container/heap"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// cellsPerDegree is the generator's raster resolution. The reference outline
// is quantised to 1/1024 degree, so a raster on the same lattice reproduces
// it exactly before smoothing.
const cellsPerDegree = 1024

// outside labels cells that are not in the county.
const outside = -1

// raster is a lattice of square cells over the county's bounding box. Cell
// (i, j) covers [x0+i/k, x0+(i+1)/k] x [y0+j/k, y0+(j+1)/k] with k =
// cellsPerDegree, in the source datum.
type raster struct {
	x0, y0 float64
	w, h   int
	inside []bool
}

func newRaster(county orb.MultiPolygon) *raster {
	b := county.Bound()
	x0 := math.Floor(b.Min[0]*cellsPerDegree)/cellsPerDegree - 1.0/cellsPerDegree
	y0 := math.Floor(b.Min[1]*cellsPerDegree)/cellsPerDegree - 1.0/cellsPerDegree
	w := int(math.Ceil((b.Max[0]-x0)*cellsPerDegree)) + 2
	h := int(math.Ceil((b.Max[1]-y0)*cellsPerDegree)) + 2
	r := &raster{x0: x0, y0: y0, w: w, h: h, inside: make([]bool, w*h)}
	p := geo.Prepare(county)
	for j := 0; j < h; j++ {
		for i := 0; i < w; i++ {
			r.inside[j*w+i] = p.Contains(r.center(j*w + i))
		}
	}
	r.keepLargestComponent()
	return r
}

func (r *raster) center(c int) orb.Point {
	i, j := c%r.w, c/r.w
	return orb.Point{r.x0 + (float64(i)+0.5)/cellsPerDegree, r.y0 + (float64(j)+0.5)/cellsPerDegree}
}

func (r *raster) cellAt(p orb.Point) int {
	i := int(math.Floor((p[0] - r.x0) * cellsPerDegree))
	j := int(math.Floor((p[1] - r.y0) * cellsPerDegree))
	if i < 0 || j < 0 || i >= r.w || j >= r.h {
		return -1
	}
	return j*r.w + i
}

// neighbours4 calls fn for each 4-neighbour of c inside the lattice.
func (r *raster) neighbours4(c int, fn func(n int)) {
	i, j := c%r.w, c/r.w
	if i > 0 {
		fn(c - 1)
	}
	if i+1 < r.w {
		fn(c + 1)
	}
	if j > 0 {
		fn(c - r.w)
	}
	if j+1 < r.h {
		fn(c + r.w)
	}
}

// keepLargestComponent drops inside cells not 4-connected to the largest
// group, so the county is one polygon.
func (r *raster) keepLargestComponent() {
	comp := make([]int, len(r.inside))
	for c := range comp {
		comp[c] = -1
	}
	best, bestSize, n := -1, 0, 0
	for c := range r.inside {
		if !r.inside[c] || comp[c] >= 0 {
			continue
		}
		size := 0
		stack := []int{c}
		comp[c] = n
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			size++
			r.neighbours4(x, func(y int) {
				if r.inside[y] && comp[y] < 0 {
					comp[y] = n
					stack = append(stack, y)
				}
			})
		}
		if size > bestSize {
			best, bestSize = n, size
		}
		n++
	}
	for c := range r.inside {
		r.inside[c] = r.inside[c] && comp[c] == best
	}
}

// noiseField is smooth value noise in [0, 1): random values on a coarse
// lattice, bilinearly interpolated, so region borders wander organically
// instead of following straight Voronoi lines.
type noiseField struct {
	step   int
	nx, ny int
	v      []float64
}

func newNoise(rng *rand.Rand, w, h, step int) *noiseField {
	nx, ny := w/step+2, h/step+2
	f := &noiseField{step: step, nx: nx, ny: ny, v: make([]float64, nx*ny)}
	for k := range f.v {
		f.v[k] = rng.Float64()
	}
	return f
}

func (f *noiseField) at(i, j int) float64 {
	gx, gy := i/f.step, j/f.step
	tx := float64(i%f.step) / float64(f.step)
	ty := float64(j%f.step) / float64(f.step)
	a := f.v[gy*f.nx+gx]*(1-tx) + f.v[gy*f.nx+gx+1]*tx
	b := f.v[(gy+1)*f.nx+gx]*(1-tx) + f.v[(gy+1)*f.nx+gx+1]*tx
	return a*(1-ty) + b*ty
}

type queued struct {
	cell int
	dist float64
}

type cellHeap []queued

func (h cellHeap) Len() int { return len(h) }
func (h cellHeap) Less(a, b int) bool {
	if h[a].dist != h[b].dist {
		return h[a].dist < h[b].dist
	}
	return h[a].cell < h[b].cell
}
func (h cellHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *cellHeap) Push(x any)   { *h = append(*h, x.(queued)) }
func (h *cellHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// grow labels cells by multi-source Dijkstra from seeds (seed k gets label
// k; label k may take cell c only where allowed(c, k)). Each label's cells form one 4-connected
// region, because every cell is reached through a neighbour of its own
// label. Cells not reached keep outside.
func (r *raster) grow(seeds []int, cost func(c int) float64, allowed func(c, label int) bool) []int {
	label := make([]int, len(r.inside))
	dist := make([]float64, len(r.inside))
	for c := range label {
		label[c] = outside
		dist[c] = math.Inf(1)
	}
	h := &cellHeap{}
	for k, s := range seeds {
		label[s] = k
		dist[s] = 0
		heap.Push(h, queued{s, 0})
	}
	for h.Len() > 0 {
		q := heap.Pop(h).(queued)
		if q.dist > dist[q.cell] {
			continue
		}
		k := label[q.cell]
		r.neighbours4(q.cell, func(n int) {
			if !allowed(n, k) {
				return
			}
			d := q.dist + cost(n)
			if d < dist[n] || (d == dist[n] && k < label[n]) {
				dist[n] = d
				label[n] = k
				heap.Push(h, queued{n, d})
			}
		})
	}
	return label
}
