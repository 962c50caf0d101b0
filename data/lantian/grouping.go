package lantian

import (
	"fmt"
	"slices"
)

// assignStations gives every village its station. A township listed with
// two stations (蓝关街道) is split between them into two connected halves,
// grown alternately from its westernmost and easternmost villages.
func (g *generator) assignStations(adj []map[int]int) error {
	stationAt := map[string]int{}
	for k, s := range g.src.stations {
		stationAt[s.Name] = k
	}
	g.stationOf = make([]int, len(g.src.villages))
	for t, row := range g.src.townships {
		var ids []int
		for _, name := range row.Stations {
			k, ok := stationAt[name]
			if !ok {
				return fmt.Errorf("lantian: township %s names unknown station %q", row.Name, name)
			}
			ids = append(ids, k)
		}
		var vs []int
		for v := range g.src.villages {
			if g.townshipOf[v] == t {
				vs = append(vs, v)
			}
		}
		switch len(ids) {
		case 1:
			for _, v := range vs {
				g.stationOf[v] = ids[0]
			}
		case 2:
			g.splitInTwo(vs, ids, adj)
		default:
			return fmt.Errorf("lantian: township %s has %d stations; the generator splits among one or two", row.Name, len(ids))
		}
	}
	return nil
}

func (g *generator) splitInTwo(vs, ids []int, adj []map[int]int) {
	x := func(v int) int { return g.seeds[v] % g.r.w }
	west := slices.MinFunc(vs, func(a, b int) int { return x(a) - x(b) })
	east := slices.MaxFunc(vs, func(a, b int) int { return x(a) - x(b) })
	side := map[int]int{west: 0, east: 1}
	size := [2]int{1, 1}
	for len(side) < len(vs) {
		small := 0
		if size[1] < size[0] {
			small = 1
		}
		grew := false
		for _, s := range []int{small, 1 - small} {
			member := func(u int) bool { s0, in := side[u]; return in && s0 == s }
			if v, ok := g.bestNeighbour(vs, adj, member, func(u int) bool { _, in := side[u]; return !in }); ok {
				side[v] = s
				size[s]++
				grew = true
				break
			}
		}
		if !grew {
			break
		}
	}
	for _, v := range vs {
		g.stationOf[v] = ids[side[v]]
	}
}

// bestNeighbour returns the free village of vs sharing the longest border
// with the villages selected by member; ties go to the lower code.
func (g *generator) bestNeighbour(vs []int, adj []map[int]int, member, free func(int) bool) (int, bool) {
	best, bestLen := -1, 0
	for _, v := range vs {
		if !free(v) {
			continue
		}
		l := 0
		for u, n := range adj[v] {
			if member(u) {
				l += n
			}
		}
		if l > bestLen {
			best, bestLen = v, l
		}
	}
	return best, best >= 0
}

// Police grid sizes, in villages.
const (
	minPoliceGrid = 2
	maxPoliceGrid = 6
)

// groupPolice groups the villages of each township-and-station into police
// grids of 2–6 adjacent villages: a group starts at the free village with
// the fewest free neighbours (so corners are not stranded) and grows along
// the longest shared borders; a village left alone joins its smallest
// neighbouring group.
func (g *generator) groupPolice(adj []map[int]int) {
	g.policeOf = make([]int, len(g.src.villages))
	for v := range g.policeOf {
		g.policeOf[v] = -1
	}
	for t := range g.src.townships {
		seq := 0
		for s := range g.src.stations {
			var unit []int
			for v := range g.src.villages {
				if g.townshipOf[v] == t && g.stationOf[v] == s {
					unit = append(unit, v)
				}
			}
			if len(unit) == 0 {
				continue
			}
			first := len(g.police)
			g.groupUnit(unit, adj)
			for k := first; k < len(g.police); k++ {
				seq++
				g.police[k].township, g.police[k].station, g.police[k].seq = t, s, seq
			}
		}
	}
}

func (g *generator) groupUnit(unit []int, adj []map[int]int) {
	inUnit := func(v int) bool { return slices.Contains(unit, v) }
	free := func(v int) bool { return inUnit(v) && g.policeOf[v] < 0 }
	freeNeighbours := func(v int) int {
		n := 0
		for u := range adj[v] {
			if free(u) {
				n++
			}
		}
		return n
	}
	first := len(g.police)
	for {
		start := -1
		for _, v := range unit {
			if free(v) && (start < 0 || freeNeighbours(v) < freeNeighbours(start)) {
				start = v
			}
		}
		if start < 0 {
			break
		}
		id := len(g.police)
		target := 3 + g.rng.IntN(3)
		group := policeGroup{villages: []int{start}}
		g.policeOf[start] = id
		for len(group.villages) < target {
			v, ok := g.bestNeighbour(unit, adj, func(u int) bool { return g.policeOf[u] == id }, free)
			if !ok {
				break
			}
			g.policeOf[v] = id
			group.villages = append(group.villages, v)
		}
		g.police = append(g.police, group)
	}
	g.foldSmallGroups(first, inUnit, adj)
	g.renumberGroups(first)
}

// foldSmallGroups folds the groups from first on that are smaller than
// minPoliceGrid into their smallest neighbour in the unit.
func (g *generator) foldSmallGroups(first int, inUnit func(int) bool, adj []map[int]int) {
	for k := first; k < len(g.police); k++ {
		if len(g.police[k].villages) >= minPoliceGrid {
			continue
		}
		best := -1
		for _, v := range g.police[k].villages {
			for u := range adj[v] {
				p := g.policeOf[u]
				if !inUnit(u) || p == k {
					continue
				}
				if best < 0 || len(g.police[p].villages) < len(g.police[best].villages) ||
					(len(g.police[p].villages) == len(g.police[best].villages) && p < best) { // ties: map order must not decide
					best = p
				}
			}
		}
		if best < 0 {
			continue
		}
		for _, v := range g.police[k].villages {
			g.policeOf[v] = best
		}
		g.police[best].villages = append(g.police[best].villages, g.police[k].villages...)
		g.police[k].villages = nil
	}
}

// renumberGroups drops the groups from first on that folding emptied and
// numbers the rest again.
func (g *generator) renumberGroups(first int) {
	kept := g.police[:first]
	for _, p := range g.police[first:] {
		if len(p.villages) == 0 {
			continue
		}
		slices.Sort(p.villages)
		for _, v := range p.villages {
			g.policeOf[v] = len(kept)
		}
		kept = append(kept, p)
	}
	g.police = kept
}
