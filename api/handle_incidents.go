package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
	"jingge/geo/topo"
	"jingge/tiles"
)

// DefaultMaxBatchIncidents is the largest batch POST /api/v1/incidents
// takes when Config.MaxBatchIncidents is zero.
const DefaultMaxBatchIncidents = 5000

// headerIdempotencyKey carries the key that makes a POST of incidents
// safe to send again.
const headerIdempotencyKey = "Idempotency-Key"

// attributionRetries is how often a batch is attributed again when the
// grids change between its attribution and its commit.
const attributionRetries = 2

// incidentDeps is what the incident and grid-edit routes need; a nil
// store turns its routes into 503s.
type incidentDeps struct {
	store      data.IncidentStore
	timeline   data.GridTimeline
	attributor *data.Attributor
	editor     data.GridEditor
	maxBatch   int
	// onAdded, when set, hears of every committed batch, so caches of
	// incident tiles can drop what it changes.
	onAdded func([]geo.Incident)
	// tiles draws incidents as vector tiles; it hears of every batch too.
	tiles *tiles.IncidentLayer
}

func newIncidentDeps(cfg Config, live *geo.Live) incidentDeps {
	d := incidentDeps{store: cfg.Incidents, timeline: cfg.GridHistory, editor: cfg.GridEditor, maxBatch: cfg.MaxBatchIncidents, onAdded: cfg.OnIncidentsAdded, tiles: cfg.IncidentTiles}
	if d.maxBatch <= 0 {
		d.maxBatch = DefaultMaxBatchIncidents
	}
	if d.timeline != nil {
		d.attributor = data.NewAttributor(d.timeline, live.Load)
	}
	return d
}

// incidentsOff answers incident routes on a server without an incident
// store.
func incidentsOff() error {
	return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "this server keeps no incidents (it has no incident store)"}
}

// IncidentProperties are the properties of an incident feature. Times are
// RFC 3339 in China time.
type IncidentProperties struct {
	ID            string             `json:"id"`
	OccurredAt    string             `json:"occurred_at"`
	ReportedAt    string             `json:"reported_at"`
	Category      geo.Category       `json:"category"`
	CategoryZH    string             `json:"category_zh"`
	Severity      int                `json:"severity"`
	Status        geo.IncidentStatus `json:"status"`
	Cleared       bool               `json:"cleared"`
	Source        string             `json:"source"`
	Summary       string             `json:"summary"`
	CommunityGrid string             `json:"community_grid"`
	PoliceGrid    string             `json:"police_grid"`
	Station       string             `json:"station"`
}

// IncidentCollection answers GET /api/v1/incidents: one page of incidents
// with a link to the next page.
type IncidentCollection struct {
	Type           string                               `json:"type"`
	Features       []httpx.Feature[*IncidentProperties] `json:"features"`
	NumberReturned int                                  `json:"number_returned"`
	Links          []Link                               `json:"links"`
}

// Link is a related resource, as OGC API Features writes paging links.
type Link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
	Type string `json:"type"`
}

// CreatedIncidents answers POST /api/v1/incidents.
type CreatedIncidents struct {
	Count int `json:"count"`
	// Replayed reports that the Idempotency-Key was used before: nothing
	// new was stored and the ids are those of the first request.
	Replayed  bool              `json:"replayed"`
	Incidents []CreatedIncident `json:"incidents"`
}

// CreatedIncident is one stored incident and where it was attributed; the
// grids and station are left out of a replayed answer.
type CreatedIncident struct {
	ID            string `json:"id"`
	CommunityGrid string `json:"community_grid,omitempty"`
	PoliceGrid    string `json:"police_grid,omitempty"`
	Station       string `json:"station,omitempty"`
}

// localTime writes t in the local time of the dataset in force (its
// geo.Meta.Location), as every time the API answers.
func (v *view) localTime(t time.Time) string { return t.In(v.ix.Location()).Format(time.RFC3339Nano) }

