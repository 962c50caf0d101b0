package ogc

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
	"jingge/api/intake"
	"jingge/data"
)

// The incidents collection is read through the incident store like GET
// /api/v1/incidents: newest first, paged by the store's cursor (a next
// link, never an offset, so a page never repeats or skips an incident
// added meanwhile), each feature masked as the REST answer masks it.

// IncidentItems answers GET /ogc/collections/incidents/items.
func (s *Service) IncidentItems(w http.ResponseWriter, r *http.Request, q Query) error {
	ctype, err := format(q, httpx.ContentTypeGeoJSON)
	if err != nil {
		return err
	}
	store, err := s.cfg.Source.Incidents()
	if err != nil {
		return err
	}
	d, err := s.cfg.Source.Current()
	if err != nil {
		return err
	}
	f, limit, bad := s.parseIncidentItems(r, q, d)
	page := data.Page{Limit: limit}
	page.Cursor, _ = q("cursor")
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	res, err := store.QueryIncidents(r.Context(), f, page)
	if err != nil {
		return httpx.AboutParam(err, "cursor")
	}
	matched, err := countIncidents(r, store, f, d)
	if err != nil {
		return err
	}
	out := FeatureCollection{Type: "FeatureCollection", Features: make([]httpx.Feature[any], len(res.Incidents)),
		TimeStamp: time.Now().UTC().Format(time.RFC3339), NumberMatched: matched, NumberReturned: len(res.Incidents)}
	for i := range res.Incidents {
		out.Features[i] = d.IncidentFeature(r.Context(), &res.Incidents[i])
	}
	out.Links = s.pageLinks(r, ctype)
	if res.Next != "" {
		next := r.URL.Query()
		next.Set("cursor", res.Next)
		out.Links = append(out.Links, httpx.Link{Rel: "next", Href: s.base(r) + "/collections/" + Incidents + "/items?" + next.Encode(), Type: ctype})
	}
	httpx.WriteJSON(w, r, s.cfg.Logger, http.StatusOK, ctype, out)
	return nil
}

// parseIncidentItems reads the filter and the page size of an incidents
// items request.
func (s *Service) parseIncidentItems(r *http.Request, q Query, d Dataset) (data.IncidentFilter, int, []httpx.InvalidParam) {
	var f data.IncidentFilter
	bad := d.IncidentFilter(r, &f)
	if text, ok := q("bbox"); ok {
		b, err := s.cfg.ParseBBox(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			f.Bound = &orb.Bound{Min: d.FromWGS84(b.Min), Max: d.FromWGS84(b.Max)}
		}
	}
	if text, ok := q("datetime"); ok {
		iv, err := ParseDatetime(text, d.Index().Location(), s.cfg.ParseTime)
		if err != nil {
			bad = append(bad, *err)
		}
		f.From, f.To = iv.From, iv.To
	}
	severity, _ := q("severity")
	for _, text := range intake.SplitList(severity) {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 5 {
			bad = append(bad, httpx.InvalidParam{Name: "severity", Reason: fmt.Sprintf("severity must be whole numbers from 1 (minor) to 5 (most severe), comma-separated; got %q", intake.Clip([]byte(text)))})
			continue
		}
		f.Severities = append(f.Severities, n)
	}
	limit, lerr := parseLimit(q, data.DefaultPageLimit, data.MaxPageLimit)
	if lerr != nil {
		bad = append(bad, *lerr)
	}
	return f, limit, bad
}

// countIncidents counts the incidents f selects, by the store's
// aggregation (one total per station and month, summed), so numberMatched
// costs no page reads.
func countIncidents(r *http.Request, store data.IncidentStore, f data.IncidentFilter, d Dataset) (int, error) {
	rows, err := store.AggregateIncidents(r.Context(), data.Aggregation{GroupBy: data.ByStation, Bucket: data.Month, Filter: f, Zone: d.Index().Location()})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, row := range rows {
		n += row.Total
	}
	return n, nil
}

// IncidentItem answers one incident as GeoJSON; unlike the other routes it
// takes no f=, like its twin GET /api/v1/incidents/{id}.
func (s *Service) IncidentItem(w http.ResponseWriter, r *http.Request, _ Query) error {
	store, err := s.cfg.Source.Incidents()
	if err != nil {
		return err
	}
	d, err := s.cfg.Source.Current()
	if err != nil {
		return err
	}
	inc, err := store.Incident(r.Context(), httpx.PathVar(r, "featureId"))
	if err != nil {
		return err
	}
	s.writeFeature(w, r, httpx.ContentTypeGeoJSON, Incidents, d.IncidentFeature(r.Context(), &inc))
	return nil
}
