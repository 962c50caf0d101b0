package ogc

import (
	"net/http"

	"jingge/api/httpx"
)

// Landing answers GET /ogc: the landing page.
func (s *Service) Landing(w http.ResponseWriter, r *http.Request, q Query) error {
	ctype, err := format(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	base := s.base(r)
	out := Landing{
		Title:       "jingge: police and community grids",
		Description: "OGC API – Features (Part 1: Core, GeoJSON) over the grids, stations, regions, townships and incidents of the dataset in force, in CRS84. Send the same bearer token as to /api/v1.",
		Links: []httpx.Link{
			{Rel: "self", Href: base, Type: httpx.ContentTypeJSON},
			{Rel: "service-desc", Href: s.cfg.BaseURL(r) + "/api/v1/openapi.json", Type: openAPIType},
			{Rel: "conformance", Href: base + "/conformance", Type: httpx.ContentTypeJSON},
			{Rel: "data", Href: base + "/collections", Type: httpx.ContentTypeJSON},
		},
	}
	httpx.WriteJSON(w, r, s.cfg.Logger, http.StatusOK, ctype, out)
	return nil
}

// Conformance answers GET /ogc/conformance.
func (s *Service) Conformance(w http.ResponseWriter, r *http.Request, q Query) error {
	ctype, err := format(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.cfg.Logger, http.StatusOK, ctype, Conformance{ConformsTo: []string{ConfCore, ConfGeoJSON}})
	return nil
}

// Collections answers GET /ogc/collections: the collections the caller
// may read.
func (s *Service) Collections(w http.ResponseWriter, r *http.Request, q Query) error {
	ctype, err := format(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	d, err := s.cfg.Source.Current()
	if err != nil {
		return err
	}
	base := s.base(r)
	out := Collections{Links: []httpx.Link{{Rel: "self", Href: base + "/collections", Type: httpx.ContentTypeJSON}}, Collections: []Collection{}}
	for _, c := range s.readable(r) {
		out.Collections = append(out.Collections, describe(d, base, c))
	}
	httpx.WriteJSON(w, r, s.cfg.Logger, http.StatusOK, ctype, out)
	return nil
}

// readable lists the collections the caller of r may read: the index
// collections, and the incidents when the routes serving them admit the
// caller.
func (s *Service) readable(r *http.Request) []collectionInfo {
	out := append([]collectionInfo(nil), indexCollections...)
	if s.cfg.Source.IncidentsReadable(r.Context()) {
		out = append(out, incidentCollection)
	}
	return out
}

// Collection answers GET /ogc/collections/{collectionId} of an index
// collection.
func (s *Service) Collection(w http.ResponseWriter, r *http.Request, q Query) error {
	ctype, err := format(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Source.Current(); err != nil {
		return err
	}
	c, ok := indexCollection(httpx.PathVar(r, "collectionId"))
	if !ok {
		return s.noCollection(r)
	}
	return s.writeCollection(w, r, ctype, c)
}

// IncidentCollection answers GET /ogc/collections/incidents.
func (s *Service) IncidentCollection(w http.ResponseWriter, r *http.Request, q Query) error {
	ctype, err := format(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Source.Incidents(); err != nil {
		return err
	}
	return s.writeCollection(w, r, ctype, incidentCollection)
}

func (s *Service) writeCollection(w http.ResponseWriter, r *http.Request, ctype string, c collectionInfo) error {
	d, err := s.cfg.Source.Current()
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.cfg.Logger, http.StatusOK, ctype, describe(d, s.base(r), c))
	return nil
}

// noCollection is the 404 of an unknown collection id, naming those the
// caller may read.
func (s *Service) noCollection(r *http.Request) error {
	var ids []string
	for _, c := range s.readable(r) {
		ids = append(ids, c.id)
	}
	return httpx.NotFound("there is no collection %q; the collections are %v (GET %s/collections)", httpx.PathVar(r, "collectionId"), ids, Root)
}

// describe describes c with the bounds of d.
func describe(d Dataset, base string, c collectionInfo) Collection {
	self := base + "/collections/" + c.id
	out := Collection{
		ID: c.id, Title: c.title, Description: c.description,
		Links: []httpx.Link{
			{Rel: "self", Href: self, Type: httpx.ContentTypeJSON},
			{Rel: "items", Href: self + "/items", Type: httpx.ContentTypeGeoJSON},
		},
		Extent:   Extent{Spatial: SpatialExtent{BBox: [][]float64{}, CRS: CRS84}},
		ItemType: "feature",
		CRS:      []string{CRS84},
	}
	if b, ok := d.Bounds(); ok {
		out.Extent.Spatial.BBox = [][]float64{{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}
	}
	if c.temporal {
		out.Extent.Temporal = &TemporalExtent{Interval: [][]*string{{nil, nil}}, TRS: Gregorian}
	}
	return out
}
