package locate

import (
	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// Lookup answers one point lookup against the index: pt is in coordinate
// system from and must be in range (see intake.ParseCoordinates). A
// point outside every grid is an *OutsideError. Without fullGrids the
// grids carry their ids alone, for answers that select no more
// (fields=ids), so the members a compact answer leaves out are never
// gathered. Phone numbers are as stored; see Response.MaskPhones.
func (l *Locator) Lookup(pt orb.Point, from crs.CRS, fullGrids bool) (*Response, error) {
	at := l.ToDatum(pt, from)
	hit := l.ix.Lookup(at)
	if !hit.Found() {
		return nil, l.outside(pt, from, at)
	}
	resp := &Response{
		Query: Query{Lon: pt[0], Lat: pt[1], CRS: string(from)},
		Point: DatumPoint{Lon: at[0], Lat: at[1], Datum: l.datumName},
	}
	grid := l.grid
	if !fullGrids {
		grid = func(g *geo.Grid) *Grid { return &Grid{ID: g.ID} }
	}
	if hit.Community != nil {
		resp.CommunityGrid = grid(hit.Community)
	}
	if hit.Police != nil {
		resp.PoliceGrid = grid(hit.Police)
	}
	if st := hit.Station; st != nil {
		resp.Station = NewStationRef(st)
		if r, ok := st.Region.Region(); ok {
			resp.Region = &r
		}
	}
	return resp, nil
}

// Lookup answers one point lookup against ix as Locator.Lookup does, with
// the grids in full.
func Lookup(ix *geo.Index, pt orb.Point, from crs.CRS) (*Response, error) {
	l, err := New(ix)
	if err != nil {
		return nil, err
	}
	return l.Lookup(pt, from, true)
}

func (l *Locator) grid(g *geo.Grid) *Grid {
	return &Grid{
		ID: g.ID, Name: g.Name, Level: g.Level, Township: g.Township, TownshipName: l.townships[g.Township],
		Population: g.Population, Terrain: l.ix.GridTerrain(g), Members: MemberInfos(l.ix.Members(g.ID)),
	}
}
