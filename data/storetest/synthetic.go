package storetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// Partition describes a synthetic dataset built by Synthetic: a lattice of
// Cols×Rows community grids grouped 2×2 into police grids, over a box near
// Lantian County. Neighbouring grids share identical edges, so the grids
// partition the county outline exactly, with no gaps or overlaps.
type Partition struct {
	Cols, Rows int    // community grids across and down; both even and at least 2
	Stations   int    // stations, each holding a band of columns; 1 when 0
	Seed       uint64 // the lattice jitter; the same seed gives the same dataset
}

// Origin and cell size of synthetic partitions (degrees, WGS-84).
const (
	originLon  = 109.1
	originLat  = 33.9
	cellWidth  = 0.01
	cellHeight = 0.008
	// yStep quantises the vertical jitter, so an edge between two lattice
	// vertices is either exactly horizontal or clearly slanted.
	yStep = cellHeight / 50
)

// round7 rounds to the 7 decimals of the dataset file format, so a
// synthetic dataset survives a file round trip bit for bit.
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// Lattice returns the vertex lattice of the partition: xs[i] is the x of
// vertical lattice line i (lines are straight, so a point with x == xs[i]
// lies exactly on a shared edge), ys[i][j] the y of vertex (i, j).
func (p Partition) Lattice() (xs []float64, ys [][]float64) {
	r := rand.New(rand.NewPCG(p.Seed, 0x6a696e67))
	xs = make([]float64, p.Cols+1)
	for i := range xs {
		x := originLon + float64(i)*cellWidth
		if i > 0 && i < p.Cols {
			x += (r.Float64() - 0.5) * 0.4 * cellWidth
		}
		xs[i] = round7(x)
	}
	ys = make([][]float64, p.Cols+1)
	for i := range ys {
		ys[i] = make([]float64, p.Rows+1)
		for j := range ys[i] {
			y := originLat + float64(j)*cellHeight
			if i > 0 && i < p.Cols && j > 0 && j < p.Rows {
				y += float64(r.IntN(21)-10) * yStep
			}
			ys[i][j] = round7(y)
		}
	}
	return xs, ys
}

// Bound is the box the partition covers.
func (p Partition) Bound() orb.Bound {
	return orb.Bound{
		Min: orb.Point{originLon, originLat},
		Max: orb.Point{round7(originLon + float64(p.Cols)*cellWidth), round7(originLat + float64(p.Rows)*cellHeight)},
	}
}

// Synthetic builds the dataset p describes: stations, townships, the county
// outline, police and community grids and one member per police grid.
// Grid codes are "P<col>-<row>" and "C<col>-<row>".
func Synthetic(p Partition) *geo.Dataset {
	if p.Cols < 2 || p.Rows < 2 || p.Cols%2 != 0 || p.Rows%2 != 0 {
		panic(fmt.Sprintf("storetest: partition %dx%d: want even sizes of at least 2", p.Cols, p.Rows))
	}
	nst := max(p.Stations, 1)
	xs, ys := p.Lattice()
	pt := func(i, j int) orb.Point { return orb.Point{xs[i], ys[i][j]} }
	b := p.Bound()
	ds := &geo.Dataset{
		Meta: geo.Meta{
			Name:        fmt.Sprintf("synthetic %dx%d", p.Cols, p.Rows),
			Description: "a synthetic partition for tests",
			Datum:       "wgs84",
			Synthetic:   []string{"everything"},
		},
		County: orb.MultiPolygon{{{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min}}},
	}
	stationOf := func(col int) string { return fmt.Sprintf("s%02d", col*nst/p.Cols+1) }
	for s := range nst {
		col := s * p.Cols / nst
		ds.Stations = append(ds.Stations, geo.Station{
			ID:       fmt.Sprintf("s%02d", s+1),
			Name:     fmt.Sprintf("第%d派出所", s+1),
			NameEN:   fmt.Sprintf("Station %d", s+1),
			Region:   geo.Terrains[s%len(geo.Terrains)],
			Brand:    "一所一品",
			Location: orb.Point{round7((xs[col] + xs[col+1]) / 2), round7((ys[col][0] + ys[col][1]) / 2)},
			Phone:    fmt.Sprintf("029-8280%04d", s),
		})
	}
	half := round7(originLon + float64(p.Cols/2)*cellWidth)
	ds.Townships = []geo.Township{
		{Code: "610122100", Name: "西镇", StationIDs: []string{"s01"}, Geometry: orb.MultiPolygon{{{b.Min, {half, b.Min[1]}, {half, b.Max[1]}, {b.Min[0], b.Max[1]}, b.Min}}}},
		{Code: "610122200", Name: "东镇", Geometry: orb.MultiPolygon{{{{half, b.Min[1]}, {b.Max[0], b.Min[1]}, b.Max, {half, b.Max[1]}, {half, b.Min[1]}}}}},
	}
	for pi := 0; pi < p.Cols; pi += 2 {
		for pj := 0; pj < p.Rows; pj += 2 {
			// The police ring walks the 3×3 vertex block's outline counter-clockwise.
			ring := orb.Ring{pt(pi, pj), pt(pi+1, pj), pt(pi+2, pj), pt(pi+2, pj+1), pt(pi+2, pj+2), pt(pi+1, pj+2), pt(pi, pj+2), pt(pi, pj+1), pt(pi, pj)}
			pid := fmt.Sprintf("P%d-%d", pi/2, pj/2)
			ds.Grids = append(ds.Grids, geo.Grid{ID: pid, Level: geo.PoliceLevel, Name: "警格 " + pid, StationID: stationOf(pi), Township: "610122100", Geometry: orb.MultiPolygon{{ring}}})
			for di := range 2 {
				for dj := range 2 {
					i, j := pi+di, pj+dj
					cid := fmt.Sprintf("C%d-%d", i, j)
					cell := orb.Ring{pt(i, j), pt(i+1, j), pt(i+1, j+1), pt(i, j+1), pt(i, j)}
					ds.Grids = append(ds.Grids, geo.Grid{ID: cid, Level: geo.CommunityLevel, Name: "网格 " + cid, StationID: stationOf(pi), ParentID: pid, Population: 100 + (i*7+j*13)%900, Geometry: orb.MultiPolygon{{cell}}})
				}
			}
			ds.Members = append(ds.Members, geo.Member{ID: "m-" + pid, Name: "民警 " + pid, Role: geo.CommunityOfficer, Phone: "13800000000", StationID: stationOf(pi), GridIDs: []string{pid, fmt.Sprintf("C%d-%d", pi, pj)}})
		}
	}
	return ds
}

// Small is the dataset most suite tests start from: 4×4 community grids,
// 4 police grids, 2 stations.
func Small() *geo.Dataset { return Synthetic(Partition{Cols: 4, Rows: 4, Stations: 2, Seed: 1}) }

// Changed returns a copy of ds (as from Small) with the first community
// grid renamed and the last community grid removed (with the member
// references to it), and which ids those are.
func Changed(ds *geo.Dataset) (out *geo.Dataset, renamed, removed string) {
	out = clone(ds)
	first, last := -1, -1
	for i, g := range out.Grids {
		if g.Level == geo.CommunityLevel {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	out.Grids[first].Name += " (renamed)"
	renamed, removed = out.Grids[first].ID, out.Grids[last].ID
	out.Grids = append(out.Grids[:last], out.Grids[last+1:]...)
	for i := range out.Members {
		kept := []string{}
		for _, id := range out.Members[i].GridIDs {
			if id != removed {
				kept = append(kept, id)
			}
		}
		out.Members[i].GridIDs = kept
	}
	return out, renamed, removed
}
