// Package api is jingge's HTTP adapter: the route table of /api/v1, the
// tiles, OGC API – Features and the pages, each route declaring its
// roles, audit and cache policy (access.go), and thin handlers. A handler
// decodes the request, calls an application package (api/locate,
// api/incidents, api/records, api/overlays, api/patrolling,
// api/planning, api/prevention, api/pack), masks what the caller's role
// may not read in full (api/mask) and encodes the answer. Route families
// with their own encoding are adapters it mounts (api/authhttp,
// api/pages, api/ogc, api/overlayroutes, api/telemetry, api/meta), all
// built on the shared toolkit api/httpx, where errors become RFC 9457
// problems through one table. The OpenAPI 3.1 description served at
// /api/v1/openapi.json is checked against the route table.
//
// It imports data, geo, tiles and the packages below it, never cmd; none
// of those imports api. The server reads the index in force from a
// geo.Live on every request and never locks; the store follower
// (data/follow) swaps the index under it.
package api

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"jingge/api/httpx"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"jingge/api/auth"
	"jingge/api/meta"
	"jingge/api/ogc"
	"jingge/api/overlayroutes"
	"jingge/api/overlays"
	"jingge/api/pages"
	"jingge/api/patrolling"
	"jingge/api/planning"
	"jingge/api/prevention"
	"jingge/api/records"
	"jingge/data"
	"jingge/geo"
	"jingge/tiles"
)

// Defaults for the zero fields of Config.
const (
	DefaultMaxBatchPoints = 10000
	DefaultMaxBodyBytes   = 8 << 20
	DefaultRetryAfter     = meta.DefaultRetryAfter
)

// Config configures a Server. Zero fields take the defaults above.
type Config struct {
	// Index holds the index to serve. Until it holds one, every data route
	// answers 503 and /readyz reports not ready. A nil Index is an empty Live.
	Index *geo.Live
	// Logger receives the access log and errors; nil discards them.
	Logger *slog.Logger
	// MaxBatchPoints is the largest number of points one POST
	// /api/v1/lookup may hold; more is a 413.
	MaxBatchPoints int
	// MaxBodyBytes is the largest request body accepted; more is a 413.
	MaxBodyBytes int64
	// MaxHeaderBytes is the largest request head (request line and header
	// fields) accepted; more is a 431 problem. The http.Server in front
	// must read more than this (see HeaderReadCeiling).
	MaxHeaderBytes int
	// RetryAfter is sent with 503 answers given before an index is loaded.
	RetryAfter time.Duration
	// Access turns on access control: sign-in, role checks, rate limits
	// and the audit log (see access.go and docs/security.md). Nil checks
	// nothing: for tests and for embedding behind a gateway that does it.
	Access *Access
	// Tiles serves the vector tiles, TileJSON and style; it must follow
	// Index. Nil makes one with default options.
	Tiles *tiles.Service
	// Web holds the built web pages (see package web): index.html, m.html,
	// plan.html and assets/. Nil serves no pages.
	Web fs.FS
	// UI is what the pages are told at /api/v1/ui-config.
	UI UIConfig
	// Patrols stores patrol positions and geofence events; nil answers
	// the patrol, event and nearest-officer routes with 503.
	Patrols data.PatrolStore
	// PatrolOptions tune the live side of patrols (see Server.Run).
	PatrolOptions PatrolOptions
	// Planner answers /api/v1/plan and /api/v1/assessment; it must follow
	// Index. Nil makes one with the default configuration that keeps no
	// plans or entries and knows no incidents.
	Planner *planning.Planner
	// Incidents keeps the incidents of /api/v1/incidents; nil answers
	// those routes with 503.
	Incidents data.IncidentStore
	// GridHistory is the grid history incidents are attributed against
	// (the grids in force when each occurred) and grid edits start from.
	GridHistory data.GridTimeline
	// GridEditor applies PUT /api/v1/grids/{id}; nil answers it with 409
	// (read-only).
	GridEditor data.GridEditor
	// Overlays applies the edits of special areas and key places; nil
	// answers them with 409 (read-only).
	Overlays data.OverlayEditor
	// Checkpoints applies the edits of checkpoints; nil answers them with
	// 409 (read-only).
	Checkpoints data.CheckpointEditor
	// AwaitIndex, when set, returns once the index in force holds every
	// change the store committed before the call (follow.Follower.Sync).
	// A grid edit waits on it before answering, so a read on this server
	// after the PUT's answer sees the edit; nil answers at once.
	AwaitIndex func(context.Context) error
	// OnPublish, when set, registers a function to call after each index
	// published to Index (follow.Follower.OnPublish): New registers the
	// server's Refresh and refreshes once, so what the server derives from
	// an index is built by the publisher, not by the first request.
	OnPublish func(func(*geo.Index))
	// AwaitGrids, when set, returns once the index in force holds the
	// given grids as the store has them (follow.Follower.SyncGrids),
	// without waiting for other changes; a grid edit waits on it rather
	// than AwaitIndex.
	AwaitGrids func(ctx context.Context, ids ...string) error
	// MaxBatchIncidents is the largest number of incidents one POST
	// /api/v1/incidents may hold; more is a 413.
	MaxBatchIncidents int
	// OnIncidentsAdded, when set, hears of every committed batch of
	// incidents (with ids and attribution), e.g. to purge incident tiles.
	OnIncidentsAdded func([]geo.Incident)
	// IncidentTiles draws incidents at /tiles/incidents/{z}/{x}/{y}.mvt
	// for the window of the URL's query; the server tells it of every
	// batch it commits. Nil leaves the route to the tile Service.
	IncidentTiles *tiles.IncidentLayer
	// Presence answers /api/v1/presence and /api/v1/grids/{id}/presence.
	// Nil makes one over Patrols with the default options, its visit
	// targets scaled by the Planner's grid workloads.
	Presence *prevention.Service
	// Visits keeps the visits and contacts of /api/v1/visits; nil answers
	// those routes with 503.
	Visits data.VisitStore
	// Disputes and Tasks keep the disputes of /api/v1/disputes and the
	// task lists of /api/v1/tasks; nil answers those routes with 503.
	Disputes data.DisputeStore
	Tasks    data.TaskStore
	// Answers finds the answers the store keeps under the Idempotency-Keys
	// of grid edits, plan applies, assessment entries and changes of tasks
	// and disputes, so a retry of a write that committed is answered
	// before its checks run again. Nil takes GridEditor's when it keeps
	// them, else Tasks'; without one a retry is still
	// never written twice (the store refuses it in the write), but a plan
	// applied already is answered 409 rather than replayed.
	Answers data.AnswerStore
	// Database, when set, is pinged at every scrape of /metrics
	// (jingge_store_up); nil reports no such series, as for the embedded
	// store, whose data lives in the process.
	Database data.Pinger
	// Listener, when set, reports the store's change listener at /metrics
	// (jingge_listen_*); nil reports no such series.
	Listener data.ListenReporter
}

