package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
	"jingge/api/incidents"
	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
)

// DefaultMaxBatchIncidents is the largest batch POST /api/v1/incidents
// takes when Config.MaxBatchIncidents is zero.
const DefaultMaxBatchIncidents = incidents.DefaultMaxBatch

// headerIdempotencyKey carries the key that makes a POST of incidents
// safe to send again.
const headerIdempotencyKey = "Idempotency-Key"

// incidentDeps is what the incident and grid-edit routes need; a nil
// store turns its routes into 503s.
type incidentDeps struct {
	store    data.IncidentStore
	timeline data.GridTimeline
	editor   data.GridEditor
	// svc stores, reads and attributes incidents.
	svc *incidents.Service
}

func newIncidentDeps(cfg Config, live *geo.Live) incidentDeps {
	return incidentDeps{store: cfg.Incidents, timeline: cfg.GridHistory, editor: cfg.GridEditor,
		svc: incidents.New(incidents.Options{Store: cfg.Incidents, Timeline: cfg.GridHistory, Index: live, MaxBatch: cfg.MaxBatchIncidents, OnAdded: cfg.OnIncidentsAdded, Tiles: cfg.IncidentTiles})}
}

// incidentsOff answers incident routes on a server without an incident
// store.
func incidentsOff() error {
	return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "this server keeps no incidents (it has no incident store)"}
}

// IncidentProperties are the properties of an incident feature
// (incidents.Properties).
type IncidentProperties = incidents.Properties

// IncidentCollection answers GET /api/v1/incidents: one page of incidents
// with a link to the next page.
type IncidentCollection struct {
	Type           string                               `json:"type"`
	Features       []httpx.Feature[*IncidentProperties] `json:"features"`
	NumberReturned int                                  `json:"number_returned"`
	Links          []httpx.Link                         `json:"links"`
}

// CreatedIncidents answers POST /api/v1/incidents (incidents.Created).
type CreatedIncidents = incidents.Created

// localTime writes t in the local time of the dataset in force (its
// geo.Meta.Location), as every time the API answers.
func (v *view) localTime(t time.Time) string { return t.In(v.ix.Location()).Format(time.RFC3339Nano) }

// incidentFeature is inc as the caller of ctx may see it: its free text
// with phone numbers masked for the roles that see members' numbers
// masked.
func (v *view) incidentFeature(ctx context.Context, inc *geo.Incident) httpx.Feature[*IncidentProperties] {
	return httpx.NewFeature(inc.ID, orb.Geometry(v.toWGS84(inc.Location)), incidents.PropertiesOf(inc, v.ix.Location(), maskPolicy(ctx)))
}

func (s *Server) handleCreateIncidents(w http.ResponseWriter, r *http.Request, _ query) error {
	if !s.inc.svc.CanCreate() {
		return incidentsOff()
	}
	key := r.Header.Get(headerIdempotencyKey)
	if err := data.CheckBatchKey(key); err != nil {
		return httpx.AboutParam(err, headerIdempotencyKey)
	}
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	batch, err := s.inc.svc.Decode(body, s.zone())
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	out, err := s.inc.svc.Create(r.Context(), v.loc, batch, key, keyScope(r.Context()))
	if err != nil {
		return err
	}
	if len(out.Incidents) == 1 {
		w.Header().Set("Location", incidentsPath(out.Incidents[0].ID))
	}
	httpx.WriteJSON(w, r, s.logger, createdStatus(out.Replayed), httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handleGetIncident(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.inc.store == nil {
		return incidentsOff()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	inc, err := s.inc.store.Incident(r.Context(), httpx.PathVar(r, "id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, v.incidentFeature(r.Context(), &inc))
	return nil
}

func (s *Server) handleUpdateIncident(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.inc.store == nil {
		return incidentsOff()
	}
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	p, err := incidents.DecodePatch(body)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	inc, err := s.inc.store.UpdateIncident(r.Context(), httpx.PathVar(r, "id"), p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, v.incidentFeature(r.Context(), &inc))
	return nil
}

// incidentFilterParams are the query parameters of an incident filter.
var incidentFilterParams = incidents.FilterParams

func (s *Server) handleListIncidents(w http.ResponseWriter, r *http.Request, q query) error {
	if s.inc.store == nil {
		return incidentsOff()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	f, bad := s.inc.svc.ParseFilter(r.Context(), v.loc, q.lookup, bboxParam)
	page, badPage := incidents.ParsePage(q.lookup)
	if bad = append(bad, badPage...); len(bad) > 0 {
		return httpx.Invalid(httpParams(bad)...)
	}
	res, err := s.inc.store.QueryIncidents(r.Context(), f, page)
	if err != nil {
		return httpx.AboutParam(err, "cursor")
	}
	out := IncidentCollection{Type: "FeatureCollection", Features: make([]httpx.Feature[*IncidentProperties], len(res.Incidents)), NumberReturned: len(res.Incidents)}
	for i := range res.Incidents {
		out.Features[i] = v.incidentFeature(r.Context(), &res.Incidents[i])
	}
	out.Links = pageLinks(r, res.Next)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, out)
	return nil
}

func (s *Server) handleAggregateIncidents(w http.ResponseWriter, r *http.Request, q query) error {
	if s.inc.store == nil {
		return incidentsOff()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	f, bad := s.inc.svc.ParseFilter(r.Context(), v.loc, q.lookup, bboxParam)
	a, badAgg := incidents.ParseAggregation(q.lookup, f, v.ix.Location())
	if bad = append(bad, badAgg...); len(bad) > 0 {
		return httpx.Invalid(httpParams(bad)...)
	}
	out, err := s.inc.svc.Aggregate(r.Context(), v.ix, a)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

// bboxParam is parseBBox for the incident filter.
func bboxParam(text string) (orb.Bound, *data.Param) {
	b, bad := parseBBox(text)
	if bad != nil {
		return b, &data.Param{Name: bad.Name, Reason: bad.Reason, Code: bad.Code}
	}
	return b, nil
}

// parseListFilters reads the category, status, station and grid lists of
// an incident query into f (incidents.Service.ParseLists).
func (s *Server) parseListFilters(ctx context.Context, q query, v *view, f *data.IncidentFilter) []httpx.InvalidParam {
	return httpParams(s.inc.svc.ParseLists(ctx, v.ix, q.lookup, f))
}

// incidentsPath is the path of one incident, for Location headers.
func incidentsPath(id string) string { return "/api/v1/incidents/" + url.PathEscape(id) }

// pageLinks are the links of a page of a GeoJSON list: itself, and the
// next page when next (its cursor) is set.
func pageLinks(r *http.Request, next string) []httpx.Link {
	links := []httpx.Link{{Rel: "self", Href: r.URL.RequestURI(), Type: httpx.ContentTypeGeoJSON}}
	if next != "" {
		q := r.URL.Query()
		q.Set("cursor", next)
		links = append(links, httpx.Link{Rel: "next", Href: r.URL.Path + "?" + q.Encode(), Type: httpx.ContentTypeGeoJSON})
	}
	return links
}

// parseTimeParam reads one end of a time window as every route does
// (intake.ParseWindowTime).
func parseTimeParam(name, text string, end bool, loc *time.Location) (time.Time, *httpx.InvalidParam) {
	t, bad := intake.ParseWindowTime(name, text, intake.Bound(end), loc)
	if bad != nil {
		return t, &httpx.InvalidParam{Name: bad.Name, Reason: bad.Reason, Code: bad.Code}
	}
	return t, nil
}
