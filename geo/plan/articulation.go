package plan

// cutFinder marks articulation points (Tarjan) of the subgraph a station's
// police grids induce in the adjacency graph: the grids whose removal would
// split the station's area. Its scratch space is reused between calls, so
// finding the cut grids of a station costs time in the station's size only
// and allocates nothing once warm.
type cutFinder struct {
	adj    [][]neighbor
	disc   []int32 // discovery time, 0 = not yet seen in this run
	low    []int32
	parent []int32
	frames []frame
}

type frame struct {
	u    int32
	next int32 // the next neighbour of u to look at
}

func newCutFinder(adj [][]neighbor) *cutFinder {
	n := len(adj)
	return &cutFinder{adj: adj, disc: make([]int32, n), low: make([]int32, n), parent: make([]int32, n)}
}

// mark sets cut[u] for every u in members (the units of station st under
// station) that is an articulation point of the station's subgraph, and
// clears it for the others. A station in several pieces is handled piece
// by piece.
func (c *cutFinder) mark(members []int32, station []int32, st int32, cut []bool) {
	for _, u := range members {
		c.disc[u] = 0
		cut[u] = false
	}
	var timer int32
	for _, root := range members {
		if c.disc[root] != 0 {
			continue
		}
		timer++
		c.disc[root], c.low[root], c.parent[root] = timer, timer, -1
		c.frames = append(c.frames[:0], frame{u: root})
		rootChildren := 0
		for len(c.frames) > 0 {
			f := &c.frames[len(c.frames)-1]
			u := f.u
			if int(f.next) < len(c.adj[u]) {
				v := c.adj[u][f.next].unit
				f.next++
				if station[v] != st {
					continue
				}
				if c.disc[v] == 0 {
					timer++
					c.disc[v], c.low[v], c.parent[v] = timer, timer, u
					if u == root {
						rootChildren++
					}
					c.frames = append(c.frames, frame{u: v})
				} else if v != c.parent[u] {
					c.low[u] = min(c.low[u], c.disc[v])
				}
				continue
			}
			c.frames = c.frames[:len(c.frames)-1]
			if p := c.parent[u]; p >= 0 {
				c.low[p] = min(c.low[p], c.low[u])
				if p != root && c.low[u] >= c.disc[p] {
					cut[p] = true
				}
			}
		}
		cut[root] = rootChildren > 1
	}
}
