package api

import (
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
)

// The incidents collection is read through the incident store like GET
// /api/v1/incidents: newest first, paged by the store's cursor (a next
// link, never an offset, so a page never repeats or skips an incident
// added meanwhile), each feature masked as the REST answer masks it.

func (s *Server) handleOGCIncidentItems(w http.ResponseWriter, r *http.Request, q query) error {
	ctype, err := ogcFormat(q, httpx.ContentTypeGeoJSON)
	if err != nil {
		return err
	}
	if s.inc.store == nil {
		return incidentsOff()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	var f data.IncidentFilter
	bad := s.parseListFilters(r.Context(), q, v, &f)
	if text, ok := q.lookup("bbox"); ok {
		b, err := parseBBox(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			f.Bound = &orb.Bound{Min: v.toDatum(b.Min, "wgs84"), Max: v.toDatum(b.Max, "wgs84")}
		}
	}
	if text, ok := q.lookup("datetime"); ok {
		iv, err := parseDatetime(text, v.ix.Location())
		if err != nil {
			bad = append(bad, *err)
		}
		f.From, f.To = iv.From, iv.To
	}
	for _, text := range listParam(q, "severity") {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 5 {
			bad = append(bad, httpx.InvalidParam{Name: "severity", Reason: fmt.Sprintf("severity must be whole numbers from 1 (minor) to 5 (most severe), comma-separated; got %q", intake.Clip([]byte(text)))})
			continue
		}
		f.Severities = append(f.Severities, n)
	}
	limit, lerr := ogcLimit(q, data.DefaultPageLimit, data.MaxPageLimit)
	if lerr != nil {
		bad = append(bad, *lerr)
	}
	page := data.Page{Limit: limit, Cursor: q.get("cursor")}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	res, err := s.inc.store.QueryIncidents(r.Context(), f, page)
	if err != nil {
		return httpx.AboutParam(err, "cursor")
	}
	matched, err := s.countIncidents(r, f, v)
	if err != nil {
		return err
	}
	out := OGCFeatureCollection{Type: "FeatureCollection", Features: make([]httpx.Feature[any], len(res.Incidents)),
		TimeStamp: time.Now().UTC().Format(time.RFC3339), NumberMatched: matched, NumberReturned: len(res.Incidents)}
	for i := range res.Incidents {
		inc := v.incidentFeature(r.Context(), &res.Incidents[i])
		out.Features[i] = httpx.Feature[any]{Type: inc.Type, ID: inc.ID, Geometry: inc.Geometry, Properties: inc.Properties}
	}
	out.Links = ogcPageLinks(r, ctype)
	if res.Next != "" {
		next := r.URL.Query()
		next.Set("cursor", res.Next)
		out.Links = append(out.Links, Link{Rel: "next", Href: ogcBase(r) + "/collections/" + ogcIncidents + "/items?" + next.Encode(), Type: ctype})
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, ctype, out)
	return nil
}

// countIncidents counts the incidents f selects, by the store's
// aggregation (one total per station and month, summed), so numberMatched
// costs no page reads.
func (s *Server) countIncidents(r *http.Request, f data.IncidentFilter, v *view) (int, error) {
	rows, err := s.inc.store.AggregateIncidents(r.Context(), data.Aggregation{GroupBy: data.ByStation, Bucket: data.Month, Filter: f, Zone: v.ix.Location()})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, row := range rows {
		n += row.Total
	}
	return n, nil
}

// handleOGCIncidentItem answers one incident as GeoJSON; unlike the other
// routes it takes no f=, like its twin GET /api/v1/incidents/{id}.
func (s *Server) handleOGCIncidentItem(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.inc.store == nil {
		return incidentsOff()
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	inc, err := s.inc.store.Incident(r.Context(), mux.Vars(r)["featureId"])
	if err != nil {
		return err
	}
	f := v.incidentFeature(r.Context(), &inc)
	writeOGCFeature(w, r, s, httpx.ContentTypeGeoJSON, ogcIncidents, httpx.Feature[any]{Type: f.Type, ID: f.ID, Geometry: f.Geometry, Properties: f.Properties})
	return nil
}
