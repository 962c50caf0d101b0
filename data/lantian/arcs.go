package lantian

import (
	"fmt"

	"github.com/paulmach/orb"

	"jingge/geo/topo"
)

// checkArcs proves the smoothed borders are still a planar partition: no
// segment of one arc meets a segment of another (or of itself) except where
// consecutive segments join and where arcs end at a shared junction.
func checkArcs(arcs map[[2]int][]orb.Point) error {
	lines := make([][]orb.Point, 0, len(arcs))
	for _, pts := range arcs {
		lines = append(lines, pts)
	}
	segs := topo.LinesOf(lines, false)
	// A closed arc (a loop with no junction) starts and ends at one point.
	for i := range segs {
		pts := lines[segs[i].Line]
		segs[i].Closed = pts[0] == pts[len(pts)-1]
	}
	if c := topo.Crossings(segs, true, 5); len(c) > 0 {
		return fmt.Errorf("lantian: %d or more pairs of border segments meet after smoothing, e.g. %s", len(c), c[0])
	}
	return nil
}