// incidentFeature is inc as the caller of ctx may see it: its free text
// (summary, source) with phone numbers masked for the roles that see
// members' numbers masked.
func (v *view) incidentFeature(ctx context.Context, inc *geo.Incident) httpx.Feature[*IncidentProperties] {
	return httpx.NewFeature(inc.ID, orb.Geometry(v.toWGS84(inc.Location)), &IncidentProperties{
		ID: inc.ID, OccurredAt: v.localTime(inc.OccurredAt), ReportedAt: v.localTime(inc.ReportedAt),
		Category: inc.Category, CategoryZH: inc.Category.LabelZH(), Severity: inc.Severity, Status: inc.Status, Cleared: inc.Cleared,
		Source: textFor(ctx, inc.Source), Summary: textFor(ctx, inc.Summary), CommunityGrid: inc.CommunityGridID, PoliceGrid: inc.PoliceGridID, Station: inc.StationID,
	})
}

func (s *Server) handleCreateIncidents(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.inc.store == nil || s.inc.attributor == nil {
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
	in, err := intake.Decode(body, intake.Options{MaxCount: s.inc.maxBatch, Zone: s.zone()})
	if err != nil {
		return err
	}
	from, err := parseCRS("crs", in.CRS)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	batch := make([]geo.Incident, len(in.Incidents))
	for i, inc := range in.Incidents {
		inc.Location = v.toDatum(inc.Location, from)
		batch[i] = inc
	}
	if err := data.NormalizeIncidents(batch, time.Now()); err != nil {
		return incidentProblem(err, in, from, s.zone())
	}
	res, err := s.addIncidents(r.Context(), batch, key)
	if err != nil {
		return incidentProblem(err, in, from, s.zone())
	}
	out := CreatedIncidents{Count: len(res.IDs), Replayed: res.Replayed, Incidents: make([]CreatedIncident, len(res.IDs))}
	for i, id := range res.IDs {
		out.Incidents[i].ID = id
		if !res.Replayed {
			out.Incidents[i].CommunityGrid, out.Incidents[i].PoliceGrid, out.Incidents[i].Station = batch[i].CommunityGridID, batch[i].PoliceGridID, batch[i].StationID
		}
	}
	status := createdStatus(res.Replayed)
	if len(res.IDs) == 1 {
		w.Header().Set("Location", incidentsPath(res.IDs[0]))
	}
	httpx.WriteJSON(w, r, s.logger, status, httpx.ContentTypeJSON, out)
	return nil
}

// addIncidents attributes batch and stores it, attributing again when the
// grids change in between. batch gets its attribution and ids.
func (s *Server) addIncidents(ctx context.Context, batch []geo.Incident, key string) (data.AddResult, error) {
	for attempt := 0; ; attempt++ {
		b := data.IncidentBatch{Incidents: batch, Key: key, Scope: keyScope(ctx)}
		if err := s.inc.attributor.Attribute(ctx, &b); err != nil {
			return data.AddResult{}, err
		}
		res, err := s.inc.store.AddIncidents(ctx, b)
		if errors.Is(err, data.ErrStaleAttribution) && attempt < attributionRetries {
			continue
		}
		if err != nil {
			return data.AddResult{}, err
		}
		for i := range batch {
			batch[i].ID = res.IDs[i]
		}
		if !res.Replayed {
			if s.inc.tiles != nil {
				s.inc.tiles.Added(batch)
			}
			if s.inc.onAdded != nil {
				s.inc.onAdded(batch)
			}
		}
		return res, nil
	}
}

// incidentProblem turns the errors of validating, attributing or storing
// a batch into a problem naming each bad incident as the client sent it,
// with times in loc.
func incidentProblem(err error, in *intake.Body, from crs.CRS, loc *time.Location) error {
	var ie *data.IncidentError
	if !errors.As(err, &ie) {
		return err
	}
	var params []httpx.InvalidParam
	outside := false
	for _, p := range ie.Problems {
		if len(params) == intake.MaxReported {
			break
		}
		name := in.Names[p.Index]
		where := name
		if where == "" {
			where = "the incident"
		}
		reason := where + ": " + p.Reason
		if p.Field == "location" && strings.Contains(p.Reason, "outside every grid") {
			outside = true
			pt := in.Incidents[p.Index].Location
			reason = fmt.Sprintf("%s at lon %g, lat %g (%s) is outside every grid in force when it occurred (%s); an incident must lie in the county",
				where, pt[0], pt[1], from.Label(), in.Incidents[p.Index].OccurredAt.In(loc).Format(time.RFC3339Nano))
		}
		if p.Field != "" {
			name = intake.Member(name, p.Field)
		}
		if name == "" {
			name = "body"
		}
		params = append(params, httpx.InvalidParam{Name: name, Reason: reason})
	}
	pr := httpx.Invalid(params...)
	pr.Detail = fmt.Sprintf("%d problem(s) in the batch, nothing was stored: %s", len(ie.Problems), pr.Detail)
	if outside {
		pr.Type = httpx.ProblemType("outside-grids")
	}
	return pr
}

func (s *Server) handleGetIncident(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.inc.store == nil {
		return incidentsOff()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	inc, err := s.inc.store.Incident(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, v.incidentFeature(r.Context(), &inc))
	return nil
}

// incidentPatchJSON is the body of PATCH /api/v1/incidents/{id}.
type incidentPatchJSON struct {
	Status  *string `json:"status"`
	Cleared *bool   `json:"cleared"`
}

func (s *Server) handleUpdateIncident(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.inc.store == nil {
		return incidentsOff()
	}
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	var pj incidentPatchJSON
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pj); err != nil {
		if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return httpx.Invalid(httpx.InvalidParam{Name: strings.Trim(rest, `"`), Reason: fmt.Sprintf("unknown member %s; a change has status and cleared", rest)})
		}
		return httpx.AsProblem(intake.JSONError(err))
	}
	if pj.Status == nil && pj.Cleared == nil {
		return httpx.InvalidBody(`the body changes nothing; send {"status": "dispatched"} and/or {"cleared": true}`)
	}
	var p data.IncidentPatch
	if pj.Status != nil {
		st := geo.IncidentStatus(*pj.Status)
		if !intake.ValidStatus(st) {
			return httpx.Invalid(httpx.InvalidParam{Name: "status", Reason: fmt.Sprintf("status must be reported, dispatched, on_scene or closed, got %q", intake.Clip([]byte(*pj.Status)))})
		}
		p.Status = &st
	}
	p.Cleared = pj.Cleared
	v, err := s.current()
	if err != nil {
		return err
	}
	inc, err := s.inc.store.UpdateIncident(r.Context(), mux.Vars(r)["id"], p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, v.incidentFeature(r.Context(), &inc))
	return nil
}

