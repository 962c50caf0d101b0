package api

import (
	"context"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"net/url"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/ogc"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
	"jingge/tiles"
)

// OGC API – Features (package api/ogc) is served as a second face of the
// same data: this file hands it the REST handlers' own features, filters
// and masking over the view in force. The routes' roles are declared in
// the route table like every other route's.

// ogcRoot is the root of the OGC routes.
const ogcRoot = ogc.Root

// newOGC returns the OGC service of s.
func newOGC(s *Server) *ogc.Service {
	return ogc.New(ogc.Config{Source: ogcSource{s}, Logger: s.logger, BaseURL: baseURL, ParseBBox: parseBBox, ParseTime: parseTimeParam})
}

// ogcRoute adapts a route of package ogc to the route table.
func ogcRoute(h func(http.ResponseWriter, *http.Request, ogc.Query) error) func(http.ResponseWriter, *http.Request, query) error {
	return func(w http.ResponseWriter, r *http.Request, q query) error { return h(w, r, q.lookup) }
}

// ogcSource is what the OGC routes read from s.
type ogcSource struct{ s *Server }

func (o ogcSource) Current() (ogc.Dataset, error) {
	v, err := o.s.current()
	if err != nil {
		return nil, err
	}
	return ogcView{o.s, v}, nil
}

func (o ogcSource) HasHistory() bool { return o.s.inc.timeline != nil }

// At is the view of the grids in force at t, from the grid history.
func (o ogcSource) At(ctx context.Context, t time.Time) (ogc.Dataset, error) {
	ds, err := o.s.inc.timeline.SnapshotAt(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("api: the grids at %s: %w", t.Format(time.RFC3339), err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, fmt.Errorf("api: the grids at %s: %w", t.Format(time.RFC3339), err)
	}
	v, err := newView(ix)
	if err != nil {
		return nil, err
	}
	return ogcView{o.s, v}, nil
}

func (o ogcSource) Areas(kind string) ([]tiles.Area, error) {
	if err := o.s.tilesReady(); err != nil {
		return nil, err
	}
	src := o.s.tiles.Source()
	if src == nil {
		return nil, &httpx.Problem{Kind: data.ErrUnavailable, Detail: "no dataset is loaded yet; retry shortly", RetryAfterSeconds: o.s.retryAfterSeconds}
	}
	areas, _ := src.Areas(kind)
	return areas, nil
}

func (o ogcSource) Incidents() (data.IncidentStore, error) {
	if o.s.inc.store == nil {
		return nil, incidentsOff()
	}
	return o.s.inc.store, nil
}

func (o ogcSource) IncidentsReadable(ctx context.Context) bool {
	return callerAdmitted(ctx, o.s.ogcIncidentAccess)
}

// ogcView is a view as package ogc reads it.
type ogcView struct {
	s *Server
	v *view
}

func (d ogcView) Index() *geo.Index { return d.v.ix }

func (d ogcView) Bounds() (orb.Bound, bool) {
	return orb.Bound{Min: d.v.toWGS84(d.v.bounds.Min), Max: d.v.toWGS84(d.v.bounds.Max)}, d.v.hasGrids
}

func (d ogcView) FromWGS84(p orb.Point) orb.Point { return d.v.toDatum(p, crs.WGS84) }

func (d ogcView) GridFeature(g *geo.Grid) httpx.Feature[any] {
	f := d.v.gridFeature(g)
	return httpx.Feature[any]{Type: f.Type, ID: f.ID, Geometry: f.Geometry, Properties: f.Properties}
}

func (d ogcView) StationPoint(st *geo.Station) orb.Geometry { return d.v.stationPoint(st) }

func (d ogcView) StationProperties(st *geo.Station) any { return d.v.stationProperties(st) }

func (d ogcView) StationIDs() string { return stationIDs(d.v.ix) }

func (d ogcView) IncidentFeature(ctx context.Context, inc *geo.Incident) httpx.Feature[any] {
	f := d.v.incidentFeature(ctx, inc)
	return httpx.Feature[any]{Type: f.Type, ID: f.ID, Geometry: f.Geometry, Properties: f.Properties}
}

// IncidentFilter reads the lists as listIncidents does, from the query
// the route's endpoint has already checked.
func (d ogcView) IncidentFilter(r *http.Request, f *data.IncidentFilter) []httpx.InvalidParam {
	values, _ := url.ParseQuery(r.URL.RawQuery)
	q := query{values: values, route: "ogcIncidentItems", onRead: d.s.onParamRead}
	return d.s.parseListFilters(r.Context(), q, d.v, f)
}
