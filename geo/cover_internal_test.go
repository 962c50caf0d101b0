package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// spiked returns two grids: a unit square at (100, 20) with a spike east
// whose tip is at tipX, and a square further east that fixes the extent, so
// the raster does not move with the tip. With transpose, x and y swap
// about (100, 20): the spike points north.
func spiked(tipX float64, transpose bool) *Dataset {
	t := func(r orb.Ring) orb.MultiPolygon {
		if transpose {
			for k := range r {
				r[k] = orb.Point{r[k][1] - 20 + 100, r[k][0] - 100 + 20}
			}
		}
		return orb.MultiPolygon{{r}}
	}
	return &Dataset{
		Stations: []Station{{ID: "s", Region: Plain}},
		Grids: []Grid{
			{ID: "A", Level: PoliceLevel, StationID: "s", Geometry: t(orb.Ring{{100, 20}, {101, 20}, {101, 20.45}, {tipX, 20.5}, {101, 20.55}, {101, 21}, {100, 21}, {100, 20}})},
			{ID: "B", Level: PoliceLevel, StationID: "s", Geometry: t(orb.Ring{{103, 20}, {104, 20}, {104, 21}, {103, 21}, {103, 20}})},
		},
	}
}

// TestCoverMarginReachesAcrossCellLines: a point a fraction of the on-edge
// tolerance beyond a raster line, with a grid's vertex as far before the
// line, is on that grid's edge by the outline rule; its cell lies past
// every edge, so only the cover's margin makes it a border cell of the
// grid. Without the margin the cover would answer "no grid" there.
func TestCoverMarginReachesAcrossCellLines(t *testing.T) {
	for _, transpose := range []bool{false, true} {
		ix, err := NewIndex(spiked(102, transpose))
		if err != nil {
			t.Fatal(err)
		}
		c := ix.cover
		var line, tip float64
		var p orb.Point
		if transpose { // a row line between the squares
			line = c.minY + math.Ceil((21.5-c.minY)*c.scaleY)/c.scaleY
			tol := onEdgeTolerance(100.5, line)
			tip, p = line+80-tol/4, orb.Point{100.5, line + tol/4}
		} else { // a column line
			line = c.minX + math.Ceil((101.5-c.minX)*c.scaleX)/c.scaleX
			tol := onEdgeTolerance(line, 20.5)
			tip, p = line-tol/4, orb.Point{line + tol/4, 20.5}
		}
		ix, err = NewIndex(spiked(tip, transpose))
		if err != nil {
			t.Fatal(err)
		}
		if ix.cover.minX != c.minX || ix.cover.minY != c.minY || ix.cover.nx != c.nx || ix.cover.ny != c.ny {
			t.Fatal("the raster moved with the spike's tip")
		}
		want := ix.LookupExact(p)
		if want.Police == nil || want.Police.ID != "A" {
			t.Fatalf("transpose %v: the exact path gives %v to %+v, want A by the outline rule", transpose, p, want.Police)
		}
		if got := ix.Lookup(p); got != want {
			t.Errorf("transpose %v: Lookup(%v) = %+v, want grid A", transpose, p, got.Police)
		}
	}
}

// TestCoverOfUnboundedCoordinates: a grid with an infinite or NaN vertex
// gets no raster, and lookups take the exact path instead of panicking.
func TestCoverOfUnboundedCoordinates(t *testing.T) {
	for _, bad := range []float64{math.Inf(1), math.NaN()} {
		ds := spiked(102, false)
		ds.Grids[1].Geometry[0][0][2][0] = bad
		ix, err := NewIndex(ds)
		if err != nil {
			continue // refused by the dataset check: nothing to cover
		}
		if len(ix.cover.cells) != 0 {
			t.Errorf("vertex %v: a raster of %d cells", bad, len(ix.cover.cells))
		}
		p := orb.Point{100.5, 20.5}
		if got, want := ix.Lookup(p), ix.LookupExact(p); got != want {
			t.Errorf("vertex %v: Lookup(%v) = %+v, exact path %+v", bad, p, got, want)
		}
	}
}