// incidentFilterParams are the query parameters of an incident filter.
var incidentFilterParams = []string{"from", "to", "category", "status", "station", "grid", "bbox", "polygon", "near", "radius_m", "crs"}

func (s *Server) handleListIncidents(w http.ResponseWriter, r *http.Request, q query) error {
	if s.inc.store == nil {
		return incidentsOff()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	f, bad := s.parseIncidentFilter(r.Context(), q, v)
	page, badPage := parsePage(q)
	bad = append(bad, badPage...)
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
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

// AggregateResponse answers GET /api/v1/incidents/aggregate.
type AggregateResponse struct {
	GroupBy  data.GroupBy   `json:"group_by"`
	Bucket   data.Bucket    `json:"bucket"`
	TimeZone string         `json:"time_zone"`
	Rows     []AggregateRow `json:"rows"`
}

// AggregateRow counts one group's incidents in one bucket, by category.
type AggregateRow struct {
	Key    string         `json:"key"`
	Name   string         `json:"name"` // of the grid or station in force; "" when it has none now
	Start  string         `json:"start"`
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
}

func (s *Server) handleAggregateIncidents(w http.ResponseWriter, r *http.Request, q query) error {
	if s.inc.store == nil {
		return incidentsOff()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	f, bad := s.parseIncidentFilter(r.Context(), q, v)
	a := data.Aggregation{GroupBy: data.ByGrid, Bucket: data.Month, Filter: f, Zone: v.ix.Location()}
	if text, ok := q.lookup("group_by"); ok {
		a.GroupBy = data.GroupBy(strings.TrimSpace(text))
		if a.GroupBy != data.ByGrid && a.GroupBy != data.ByPoliceGrid && a.GroupBy != data.ByStation && a.GroupBy != data.ByArea {
			bad = append(bad, httpx.InvalidParam{Name: "group_by", Reason: fmt.Sprintf("group_by must be grid, police_grid, station or area, got %q", intake.Clip([]byte(text)))})
		}
	}
	if text, ok := q.lookup("bucket"); ok {
		a.Bucket = data.Bucket(strings.TrimSpace(text))
		if a.Bucket != data.Day && a.Bucket != data.Week && a.Bucket != data.Month {
			bad = append(bad, httpx.InvalidParam{Name: "bucket", Reason: fmt.Sprintf("bucket must be day, week or month, got %q", intake.Clip([]byte(text)))})
		}
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	rows, err := s.inc.store.AggregateIncidents(r.Context(), a)
	if err != nil {
		return err
	}
	out := AggregateResponse{GroupBy: a.GroupBy, Bucket: a.Bucket, TimeZone: utcOffset(a.Location(), rows), Rows: make([]AggregateRow, len(rows))}
	for i, row := range rows {
		o := AggregateRow{Key: row.Key, Start: row.Start.In(a.Location()).Format(time.DateOnly), Total: row.Total, Counts: map[string]int{}}
		o.Name = aggregateKeyName(v.ix, a.GroupBy, row.Key)
		for c, n := range row.Counts {
			o.Counts[string(c)] = n
		}
		out.Rows[i] = o
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

// aggregateKeyName is the name of an aggregate row's group in ix, or ""
// when the dataset in force has none.
func aggregateKeyName(ix *geo.Index, by data.GroupBy, key string) string {
	switch by {
	case data.ByStation:
		if st, ok := ix.Station(key); ok {
			return st.Name
		}
	case data.ByArea:
		if ar, ok := ix.Area(key); ok {
			return ar.Name
		}
	default:
		if g, ok := ix.Grid(key); ok {
			return g.Name
		}
	}
	return ""
}

// maxQueryVertices bounds the polygon of an incident query.
const maxQueryVertices = 500

// maxRadiusMeters bounds the circle of an incident query.
const maxRadiusMeters = 100_000

// parseWindow reads the from and to of an incident query into f.
func parseWindow(q query, f *data.IncidentFilter, loc *time.Location) []httpx.InvalidParam {
	var bad []httpx.InvalidParam
	if text, ok := q.lookup("from"); ok {
		t, err := parseTimeParam("from", text, false, loc)
		if err != nil {
			bad = append(bad, *err)
		}
		f.From = t
	}
	if text, ok := q.lookup("to"); ok {
		t, err := parseTimeParam("to", text, true, loc)
		if err != nil {
			bad = append(bad, *err)
		}
		f.To = t
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad = append(bad, httpx.InvalidParam{Name: "to", Reason: fmt.Sprintf("to (%s) must be after from (%s)", f.To.In(loc).Format(time.RFC3339Nano), f.From.In(loc).Format(time.RFC3339Nano))})
	}
	return bad
}

// parseListFilters reads the category, status, station and grid lists of
// an incident query into f; stations and grids must exist (a grid may be
// retired).
func (s *Server) parseListFilters(ctx context.Context, q query, v *view, f *data.IncidentFilter) []httpx.InvalidParam {
	var bad []httpx.InvalidParam
	for _, c := range listParam(q, "category") {
		cat, err := intake.ParseCategory(c)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "category", Reason: "category " + err.Error()})
		}
		f.Categories = append(f.Categories, cat)
	}
	for _, st := range listParam(q, "status") {
		if !intake.ValidStatus(geo.IncidentStatus(st)) {
			bad = append(bad, httpx.InvalidParam{Name: "status", Reason: fmt.Sprintf("status must be reported, dispatched, on_scene or closed, got %q", intake.Clip([]byte(st)))})
		}
		f.Statuses = append(f.Statuses, geo.IncidentStatus(st))
	}
	for _, id := range listParam(q, "station") {
		if _, ok := v.ix.Station(id); !ok {
			bad = append(bad, httpx.InvalidParam{Name: "station", Reason: fmt.Sprintf("no station %q; GET /api/v1/stations lists them", intake.Clip([]byte(id)))})
		}
		f.Stations = append(f.Stations, id)
	}
	for _, id := range listParam(q, "grid") {
		if _, ok := v.ix.Grid(id); !ok && !s.gridEverExisted(ctx, id) {
			bad = append(bad, httpx.InvalidParam{Name: "grid", Reason: fmt.Sprintf("no grid %q has ever been in force; GET /api/v1/grids lists them", intake.Clip([]byte(id)))})
		}
		f.Grids = append(f.Grids, id)
	}
	return bad
}

// parseIncidentFilter reads the filter parameters of an incident query;
// coordinates are converted from crs into the dataset's datum.
func (s *Server) parseIncidentFilter(ctx context.Context, q query, v *view) (data.IncidentFilter, []httpx.InvalidParam) {
	var f data.IncidentFilter
	var bad []httpx.InvalidParam
	from, err := parseQueryCRS(q)
	if err != nil {
		var p *httpx.Problem
		errors.As(err, &p)
		return f, p.InvalidParams
	}
	bad = append(bad, parseWindow(q, &f, v.ix.Location())...)
	bad = append(bad, s.parseListFilters(ctx, q, v, &f)...)
	if text, ok := q.lookup("bbox"); ok {
		b, err := parseBBox(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			lo, hi := v.toDatum(b.Min, from), v.toDatum(b.Max, from)
			f.Bound = &orb.Bound{Min: lo, Max: hi}
		}
	}
	if text, ok := q.lookup("polygon"); ok {
		poly, err := parsePolygon(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			for i := range poly[0] {
				poly[0][i] = v.toDatum(poly[0][i], from)
			}
			f.Within = orb.MultiPolygon{poly}
		}
	}
	nearText, hasNear := q.lookup("near")
	radiusText, hasRadius := q.lookup("radius_m")
	switch {
	case hasNear != hasRadius:
		bad = append(bad, httpx.InvalidParam{Name: "near", Reason: "near (lon,lat) and radius_m (metres) go together; give both or neither"})
	case hasNear:
		c, err := parseNear(nearText, radiusText)
		if err != nil {
			bad = append(bad, *err)
		} else {
			c.Center = v.toDatum(c.Center, from)
			f.Near = &c
		}
	}
	return f, bad
}

// gridEverExisted asks the grid history whether id was ever a grid code.
func (s *Server) gridEverExisted(ctx context.Context, id string) bool {
	if s.inc.timeline == nil {
		return false
	}
	_, err := s.inc.timeline.GridHistory(ctx, id)
	return err == nil
}

// listParam splits a comma-separated parameter; empty items are dropped.
func listParam(q query, name string) []string {
	text, ok := q.lookup(name)
	if !ok {
		return nil
	}
	var out []string
	for _, part := range strings.Split(text, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// parseTimeParam reads from= or to=: an RFC 3339 time (local time in loc,
// the dataset's zone, without an offset) or a date, which means its
// midnight there; as to= a date includes that whole day.
func parseTimeParam(name, text string, end bool, loc *time.Location) (time.Time, *httpx.InvalidParam) {
	text = strings.TrimSpace(text)
	if d, err := time.ParseInLocation(time.DateOnly, text, loc); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := intake.ParseTime(text, loc)
	if err != nil {
		return time.Time{}, &httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("%s must be a date (2026-05-01) or a time (2026-05-01T14:30:00+08:00), got %q", name, intake.Clip([]byte(text)))}
	}
	return t, nil
}

// parsePolygon reads polygon=lon,lat,lon,lat,...: one ring of at least
// three corners, closed if the client did not close it, that does not
// cross itself.
func parsePolygon(text string) (orb.Polygon, *httpx.InvalidParam) {
	fail := func(format string, args ...any) (orb.Polygon, *httpx.InvalidParam) {
		return nil, &httpx.InvalidParam{Name: "polygon", Reason: "polygon " + fmt.Sprintf(format, args...)}
	}
	parts := strings.Split(text, ",")
	if len(parts)%2 != 0 {
		return fail("must be pairs lon,lat,lon,lat,...; got an odd count of %d numbers", len(parts))
	}
	var ring orb.Ring
	for i := 0; i < len(parts); i += 2 {
		pt, err := intake.ParseCoordinates(strings.TrimSpace(parts[i]), strings.TrimSpace(parts[i+1]))
		if err != nil {
			return fail("corner %d: %s", i/2, httpx.RequestMessage(err))
		}
		ring = append(ring, pt)
	}
	if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
		ring = append(ring, ring[0])
	}
	switch {
	case len(ring) < 4:
		return fail("needs at least three corners, got %d", max(len(ring)-1, 0))
	case len(ring) > maxQueryVertices+1:
		return fail("has %d corners; at most %d", len(ring)-1, maxQueryVertices)
	}
	poly := orb.Polygon{ring}
	if err := validateQueryPolygon(poly); err != nil {
		return fail("%v", err)
	}
	return poly, nil
}

// parseNear reads near=lon,lat and radius_m.
func parseNear(nearText, radiusText string) (data.Circle, *httpx.InvalidParam) {
	lon, lat, ok := strings.Cut(nearText, ",")
	if !ok {
		return data.Circle{}, &httpx.InvalidParam{Name: "near", Reason: fmt.Sprintf("near must be lon,lat, got %q", intake.Clip([]byte(nearText)))}
	}
	pt, err := intake.ParseCoordinates(strings.TrimSpace(lon), strings.TrimSpace(lat))
	if err != nil {
		return data.Circle{}, &httpx.InvalidParam{Name: "near", Reason: "near: " + httpx.RequestMessage(err)}
	}
	r, rerr := data.ParseDecimal(strings.TrimSpace(radiusText))
	if rerr != nil || !(r > 0) || r > maxRadiusMeters {
		return data.Circle{}, &httpx.InvalidParam{Name: "radius_m", Reason: fmt.Sprintf("radius_m must be a distance in metres above 0 and at most %d, got %q", maxRadiusMeters, intake.Clip([]byte(radiusText)))}
	}
	return data.Circle{Center: pt, RadiusMeters: r}, nil
}

// validateQueryPolygon refuses a ring that crosses itself or has no area,
// which would make "inside" mean different things to different stores.
func validateQueryPolygon(p orb.Polygon) error {
	if err := topo.ValidatePolygon(p); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "topo: "))
	}
	return nil
}