// Server answers the API. It is safe for concurrent use and keeps no
// per-request state.
type Server struct {
	live              *geo.Live
	awaitIndex        func(context.Context) error
	awaitGrids        func(context.Context, ...string) error
	logger            *slog.Logger
	maxBatchPoints    int
	maxBodyBytes      int64
	maxHeaderBytes    int
	retryAfterSeconds int
	router            *mux.Router
	// paths picks the route of most requests before mux does
	// (router_paths.go).
	paths   *pathRouter
	handler http.Handler
	// views caches what the handlers derive from the index in force
	// (bounds, counts); it is rebuilt when the index changes.
	views atomic.Pointer[view]
	// onParamRead, when set (by tests), is told of every query parameter a
	// handler reads, so the OpenAPI test can prove documented parameters
	// are used.
	onParamRead func(route, param string)
	// access guards every route; nil without Config.Access.
	access *accessControl
	// tiles renders and caches vector tiles of the index in force.
	tiles *tiles.Service
	// layerAccess holds the access of each tile layer that has a route
	// of its own (handle_tiles_layers.go).
	layerAccess map[string]access
	// ogc serves OGC API – Features (ogc.go).
	ogc *ogc.Service
	// ogcIncidentAccess is the access of the OGC incidents' items, which
	// decides whether /ogc/collections lists them to a caller.
	ogcIncidentAccess access
	// web is the built site the pages are served from.
	web *pages.Site
	// labelCache holds the label points of /api/v1/labels.
	labelCache pages.Labels
	// patrols holds the latest officer states and feeds the event streams.
	patrols *patrols
	// planner answers the planner's and the assessment's routes.
	planner *planning.Planner
	// inc serves incidents and grid edits.
	inc incidentDeps
	// presence measures the officers' time in the grids.
	presence *prevention.Service
	// visits keeps visits and contacts; nil when the server has none.
	visits data.VisitStore
	// records keeps visits, disputes and task lists.
	records *records.Service
	// answers finds kept answers of keyed writes; nil when none are kept.
	answers data.AnswerStore
	// metrics counts what /metrics reports.
	metrics *metrics
	// overlays answers the routes of areas, key places and checkpoints.
	overlays *overlayroutes.Routes
	// overlaySelect selects overlays and grids by the lists' one filter.
	overlaySelect *overlays.Service
}

