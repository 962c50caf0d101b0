package ogc

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
	"jingge/api/intake"
	"jingge/geo"
)

// selection is what an items request of an index collection selects.
type selection struct {
	bound   *orb.Bound // WGS-84
	station string
	// at, when set, asks for the grids in force at that instant.
	at *time.Time
}

// Items answers GET /ogc/collections/{collectionId}/items of an index
// collection: a page of its features, paged by offset.
func (s *Service) Items(w http.ResponseWriter, r *http.Request, q Query) error {
	ctype, err := format(q, httpx.ContentTypeGeoJSON)
	if err != nil {
		return err
	}
	d, err := s.cfg.Source.Current()
	if err != nil {
		return err
	}
	c, ok := indexCollection(httpx.PathVar(r, "collectionId"))
	if !ok {
		return s.noCollection(r)
	}
	sel, limit, offset, bad := s.parseItems(q, c, d)
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	feats, err := s.features(r.Context(), d, c, sel)
	if err != nil {
		return err
	}
	start := min(offset, len(feats))
	page := feats[start : start+min(limit, len(feats)-start)]
	out := FeatureCollection{Type: "FeatureCollection", Features: page, TimeStamp: time.Now().UTC().Format(time.RFC3339), NumberMatched: len(feats), NumberReturned: len(page)}
	out.Links = s.pageLinks(r, ctype)
	if start+len(page) < len(feats) {
		next := r.URL.Query()
		next.Set("offset", strconv.Itoa(start+len(page)))
		next.Set("limit", strconv.Itoa(limit))
		out.Links = append(out.Links, httpx.Link{Rel: "next", Href: s.base(r) + "/collections/" + c.id + "/items?" + next.Encode(), Type: ctype})
	}
	if out.Features == nil {
		out.Features = []httpx.Feature[any]{}
	}
	httpx.WriteJSON(w, r, s.cfg.Logger, http.StatusOK, ctype, out)
	return nil
}

// pageLinks are the self and alternate links of an items page in ctype:
// the same page as GeoJSON and as plain JSON.
func (s *Service) pageLinks(r *http.Request, ctype string) []httpx.Link {
	self := s.base(r) + r.URL.Path[len(Root):]
	withF := func(f string) string {
		vals := r.URL.Query()
		vals.Set("f", f)
		return self + "?" + vals.Encode()
	}
	selfHref := self
	if r.URL.RawQuery != "" {
		selfHref += "?" + r.URL.RawQuery
	}
	other, otherF := httpx.ContentTypeJSON, "json"
	if ctype == httpx.ContentTypeJSON {
		other, otherF = httpx.ContentTypeGeoJSON, "geojson"
	}
	return []httpx.Link{{Rel: "self", Href: selfHref, Type: ctype}, {Rel: "alternate", Href: withF(otherF), Type: other}}
}

// parseItems reads the selection and paging of an items request of c.
func (s *Service) parseItems(q Query, c collectionInfo, d Dataset) (selection, int, int, []httpx.InvalidParam) {
	var sel selection
	var bad []httpx.InvalidParam
	if text, ok := q("bbox"); ok {
		b, err := s.cfg.ParseBBox(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			sel.bound = &b
		}
	}
	if text, ok := q("station"); ok {
		if !c.stationProperty {
			bad = append(bad, httpx.InvalidParam{Name: "station", Reason: fmt.Sprintf("collection %s has no station property; station= selects grids, stations and incidents", c.id)})
		} else if _, known := d.Index().Station(text); !known {
			bad = append(bad, httpx.InvalidParam{Name: "station", Reason: fmt.Sprintf("station must be the id of a station of the dataset (%s), got %q", d.StationIDs(), intake.Clip([]byte(text)))})
		}
		sel.station = text
	}
	if text, ok := q("datetime"); ok {
		iv, err := ParseDatetime(text, d.Index().Location(), s.cfg.ParseTime)
		switch {
		case err != nil:
			bad = append(bad, *err)
		case !c.temporal:
			bad = append(bad, httpx.InvalidParam{Name: "datetime", Reason: fmt.Sprintf("collection %s has no time; datetime= applies to %s, %s and %s", c.id, CommunityGrids, PoliceGrids, Incidents)})
		case !iv.Instant:
			bad = append(bad, httpx.InvalidParam{Name: "datetime", Reason: "the grids take one instant or date (the grids in force then), not an interval"})
		case !s.cfg.Source.HasHistory():
			bad = append(bad, httpx.InvalidParam{Name: "datetime", Reason: "this server keeps no grid history, so it serves only the grids in force now; leave datetime out"})
		default:
			sel.at = &iv.From
		}
	}
	limit, err := parseLimit(q, defaultLimit, maxLimit)
	if err != nil {
		bad = append(bad, *err)
	}
	offset, err := parseOffset(q)
	if err != nil {
		bad = append(bad, *err)
	}
	return sel, limit, offset, bad
}

