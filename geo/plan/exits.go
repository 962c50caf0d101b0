package plan

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Exit is a place where a road may leave the county: what the checkpoint
// circle (动态治安查控圈) must cover.
type Exit struct {
	ID       string    `json:"id"`
	Location orb.Point `json:"-"` // dataset datum
	// MinutesPerKm is the travel model's minutes per straight-line km to
	// reach the exit: the road speed of the grid it lies in.
	MinutesPerKm float64 `json:"minutes_per_km"`
	// StationID is the station whose grid holds the exit (or, off the
	// grids, whose grid's centroid is nearest); empty when not placed.
	StationID string `json:"station"`
}

// DefaultExitSpacingKm is the spacing of candidate exits along the
// outline when none is asked for.
const DefaultExitSpacingKm = 5.0

// OutlineExits places candidate exits every spacingKm along the outer
// rings of outline, the first half a spacing from each ring's first
// vertex, so a ring shorter than the spacing still has one. Without road
// data this is an approximation: every road that leaves the county
// crosses the outline within spacingKm/2 of a candidate. Ids are
// "exit-01", "exit-02", … in ring order.
func OutlineExits(outline orb.MultiPolygon, spacingKm float64) ([]Exit, error) {
	if !(spacingKm > 0) || math.IsInf(spacingKm, 0) {
		return nil, invalid("exits: spacing_km must be a positive number of kilometres, got %v", spacingKm)
	}
	var out []Exit
	for _, poly := range outline {
		if len(poly) == 0 || len(poly[0]) < 2 {
			continue
		}
		ring := poly[0]
		next := spacingKm / 2 // km along the ring of the next exit
		walked := 0.0
		for i := 1; i < len(ring); i++ {
			a, b := ring[i-1], ring[i]
			seg := segmentKm(a, b)
			for seg > 0 && next <= walked+seg {
				f := (next - walked) / seg
				out = append(out, Exit{Location: orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}})
				next += spacingKm
			}
			walked += seg
		}
		if walked > 0 && walked < spacingKm/2 { // a ring shorter than half a spacing
			out = append(out, Exit{Location: ring[0]})
		}
	}
	for i := range out {
		out[i].ID = fmt.Sprintf("exit-%02d", i+1)
	}
	return out, nil
}

// CountyExits returns the candidate exits along the dataset's county
// outline (OutlineExits), each with the road speed of the grid it lies in
// under the model's travel settings.
func (m *Model) CountyExits(spacingKm float64) ([]Exit, error) {
	county := m.ix.Dataset().County
	if len(county) == 0 {
		return nil, invalid("exits: the dataset has no county outline to place exits on")
	}
	exits, err := OutlineExits(county, spacingKm)
	if err != nil {
		return nil, err
	}
	for i := range exits {
		exits[i].MinutesPerKm, exits[i].StationID = m.TravelAt(exits[i].Location)
	}
	return exits, nil
}

// TravelAt is the travel model's minutes per straight-line km at pt and
// the station holding pt: the road speed and station of the grid holding
// it, else (a point on or outside the outline) those of the finest grid
// whose centroid is nearest.
func (m *Model) TravelAt(pt orb.Point) (float64, string) {
	h := m.ix.Lookup(pt)
	if h.Police != nil {
		return m.minutesPerKm(h.Terrain()), h.Police.StationID
	}
	if h.Community != nil {
		return m.minutesPerKm(h.Terrain()), h.Community.StationID
	}
	best, bd := -1, math.Inf(1)
	lon, lat := rad(pt[0]), rad(pt[1])
	for i, lf := range m.leaves {
		if d := distanceKm(lon, lat, lf.lon, lf.lat); d < bd {
			best, bd = i, d
		}
	}
	lf := m.leaves[best]
	return lf.minutesPerK, m.units[lf.unit].StationID
}

// LeafSites returns the area centroid of every finest grid as a candidate
// checkpoint site, with the grid's id, in dataset order.
func (m *Model) LeafSites() []Origin {
	out := make([]Origin, len(m.leaves))
	for i, lf := range m.leaves {
		c, _ := planar.CentroidArea(lf.grid.Geometry)
		out[i] = Origin{ID: lf.grid.ID, Kind: "grid", Location: c}
	}
	return out
}