// New returns a server for cfg.
func New(cfg Config) *Server {
	s := &Server{
		live:              cfg.Index,
		awaitIndex:        cfg.AwaitIndex,
		awaitGrids:        cfg.AwaitGrids,
		logger:            cfg.Logger,
		maxBatchPoints:    cfg.MaxBatchPoints,
		maxBodyBytes:      cfg.MaxBodyBytes,
		maxHeaderBytes:    cfg.MaxHeaderBytes,
		retryAfterSeconds: int((cfg.RetryAfter + time.Second - 1) / time.Second),
	}
	if s.live == nil {
		s.live = new(geo.Live)
	}
	s.inc = newIncidentDeps(cfg, s.live)
	s.tiles = cfg.Tiles
	if s.tiles == nil {
		s.tiles = tiles.NewService(s.live, tiles.ServiceOptions{Layers: append(incidentTileLayers(cfg), patrolling.TileLayers(s.live, cfg.Patrols, &cfg.PatrolOptions)...)})
	}
	s.planner = cfg.Planner
	if s.planner == nil {
		s.planner, _ = planning.New(planning.Options{Index: s.live, Logger: s.logger}) // the default configuration is valid
	}
	s.visits = cfg.Visits
	s.answers = cfg.Answers
	if as, ok := cfg.GridEditor.(data.AnswerStore); ok && s.answers == nil {
		s.answers = as
	}
	if as, ok := cfg.Tasks.(data.AnswerStore); ok && s.answers == nil {
		s.answers = as
	}
	s.presence = cfg.Presence
	if s.presence == nil {
		s.presence, _ = prevention.New(prevention.Options{Index: s.live, Pings: cfg.Patrols, Visits: cfg.Visits, Workloads: s.planner.GridWorkloads, Now: cfg.PatrolOptions.Now}) // the default target is valid
	}
	if s.logger == nil {
		s.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.maxBatchPoints <= 0 {
		s.maxBatchPoints = DefaultMaxBatchPoints
	}
	if s.maxBodyBytes <= 0 {
		s.maxBodyBytes = DefaultMaxBodyBytes
	}
	if s.maxHeaderBytes <= 0 {
		s.maxHeaderBytes = httpx.DefaultMaxHeaderBytes
	}
	if cfg.RetryAfter <= 0 {
		s.retryAfterSeconds = int(DefaultRetryAfter / time.Second)
	}
	s.patrols = s.newPatrols(cfg)
	s.records = s.newRecords(cfg)
	s.overlays = s.newOverlays(cfg)
	site, err := pages.Load(cfg.Web, cfg.UI)
	if err != nil {
		s.logger.Error("the web pages cannot be served", "err", err)
		site, _ = pages.Load(nil, cfg.UI)
	}
	s.web = site
	s.access = newAccessControl(cfg.Access, s.logger)
	s.metrics = newMetrics(s, cfg)
	s.ogc = newOGC(s)
	s.router = mux.NewRouter()
	routed := newPathRouter(s.router)
	rts := s.routes()
	s.layerAccess = layerRoutes(rts)
	for _, rt := range rts {
		if rt.name == "ogcIncidentItems" {
			s.ogcIncidentAccess = rt.roles
		}
	}
	for _, rt := range rts {
		methods := []string{rt.method}
		if rt.method == http.MethodGet {
			// HEAD asks what GET would answer, without the body; net/http
			// drops the body, the handler runs as for GET.
			methods = append(methods, http.MethodHead)
		}
		h := s.metrics.Instrument(rt.name, withCachePolicy(rt.roles, httpx.WithValidText(s.logger, s.access.guard(rt.name, rt.roles, s.endpoint(rt)))))
		s.router.Handle(rt.path, h).Methods(methods...).Name(rt.name)
		routed.add(rt.name, rt.path, methods, h)
	}
	s.router.NotFoundHandler = s.metrics.Instrument("pages", s.web.Handler(s.logger, http.HandlerFunc(s.noRoute)))
	s.router.MethodNotAllowedHandler = http.HandlerFunc(s.methodNotAllowed)
	s.refreshOnPublish(cfg.OnPublish)
	s.paths = routed
	s.handler = httpx.WithNoSniff(httpx.WithRequestID(httpx.WithAccessLog(s.logger, httpx.WithCompression(httpx.WithRecovery(s.logger, httpx.WithHeaderLimit(s.logger, s.maxHeaderBytes, httpx.WithBodyLimit(s.logger, s.maxBodyBytes, routed)))))))
	return s
}

// Handler returns the HTTP handler of every route, with its middleware:
// nosniff on every answer, request ids, access log, gzip of compressible
// answers, panic recovery and the header and body size limits; each route's Cache-Control follows its
// access declaration (withCachePolicy).
func (s *Server) Handler() http.Handler { return s.handler }

// route is one endpoint. Its name is the OpenAPI operationId; query lists
// every query parameter the handler reads, and the only ones it accepts.
type route struct {
	name   string
	method string
	path   string
	query  []string
	handle func(w http.ResponseWriter, r *http.Request, q query) error
	// roles says who may call the route (public(), signedIn(),
	// allow(data.RoleViewer, ...), or mirrors(twin) for a route serving
	// another route's data in another form) and how it is guarded
	// (.personalData(), .expensive()); see access.go and
	// docs/security.md. Every route must declare it: TestRouteRoles
	// walks the table.
	roles access
}

// routes is the table of endpoints; the OpenAPI test checks the document
// against it.
func (s *Server) routes() []route {
	return resolveTwins([]route{
		// A lookup names the people serving a grid unless fields leaves
		// them out; the batch lookup names grids and stations only.
		{"lookupPoint", http.MethodGet, "/api/v1/lookup", []string{"lon", "lat", "crs", "fields", "include", "places_radius"}, s.handleLookup, signedIn().personalDataWhen(lookupIsPersonal)},
		{"lookupBatch", http.MethodPost, "/api/v1/lookup", []string{"crs", "fields"}, s.handleLookupBatch, signedIn().readsOnly().expensive()},
		{"listStations", http.MethodGet, "/api/v1/stations", nil, s.handleStations, signedIn()},
		// The officer page's offline pack names every member of its grids.
		{"getPack", http.MethodGet, "/api/v1/pack", []string{"station"}, s.handlePack, signedIn().personalData()},
		{"getStation", http.MethodGet, "/api/v1/stations/{id}", nil, s.handleStation, signedIn()},
		{"listGrids", http.MethodGet, "/api/v1/grids", []string{"bbox", "level", "station"}, s.handleGrids, signedIn().expensive()},
		{"getGrid", http.MethodGet, "/api/v1/grids/{id}", nil, s.handleGrid, signedIn().personalData()},
		// Special areas and key places: lists carry no liaisons, single
		// items do (personal, like a grid's members); edits take the roles
		// of grid edits.
		{"listAreas", http.MethodGet, "/api/v1/areas", []string{"bbox", "kind", "station"}, viaLookup(s.overlays.Areas), signedIn().expensive()},
		{"getArea", http.MethodGet, "/api/v1/areas/{id}", nil, viaLookup(s.overlays.Area), signedIn().personalData()},
		{"createArea", http.MethodPost, "/api/v1/areas", nil, viaLookup(s.overlays.PutArea), allow(data.RoleAdmin)},
		{"putArea", http.MethodPut, "/api/v1/areas/{id}", nil, viaLookup(s.overlays.PutArea), allow(data.RoleAdmin)},
		{"deleteArea", http.MethodDelete, "/api/v1/areas/{id}", []string{"base_version"}, viaLookup(s.overlays.DeleteArea), allow(data.RoleAdmin)},
		{"listPlaces", http.MethodGet, "/api/v1/places", []string{"bbox", "kind", "station"}, viaLookup(s.overlays.Places), signedIn().expensive()},
		{"getPlace", http.MethodGet, "/api/v1/places/{id}", nil, viaLookup(s.overlays.Place), signedIn().personalData()},
		{"createPlace", http.MethodPost, "/api/v1/places", nil, viaLookup(s.overlays.PutPlace), allow(data.RoleAdmin)},
		{"putPlace", http.MethodPut, "/api/v1/places/{id}", nil, viaLookup(s.overlays.PutPlace), allow(data.RoleAdmin)},
		{"deletePlace", http.MethodDelete, "/api/v1/places/{id}", []string{"base_version"}, viaLookup(s.overlays.DeletePlace), allow(data.RoleAdmin)},
		// Checkpoints name no person; edits take the roles of area edits.
		// The checkpoint circle's figures are the planner's, like the
		// response rings; coverage comes before {id}, which would take it.
		{"getCheckpointCoverage", http.MethodGet, "/api/v1/checkpoints/coverage", []string{"minutes", "spacing_km"}, s.handleCheckpointCoverage, allow(data.RolePlanner).expensive()},
		{"proposeCheckpoints", http.MethodPost, "/api/v1/checkpoints/propose", nil, s.handleProposeCheckpoints, allow(data.RolePlanner).expensive()},
		{"getIdentification", http.MethodGet, "/api/v1/plan/identification", []string{"station", "days"}, s.handleIdentification, allow(data.RolePlanner).expensive()},
		{"listCheckpoints", http.MethodGet, "/api/v1/checkpoints", []string{"bbox", "station"}, viaLookup(s.overlays.Checkpoints), signedIn()},
		{"getCheckpoint", http.MethodGet, "/api/v1/checkpoints/{id}", nil, viaLookup(s.overlays.Checkpoint), signedIn()},
		{"createCheckpoint", http.MethodPost, "/api/v1/checkpoints", nil, viaLookup(s.overlays.PutCheckpoint), allow(data.RoleAdmin)},
		{"putCheckpoint", http.MethodPut, "/api/v1/checkpoints/{id}", nil, viaLookup(s.overlays.PutCheckpoint), allow(data.RoleAdmin)},
		{"deleteCheckpoint", http.MethodDelete, "/api/v1/checkpoints/{id}", []string{"base_version"}, viaLookup(s.overlays.DeleteCheckpoint), allow(data.RoleAdmin)},
		{"listRegions", http.MethodGet, "/api/v1/regions", nil, s.handleRegions, signedIn()},
		{"getDataset", http.MethodGet, "/api/v1/dataset", nil, s.handleDataset, signedIn()},
		{"getOpenAPI", http.MethodGet, "/api/v1/openapi.json", nil, s.handleOpenAPI, signedIn()},
		{"healthz", http.MethodGet, "/healthz", nil, s.handleHealthz, public()},
		{"readyz", http.MethodGet, "/readyz", nil, s.handleReadyz, public()},
		{"getMetrics", http.MethodGet, "/metrics", nil, s.handleMetrics, allow(data.RoleAdmin, data.RoleMetrics)},
		// Tiles: the index layers draw what listGrids and listStations
		// answer; a layer with data of its own has routes of its own,
		// before the generic ones, that mirror its REST twin.
		{"getTile", http.MethodGet, "/tiles/{z}/{x}/{y}.{ext}", nil, s.handleTile, mirrors("listGrids")},
		{"getIncidentTile", http.MethodGet, "/tiles/incidents/{z}/{x}/{y}.{ext}", []string{"from", "to", "category"}, s.handleIncidentTile, mirrors("listIncidents").personalData()},
		{"getPatrolTile", http.MethodGet, "/tiles/patrols/{z}/{x}/{y}.{ext}", nil, s.handlePatrolTile, mirrors("listPatrols").personalData()},
		{"getAreaTile", http.MethodGet, "/tiles/areas/{z}/{x}/{y}.{ext}", nil, s.handleAreaTile, mirrors("listAreas")},
		{"getPlaceTile", http.MethodGet, "/tiles/places/{z}/{x}/{y}.{ext}", nil, s.handlePlaceTile, mirrors("listPlaces")},
		{"getCheckpointTile", http.MethodGet, "/tiles/checkpoints/{z}/{x}/{y}.{ext}", nil, s.handleCheckpointTile, mirrors("listCheckpoints")},
		{"getLayerTile", http.MethodGet, "/tiles/{layer}/{z}/{x}/{y}.{ext}", nil, s.handleLayerTile, mirrors("listGrids")},
		{"getTileJSON", http.MethodGet, "/tiles.json", nil, s.handleTileJSON, mirrors("listGrids")},
		{"getIncidentTileJSON", http.MethodGet, "/tiles/incidents.json", nil, s.handleIncidentTileJSON, mirrors("listIncidents")},
		{"getPatrolTileJSON", http.MethodGet, "/tiles/patrols.json", nil, s.handlePatrolTileJSON, mirrors("listPatrols")},
		{"getAreaTileJSON", http.MethodGet, "/tiles/areas.json", nil, s.handleAreaTileJSON, mirrors("listAreas")},
		{"getPlaceTileJSON", http.MethodGet, "/tiles/places.json", nil, s.handlePlaceTileJSON, mirrors("listPlaces")},
		{"getCheckpointTileJSON", http.MethodGet, "/tiles/checkpoints.json", nil, s.handleCheckpointTileJSON, mirrors("listCheckpoints")},
		{"getLayerTileJSON", http.MethodGet, "/tiles/{layer}.json", nil, s.handleLayerTileJSON, mirrors("listGrids")},
		{"getStyle", http.MethodGet, "/styles/command-center.json", nil, s.handleStyle, signedIn()},
		{"searchGrids", http.MethodGet, "/api/v1/search", []string{"q", "limit"}, s.handleSearch, signedIn()},
		{"getUIConfig", http.MethodGet, "/api/v1/ui-config", nil, s.handleUIConfig, signedIn()},
		{"getLabels", http.MethodGet, "/api/v1/labels", nil, s.handleLabels, signedIn()},
		{"postPings", http.MethodPost, "/api/v1/patrols/pings", []string{"crs"}, s.handlePings, allow(data.RoleOfficer, data.RoleAdmin)},
		{"listPatrols", http.MethodGet, "/api/v1/patrols", []string{"station"}, s.handlePatrols, allow(data.RoleViewer).personalData()},
		// The same officers as listPatrols, as a stream of changes: one
		// request, so one audit entry, however long a wall display keeps it.
		{"streamPatrols", http.MethodGet, "/api/v1/patrols/stream", nil, s.handlePatrolStream, mirrors("listPatrols").personalData()},
		{"getTrack", http.MethodGet, "/api/v1/patrols/{officer}/track", []string{"from", "to"}, s.handleTrack, allow(data.RoleViewer).personalData()},
		{"getEvents", http.MethodGet, "/api/v1/events", []string{"after", "limit"}, s.handleEvents, allow(data.RoleViewer).personalData()},
		{"getPresence", http.MethodGet, "/api/v1/presence", []string{"station", "from", "to"}, s.handlePresence, allow(data.RoleViewer).personalData().expensive()},
		{"getGridPresence", http.MethodGet, "/api/v1/grids/{id}/presence", []string{"from", "to"}, s.handleGridPresence, allow(data.RoleViewer).personalData().expensive()},
		{"getGridLastVisits", http.MethodGet, "/api/v1/presence/grids", nil, s.handleGridLastVisits, allow(data.RoleViewer).expensive()},
		{"createVisit", http.MethodPost, "/api/v1/visits", nil, s.handleCreateVisit, allow(data.RoleOfficer, data.RoleAdmin)},
		{"listVisits", http.MethodGet, "/api/v1/visits", records.VisitParams, s.handleListVisits, allow(data.RoleViewer, data.RoleOfficer).personalData().expensive()},
		{"createDispute", http.MethodPost, "/api/v1/disputes", nil, s.handleCreateDispute, allow(data.RoleOfficer, data.RolePlanner)},
		{"listDisputes", http.MethodGet, "/api/v1/disputes", records.DisputeParams, s.handleListDisputes, allow(data.RoleViewer, data.RoleOfficer).personalData().expensive()},
		{"summarizeDisputes", http.MethodGet, "/api/v1/disputes/summary", records.SummaryParams, s.handleDisputeSummary, allow(data.RoleViewer, data.RoleOfficer).expensive()},
		{"updateDispute", http.MethodPatch, "/api/v1/disputes/{id}", nil, s.handleUpdateDispute, allow(data.RoleOfficer, data.RolePlanner)},
		{"createTask", http.MethodPost, "/api/v1/tasks", nil, s.handleCreateTask, allow(data.RoleOfficer, data.RolePlanner)},
		{"listTasks", http.MethodGet, "/api/v1/tasks", records.TaskParams, s.handleListTasks, allow(data.RoleViewer, data.RoleOfficer).personalData().expensive()},
		{"summarizeTasks", http.MethodGet, "/api/v1/tasks/summary", records.SummaryParams, s.handleTaskSummary, allow(data.RoleViewer, data.RoleOfficer).expensive()},
		{"updateTask", http.MethodPatch, "/api/v1/tasks/{id}", nil, s.handleUpdateTask, allow(data.RoleOfficer, data.RolePlanner)},
		{"nearestOfficers", http.MethodGet, "/api/v1/dispatch/nearest-officers", []string{"lon", "lat", "crs", "n"}, s.handleNearestOfficers, allow(data.RoleViewer).personalData()},
		{"nearestStation", http.MethodGet, "/api/v1/dispatch/nearest-station", []string{"lon", "lat", "crs"}, s.handleNearestStation, signedIn()},
		{"getPlanCurrent", http.MethodGet, "/api/v1/plan/current", nil, s.handlePlanCurrent, allow(data.RolePlanner).personalData().expensive()},
		{"getPlanConfig", http.MethodGet, "/api/v1/plan/config", nil, s.handlePlanConfig, allow(data.RolePlanner)},
		{"getRosterReport", http.MethodGet, "/api/v1/roster/report", nil, s.handleRosterReport, allow(data.RolePlanner)},
		{"getPlanCoverage", http.MethodGet, "/api/v1/plan/coverage", []string{"origins"}, s.handlePlanCoverage, allow(data.RolePlanner).expensive()},
		{"listPlans", http.MethodGet, "/api/v1/plan/plans", []string{"limit"}, s.handleListPlans, allow(data.RolePlanner)},
		{"proposePlan", http.MethodPost, "/api/v1/plan/plans", nil, s.handleProposePlan, allow(data.RolePlanner).expensive()},
		{"getPlan", http.MethodGet, "/api/v1/plan/plans/{id}", nil, s.handleGetPlan, allow(data.RolePlanner).personalData()},
		{"getPlanMovesCSV", http.MethodGet, "/api/v1/plan/plans/{id}/moves.csv", nil, s.handlePlanMovesCSV, allow(data.RolePlanner).personalData()},
		{"getPlanStationsCSV", http.MethodGet, "/api/v1/plan/plans/{id}/stations.csv", nil, s.handlePlanStationsCSV, allow(data.RolePlanner)},
		{"getPlanReport", http.MethodGet, "/api/v1/plan/plans/{id}/report", []string{"lang"}, s.handlePlanReport, allow(data.RolePlanner).personalData()},
		{"applyPlan", http.MethodPost, "/api/v1/plan/plans/{id}/apply", nil, s.handleApplyPlan, allow(data.RoleAdmin)},
		{"comparePlans", http.MethodGet, "/api/v1/plan/compare", []string{"a", "b"}, s.handleComparePlans, allow(data.RolePlanner).personalData().expensive()},
		{"getAssessmentEntries", http.MethodGet, "/api/v1/assessment/entries", []string{"from", "to"}, s.handleGetAssessmentEntries, allow(data.RolePlanner)},
		{"putAssessmentEntries", http.MethodPut, "/api/v1/assessment/entries", nil, s.handlePutAssessmentEntries, allow(data.RolePlanner)},
		{"importAssessment", http.MethodPost, "/api/v1/assessment/import", nil, s.handleImportAssessment, allow(data.RolePlanner)},
		{"getAssessmentTrend", http.MethodGet, "/api/v1/assessment/trend", []string{"from", "to"}, s.handleAssessmentTrend, allow(data.RolePlanner)},
		{"getAssessmentMonth", http.MethodGet, "/api/v1/assessment/{month}", nil, s.handleAssessmentMonth, allow(data.RolePlanner)},
		{"createIncidents", http.MethodPost, "/api/v1/incidents", nil, s.handleCreateIncidents, allow(data.RoleAdmin)},
		{"listIncidents", http.MethodGet, "/api/v1/incidents", append(slices.Clone(incidentFilterParams), "limit", "cursor"), s.handleListIncidents, allow(data.RoleViewer).personalData().expensive()},
		{"aggregateIncidents", http.MethodGet, "/api/v1/incidents/aggregate", append(slices.Clone(incidentFilterParams), "group_by", "bucket"), s.handleAggregateIncidents, allow(data.RoleViewer).expensive()},
		{"getIncident", http.MethodGet, "/api/v1/incidents/{id}", nil, s.handleGetIncident, allow(data.RoleViewer).personalData()},
		{"updateIncident", http.MethodPatch, "/api/v1/incidents/{id}", nil, s.handleUpdateIncident, allow(data.RoleAdmin)},
		{"editGrid", http.MethodPut, "/api/v1/grids/{id}", nil, s.handleEditGrid, allow(data.RoleAdmin)},
		// OGC API – Features (package api/ogc): the index collections
		// admit whom listGrids admits; the incidents have routes of their
		// own, before the generic ones, that mirror their REST twins.
		{"ogcLanding", http.MethodGet, ogcRoot, []string{"f"}, ogcRoute(s.ogc.Landing), signedIn()},
		{"ogcConformance", http.MethodGet, ogcRoot + "/conformance", []string{"f"}, ogcRoute(s.ogc.Conformance), signedIn()},
		{"ogcCollections", http.MethodGet, ogcRoot + "/collections", []string{"f"}, ogcRoute(s.ogc.Collections), signedIn()},
		{"ogcIncidentCollection", http.MethodGet, ogcRoot + "/collections/incidents", []string{"f"}, ogcRoute(s.ogc.IncidentCollection), mirrors("listIncidents")},
		{"ogcIncidentItems", http.MethodGet, ogcRoot + "/collections/incidents/items", ogc.IncidentParams, ogcRoute(s.ogc.IncidentItems), mirrors("listIncidents").personalData().expensive()},
		{"ogcIncidentItem", http.MethodGet, ogcRoot + "/collections/incidents/items/{featureId}", nil, ogcRoute(s.ogc.IncidentItem), mirrors("getIncident").personalData()},
		{"ogcCollection", http.MethodGet, ogcRoot + "/collections/{collectionId}", []string{"f"}, ogcRoute(s.ogc.Collection), mirrors("listGrids")},
		{"ogcItems", http.MethodGet, ogcRoot + "/collections/{collectionId}/items", ogc.ItemParams, ogcRoute(s.ogc.Items), mirrors("listGrids").expensive()},
		{"ogcItem", http.MethodGet, ogcRoot + "/collections/{collectionId}/items/{featureId}", []string{"f"}, ogcRoute(s.ogc.Item), mirrors("listGrids")},
		{"login", http.MethodPost, "/api/v1/login", nil, s.access.handleLogin, public().auditedByHandler()},
		{"logout", http.MethodPost, "/api/v1/logout", nil, s.access.handleLogout, signedIn()},
		{"getMe", http.MethodGet, "/api/v1/me", nil, s.access.handleMe, signedIn()},
		{"loginLink", http.MethodGet, auth.LoginLinkPath, []string{"token"}, s.access.handleLoginLink, public().auditedByHandler()},
		{"loginPage", http.MethodGet, "/login", []string{"next", "failed"}, s.access.handleLoginPage, public()},
		{"listAudit", http.MethodGet, "/api/v1/audit", auth.AuditQueryParams, s.handleAudit, allow(data.RoleAdmin)},
	})
}

// query is the parsed query string of one request, checked against its
// route's parameter list.
type query struct {
	values url.Values
	route  string
	onRead func(route, param string)
}

// lookup returns the value of the parameter name and whether it was given.
func (q query) lookup(name string) (string, bool) {
	if q.onRead != nil {
		q.onRead(q.route, name)
	}
	vs, ok := q.values[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// get returns the value of the parameter name, or "".
func (q query) get(name string) string {
	v, _ := q.lookup(name)
	return v
}

// paramHints suggests the right name for common misspellings.
var paramHints = map[string]string{
	"lng": "lon", "long": "lon", "longitude": "lon", "x": "lon",
	"latitude": "lat", "y": "lat", "coordsys": "crs", "srs": "crs",
	"type": "level", "station_id": "station", "bounds": "bbox",
}

// endpoint wraps a route's handler: it rejects query parameters the route
// does not read or that appear twice (a typo such as lng= must not be
// silently ignored), and sends the handler's error as a problem.
func (s *Server) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var values url.Values // nil for no query: most requests, which need not make a map
		if r.URL.RawQuery != "" {
			var err error
			if values, err = url.ParseQuery(r.URL.RawQuery); err != nil {
				httpx.WriteError(w, r, s.logger, httpx.Invalid(httpx.InvalidParam{Name: "query", Reason: fmt.Sprintf("the query string is not valid URL encoding: %v", err)}))
				return
			}
		}
		var bad []httpx.InvalidParam
		names := make([]string, 0, len(values))
		for name := range values {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			switch {
			case !slices.Contains(rt.query, name):
				reason := fmt.Sprintf("unknown query parameter %q: %s %s %s", name, rt.method, rt.path, acceptsText(rt.query))
				if hint, ok := paramHints[strings.ToLower(name)]; ok && slices.Contains(rt.query, hint) {
					reason = fmt.Sprintf("unknown query parameter %q; did you mean %q?", name, hint)
				}
				if why, ok := ogc.UnsupportedParams[name]; ok && strings.HasPrefix(rt.path, ogcRoot) {
					reason = fmt.Sprintf("%s; %s %s %s", why, rt.method, rt.path, acceptsText(rt.query))
				}
				bad = append(bad, httpx.InvalidParam{Name: name, Reason: reason})
			case len(values[name]) > 1:
				bad = append(bad, httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("%s is given %d times; give it once", name, len(values[name]))})
			}
		}
		if len(bad) > 0 {
			httpx.WriteError(w, r, s.logger, httpx.Invalid(bad...))
			return
		}
		if err := rt.handle(w, r, query{values: values, route: rt.name, onRead: s.onParamRead}); err != nil {
			httpx.WriteError(w, r, s.logger, err)
		}
	})
}

func acceptsText(params []string) string {
	if len(params) == 0 {
		return "takes no query parameters"
	}
	return "accepts only " + strings.Join(params, ", ")
}

// noRoute answers a path no route matches.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	httpx.WriteError(w, r, s.logger, &httpx.Problem{Kind: httpx.ErrNoRoute, Detail: fmt.Sprintf("there is no endpoint at %s; the API is described at /api/v1/openapi.json", r.URL.Path)})
}

// methodsToTry are the methods whose routes methodNotAllowed looks for.
var methodsToTry = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// methodNotAllowed answers a known path asked with the wrong method, with
// an Allow header listing the methods the path has.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range methodsToTry {
		probe := r.Clone(r.Context())
		probe.Method = m
		var match mux.RouteMatch
		if s.router.Match(probe, &match) && match.MatchErr == nil {
			allow = append(allow, m)
		}
	}
	httpx.WriteError(w, r, s.logger, &httpx.Problem{
		Kind:   httpx.ErrMethodNotAllowed,
		Detail: fmt.Sprintf("%s does not accept %s; use %s", r.URL.Path, r.Method, strings.Join(allow, " or ")),
		Allow:  allow,
	})
}
