package api

import (
	"context"
	"jingge/api/httpx"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
)

// ogcBase is the absolute URL of the OGC root as the client reached it;
// OGC links are absolute so a client may follow them from anywhere.
func ogcBase(r *http.Request) string { return baseURL(r) + ogcRoot }

func (s *Server) handleOGCLanding(w http.ResponseWriter, r *http.Request, q query) error {
	ctype, err := ogcFormat(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	base := ogcBase(r)
	out := OGCLanding{
		Title:       "jingge: police and community grids",
		Description: "OGC API – Features (Part 1: Core, GeoJSON) over the grids, stations, regions, townships and incidents of the dataset in force, in CRS84. Send the same bearer token as to /api/v1.",
		Links: []Link{
			{Rel: "self", Href: base, Type: httpx.ContentTypeJSON},
			{Rel: "service-desc", Href: baseURL(r) + "/api/v1/openapi.json", Type: ogcOpenAPIType},
			{Rel: "conformance", Href: base + "/conformance", Type: httpx.ContentTypeJSON},
			{Rel: "data", Href: base + "/collections", Type: httpx.ContentTypeJSON},
		},
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, ctype, out)
	return nil
}

func (s *Server) handleOGCConformance(w http.ResponseWriter, r *http.Request, q query) error {
	ctype, err := ogcFormat(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, ctype, OGCConformance{ConformsTo: []string{ogcConfCore, ogcConfGeoJSON}})
	return nil
}

func (s *Server) handleOGCCollections(w http.ResponseWriter, r *http.Request, q query) error {
	ctype, err := ogcFormat(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	base := ogcBase(r)
	out := OGCCollections{Links: []Link{{Rel: "self", Href: base + "/collections", Type: httpx.ContentTypeJSON}}, Collections: []OGCCollection{}}
	for _, c := range s.ogcReadable(r.Context()) {
		out.Collections = append(out.Collections, v.ogcCollection(base, c))
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, ctype, out)
	return nil
}

// ogcReadable lists the collections the caller of ctx may read: the
// index collections, and the incidents when the routes serving them
// admit the caller.
func (s *Server) ogcReadable(ctx context.Context) []ogcCollectionInfo {
	out := append([]ogcCollectionInfo(nil), ogcIndexCollections...)
	if callerAdmitted(ctx, s.ogcIncidentAccess) {
		out = append(out, ogcIncidentCollection)
	}
	return out
}

func (s *Server) handleOGCCollection(w http.ResponseWriter, r *http.Request, q query) error {
	ctype, err := ogcFormat(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	if _, err := s.current(); err != nil {
		return err
	}
	c, ok := ogcIndexCollection(mux.Vars(r)["collectionId"])
	if !ok {
		return s.noCollection(r)
	}
	return s.writeOGCCollection(w, r, ctype, c)
}

func (s *Server) handleOGCIncidentCollection(w http.ResponseWriter, r *http.Request, q query) error {
	ctype, err := ogcFormat(q, httpx.ContentTypeJSON)
	if err != nil {
		return err
	}
	if s.inc.store == nil {
		return incidentsOff()
	}
	return s.writeOGCCollection(w, r, ctype, ogcIncidentCollection)
}

func (s *Server) writeOGCCollection(w http.ResponseWriter, r *http.Request, ctype string, c ogcCollectionInfo) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, ctype, v.ogcCollection(ogcBase(r), c))
	return nil
}

// noCollection is the 404 of an unknown collection id, naming those the
// caller may read.
func (s *Server) noCollection(r *http.Request) error {
	var ids []string
	for _, c := range s.ogcReadable(r.Context()) {
		ids = append(ids, c.id)
	}
	return httpx.NotFound("there is no collection %q; the collections are %v (GET %s/collections)", mux.Vars(r)["collectionId"], ids, ogcRoot)
}

// ogcCollection describes c with the bounds of the dataset in force.
func (v *view) ogcCollection(base string, c ogcCollectionInfo) OGCCollection {
	self := base + "/collections/" + c.id
	out := OGCCollection{
		ID: c.id, Title: c.title, Description: c.description,
		Links: []Link{
			{Rel: "self", Href: self, Type: httpx.ContentTypeJSON},
			{Rel: "items", Href: self + "/items", Type: httpx.ContentTypeGeoJSON},
		},
		Extent:   OGCExtent{Spatial: OGCSpatialExtent{BBox: [][]float64{}, CRS: ogcCRS84}},
		ItemType: "feature",
		CRS:      []string{ogcCRS84},
	}
	if v.hasGrids {
		b := orb.Bound{Min: v.toWGS84(v.bounds.Min), Max: v.toWGS84(v.bounds.Max)}
		out.Extent.Spatial.BBox = [][]float64{boundsArray(b)}
	}
	if c.temporal {
		out.Extent.Temporal = &OGCTemporalExtent{Interval: [][]*string{{nil, nil}}, TRS: ogcGregorian}
	}
	return out
}