// incidentsPath is the path of one incident, for Location headers.
func incidentsPath(id string) string { return "/api/v1/incidents/" + url.PathEscape(id) }

// parsePage reads limit= and cursor= of a paged list.
func parsePage(q query) (data.Page, []httpx.InvalidParam) {
	var page data.Page
	var bad []httpx.InvalidParam
	if text, ok := q.lookup("limit"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || n < 1 || n > data.MaxPageLimit {
			bad = append(bad, httpx.InvalidParam{Name: "limit", Reason: fmt.Sprintf("limit must be a whole number from 1 to %d, got %q", data.MaxPageLimit, intake.Clip([]byte(text)))})
		}
		page.Limit = n
	}
	page.Cursor = q.get("cursor")
	return page, bad
}

// pageLinks are the links of a page of a GeoJSON list: itself, and the
// next page when next (its cursor) is set.
func pageLinks(r *http.Request, next string) []Link {
	links := []Link{{Rel: "self", Href: r.URL.RequestURI(), Type: httpx.ContentTypeGeoJSON}}
	if next != "" {
		q := r.URL.Query()
		q.Set("cursor", next)
		links = append(links, Link{Rel: "next", Href: r.URL.Path + "?" + q.Encode(), Type: httpx.ContentTypeGeoJSON})
	}
	return links
}
