package ogc

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
	"jingge/data"
	"jingge/geo"
	"jingge/tiles"
)

// Query reads one query parameter of a request: its value and whether it
// was given. The server has already refused parameters a route does not
// list and parameters given twice.
type Query func(name string) (string, bool)

// Source is what the OGC routes read, as the REST API reads it.
type Source interface {
	// Current returns the dataset in force, or a 503 problem before one
	// is loaded.
	Current() (Dataset, error)
	// HasHistory reports whether the server keeps the grid history, which
	// datetime= of the grids needs.
	HasHistory() bool
	// At returns the grids in force at t, from the grid history.
	At(ctx context.Context, t time.Time) (Dataset, error)
	// Areas returns the dissolved areas of kind (Regions, Townships) of
	// the tiles in force, or a 503 problem before there are any.
	Areas(kind string) ([]tiles.Area, error)
	// Incidents returns the incident store, or the problem of a server
	// that keeps no incidents.
	Incidents() (data.IncidentStore, error)
	// IncidentsReadable reports whether the caller of ctx may read the
	// incidents, so /collections lists them only to those it admits.
	IncidentsReadable(ctx context.Context) bool
}

// Dataset is one index as the REST API answers from it. Features are in
// WGS-84 and masked for the caller as the REST API masks them.
type Dataset interface {
	// Index is the index the dataset was derived from.
	Index() *geo.Index
	// Bounds are the bounds of every grid in WGS-84; false without grids.
	Bounds() (orb.Bound, bool)
	// FromWGS84 converts p from WGS-84 into the dataset's datum.
	FromWGS84(p orb.Point) orb.Point
	// GridFeature is g as GET /api/v1/grids lists it.
	GridFeature(g *geo.Grid) httpx.Feature[any]
	// StationPoint is the station building in WGS-84, nil when unplaced;
	// StationProperties its properties as GET /api/v1/stations lists them.
	StationPoint(st *geo.Station) orb.Geometry
	StationProperties(st *geo.Station) any
	// StationIDs names the stations for a refusal ("one of a, b").
	StationIDs() string
	// IncidentFeature is inc as GET /api/v1/incidents/{id} answers the
	// caller of ctx.
	IncidentFeature(ctx context.Context, inc *geo.Incident) httpx.Feature[any]
	// IncidentFilter reads the category, status and station lists of r's
	// query into f, as GET /api/v1/incidents reads them.
	IncidentFilter(r *http.Request, f *data.IncidentFilter) []httpx.InvalidParam
}

// Config configures a Service. Every field is required but Logger.
type Config struct {
	Source Source
	// Logger receives the errors of writing answers; nil discards them.
	Logger *slog.Logger
	// BaseURL is the scheme and host the client reached the server at;
	// links are absolute so a client may follow them from anywhere.
	BaseURL func(r *http.Request) string
	// ParseBBox reads bbox= (minLon,minLat,maxLon,maxLat in WGS-84) as the
	// REST API reads it.
	ParseBBox func(text string) (orb.Bound, *httpx.InvalidParam)
	// ParseTime reads one end of datetime= as the REST API reads from= and
	// to= (end set for the end of an interval).
	ParseTime TimeParser
}

// TimeParser reads the parameter name's text as a time or a date in loc;
// with end set a date means the end of that day.
type TimeParser func(name, text string, end bool, loc *time.Location) (time.Time, *httpx.InvalidParam)

// Service answers the OGC routes. It keeps no per-request state.
type Service struct{ cfg Config }

// New returns the service of cfg.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg}
}

// base is the absolute URL of the OGC root as the client reached it.
func (s *Service) base(r *http.Request) string { return s.cfg.BaseURL(r) + Root }
