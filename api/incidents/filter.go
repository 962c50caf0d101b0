package incidents

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/api/locate"
	"jingge/data"
	"jingge/geo"
)

// FilterParams are the query parameters of an incident filter.
var FilterParams = []string{"from", "to", "category", "status", "station", "grid", "bbox", "polygon", "near", "radius_m", "crs"}

// BoundParser reads a bbox parameter (minLon,minLat,maxLon,maxLat) or
// says what is wrong with it; the API's, shared by every route with a
// bbox.
type BoundParser func(text string) (orb.Bound, *data.Param)

// ParseFilter reads the filter parameters of an incident query (see
// FilterParams) against the index of l; coordinates are converted from
// crs into the dataset's datum, times without an offset are read in the
// dataset's zone. It returns every bad parameter, in the order of
// FilterParams; a bad crs alone, since no coordinate can be read without
// it.
func (s *Service) ParseFilter(ctx context.Context, l *locate.Locator, p Params, bbox BoundParser) (data.IncidentFilter, []data.Param) {
	var f data.IncidentFilter
	crsText, crsGiven := p("crs")
	from, err := locate.ParseQueryCRS(crsText, crsGiven)
	if err != nil {
		return f, paramsOf(err)
	}
	bad := parseWindow(p, &f, l.Index().Location())
	bad = append(bad, s.ParseLists(ctx, l.Index(), p, &f)...)
	if text, ok := p("bbox"); ok {
		b, err := bbox(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			lo, hi := l.ToDatum(b.Min, from), l.ToDatum(b.Max, from)
			f.Bound = &orb.Bound{Min: lo, Max: hi}
		}
	}
	if text, ok := p("polygon"); ok {
		poly, err := parsePolygon(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			for i := range poly[0] {
				poly[0][i] = l.ToDatum(poly[0][i], from)
			}
			f.Within = orb.MultiPolygon{poly}
		}
	}
	nearText, hasNear := p("near")
	radiusText, hasRadius := p("radius_m")
	switch {
	case hasNear != hasRadius:
		bad = append(bad, data.Param{Name: "near", Reason: "near (lon,lat) and radius_m (metres) go together; give both or neither"})
	case hasNear:
		c, err := parseNear(nearText, radiusText)
		if err != nil {
			bad = append(bad, *err)
		} else {
			c.Center = l.ToDatum(c.Center, from)
			f.Near = &c
		}
	}
	return f, bad
}

// parseWindow reads the from and to of an incident query into f.
func parseWindow(p Params, f *data.IncidentFilter, loc *time.Location) []data.Param {
	var bad []data.Param
	if text, ok := p("from"); ok {
		t, err := intake.ParseWindowTime("from", text, intake.WindowStart, loc)
		if err != nil {
			bad = append(bad, *err)
		}
		f.From = t
	}
	if text, ok := p("to"); ok {
		t, err := intake.ParseWindowTime("to", text, intake.WindowEnd, loc)
		if err != nil {
			bad = append(bad, *err)
		}
		f.To = t
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad = append(bad, data.Param{Name: "to", Reason: fmt.Sprintf("to (%s) must be after from (%s)", f.To.In(loc).Format(time.RFC3339Nano), f.From.In(loc).Format(time.RFC3339Nano))})
	}
	return bad
}

// ParseLists reads the category, status, station and grid lists of an
// incident query into f; stations must exist in ix, grids in ix or in
// the grid history (a grid may be retired).
func (s *Service) ParseLists(ctx context.Context, ix *geo.Index, p Params, f *data.IncidentFilter) []data.Param {
	var bad []data.Param
	for _, c := range p.List("category") {
		cat, err := intake.ParseCategory(c)
		if err != nil {
			bad = append(bad, data.Param{Name: "category", Reason: "category " + err.Error()})
		}
		f.Categories = append(f.Categories, cat)
	}
	for _, st := range p.List("status") {
		if !intake.ValidStatus(geo.IncidentStatus(st)) {
			bad = append(bad, data.Param{Name: "status", Reason: fmt.Sprintf("status must be reported, dispatched, on_scene or closed, got %q", intake.Clip([]byte(st)))})
		}
		f.Statuses = append(f.Statuses, geo.IncidentStatus(st))
	}
	for _, id := range p.List("station") {
		if _, ok := ix.Station(id); !ok {
			bad = append(bad, data.Param{Name: "station", Reason: fmt.Sprintf("no station %q; GET /api/v1/stations lists them", intake.Clip([]byte(id)))})
		}
		f.Stations = append(f.Stations, id)
	}
	for _, id := range p.List("grid") {
		if _, ok := ix.Grid(id); !ok && !s.gridEverExisted(ctx, id) {
			bad = append(bad, data.Param{Name: "grid", Reason: fmt.Sprintf("no grid %q has ever been in force; GET /api/v1/grids lists them", intake.Clip([]byte(id)))})
		}
		f.Grids = append(f.Grids, id)
	}
	return bad
}