// features returns every feature of c that sel selects, in a stable order
// (the dataset's, or id order for regions and townships).
func (s *Service) features(ctx context.Context, d Dataset, c collectionInfo, sel selection) ([]httpx.Feature[any], error) {
	var out []httpx.Feature[any]
	switch c.id {
	case CommunityGrids, PoliceGrids:
		if sel.at != nil {
			past, err := s.cfg.Source.At(ctx, *sel.at)
			if err != nil {
				return nil, err
			}
			d = past
		}
		f := geo.GridFilter{Level: geo.CommunityLevel, Station: sel.station}
		if c.id == PoliceGrids {
			f.Level = geo.PoliceLevel
		}
		if sel.bound != nil {
			f.Bound = &orb.Bound{Min: d.FromWGS84(sel.bound.Min), Max: d.FromWGS84(sel.bound.Max)}
		}
		for _, g := range d.Index().Grids(f) {
			out = append(out, d.GridFeature(g))
		}
	case Stations:
		stations := d.Index().Stations()
		for i := range stations {
			st := &stations[i]
			if sel.station != "" && st.ID != sel.station {
				continue
			}
			pt := d.StationPoint(st)
			if sel.bound != nil && (pt == nil || !sel.bound.Contains(pt.(orb.Point))) {
				continue
			}
			out = append(out, httpx.NewFeature(st.ID, pt, d.StationProperties(st)))
		}
	case Regions, Townships:
		areas, err := s.cfg.Source.Areas(c.id)
		if err != nil {
			return nil, err
		}
		for _, a := range areas {
			if sel.bound != nil && !geo.MultiPolygonIntersectsBound(a.Geometry, geo.Prepare(a.Geometry), *sel.bound) {
				continue
			}
			out = append(out, httpx.NewFeature[any](a.ID, httpx.AreaGeometry(a.Geometry), map[string]any(a.Properties)))
		}
	}
	return out, nil
}

// Item answers GET /ogc/collections/{collectionId}/items/{featureId} of an
// index collection.
func (s *Service) Item(w http.ResponseWriter, r *http.Request, q Query) error {
	ctype, err := format(q, httpx.ContentTypeGeoJSON)
	if err != nil {
		return err
	}
	d, err := s.cfg.Source.Current()
	if err != nil {
		return err
	}
	c, ok := indexCollection(httpx.PathVar(r, "collectionId"))
	if !ok {
		return s.noCollection(r)
	}
	feats, err := s.features(r.Context(), d, c, selection{})
	if err != nil {
		return err
	}
	id := httpx.PathVar(r, "featureId")
	for _, f := range feats {
		if f.ID == id {
			s.writeFeature(w, r, ctype, c.id, f)
			return nil
		}
	}
	return httpx.NotFound("collection %s has no feature %q; GET %s/collections/%s/items lists them", c.id, id, Root, c.id)
}

// writeFeature answers one item with its self and collection links.
func (s *Service) writeFeature(w http.ResponseWriter, r *http.Request, ctype, collection string, f httpx.Feature[any]) {
	coll := s.base(r) + "/collections/" + collection
	out := Feature{Feature: f, Links: []httpx.Link{
		{Rel: "self", Href: coll + "/items/" + url.PathEscape(f.ID), Type: ctype},
		{Rel: "collection", Href: coll, Type: httpx.ContentTypeJSON},
	}}
	httpx.WriteJSON(w, r, s.cfg.Logger, http.StatusOK, ctype, out)
}
